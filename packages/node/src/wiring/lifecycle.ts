// How a peer ends: a stop saves a final checkpoint and logs `peer_stopped`; a crash (an
// in-process SIGKILL, for tests) stops the services and saves and logs nothing. Either runs once.
import { logEvent, notice, type PeerComponents } from '../components.js';
import type { IgnoreLog } from '../net/ignore-log.js';
import type { Checkpointer } from '../services/checkpointer.js';
import type { ConnectionKeeper } from '../services/connection-keeper.js';
import type { Services } from './services.js';

/** The peer's ends, and `done`, resolved once it has stopped either way. */
export interface Lifecycle {
  stop(reason: string): Promise<void>;
  crash(): Promise<void>;
  done: Promise<void>;
}

/** What stopping needs: the services, the parts around them, and the closers. */
export interface LifecycleParts {
  services: Services;
  keeper: ConnectionKeeper;
  checkpointer: Checkpointer;
  ignored: IgnoreLog;
  /** Runs the closers (data dir lock, learner, host) in reverse order. */
  undo(): Promise<void>;
  /** Called first on a crash (the peer stops forwarding its log). */
  onCrash(): void;
}

/** Builds the peer's stop and crash. */
export function lifecycle(
  c: Pick<PeerComponents, 'bus' | 'gossip' | 'traffic'>,
  p: LifecycleParts,
): Lifecycle {
  const { run, membership, planner, refinement, head, member, global, addressBook, slot } = p.services;
  const { keeper, checkpointer, ignored, undo } = p;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolveDone = r));
  let stopping: Promise<void> | undefined;
  // Timers and role drivers first, so that nothing starts while the peer winds down.
  const halt = (): void => {
    run.stop();
    keeper.stop();
    membership.stop();
    planner.stop();
    refinement.stop();
    head.deactivate();
    member.deactivate();
  };
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      halt();
      await checkpointer
        .save(slot.session?.election.highestTerm ?? 0)
        .catch((err: Error) =>
          notice(c, 'warn', `final checkpoint failed: ${err.message}`, 'checkpoint_failed'),
        );
      slot.session?.close();
      global.deactivate();
      ignored.flush();
      c.gossip.close();
      await addressBook.stop();
      logEvent(c, {
        event: 'peer_stopped',
        reason,
        bytesSent: c.traffic.totals.sentBytes,
        bytesReceived: c.traffic.totals.receivedBytes,
        processCpuSeconds: processCpuSeconds(),
      });
      await undo();
      resolveDone();
    })();
    return stopping;
  };
  const crash = async (): Promise<void> => {
    stopping ??= (async () => {
      p.onCrash();
      await addressBook.stop(false);
      halt();
      slot.session?.close();
      await undo();
      resolveDone();
    })();
    return stopping;
  };
  return { stop, crash, done };
}

/** CPU time (user + system, every thread) this process has used: what a peer costs its machine. */
function processCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
