// A peer event log that also feeds every event to a metrics subscriber.
import type { EventLog } from '../log/event-log.js';
import type { LogEvent } from '../log/events.js';

/**
 * Wraps `log` so that each emitted event also reaches `sink.observe`. PeerMetrics counts an event
 * object once, so this stays correct when the peer also calls `PeerOptions.metrics.observe`.
 */
export function teeEventLog(log: EventLog, sink: { observe(e: LogEvent): void }): EventLog {
  return {
    emit(e, level) {
      log.emit(e, level);
      sink.observe(e);
    },
    setPeerId: (id) => log.setPeerId(id),
    close: () => log.close(),
  };
}
