// Length-prefixed request/response over direct libp2p streams (one request, one response
// per stream), with byte caps on both sides and a deadline on every exchange.
import type { PeerId, Stream } from '@libp2p/interface';
import * as lp from 'it-length-prefixed';
import type { Host } from './host.js';
import { readFrame, type Admit } from './net/frame-reader.js';
import { trafficOf, trafficKindOf } from './traffic.js';

/** Byte cap and deadline for one side of an exchange. */
export interface StreamLimits {
  maxBytes: number;
  timeoutMs: number;
}

/** Models are ~0.5 MB float32 for the default MLP; leave headroom for larger specs. */
export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxBytes: 32 * 1024 * 1024, timeoutMs: 20_000 };

/** Thrown by `request` for transport-level failures (dial, timeout, oversize, empty). */
export class StreamError extends Error {
  constructor(
    readonly code: 'dial' | 'timeout' | 'too_large' | 'empty' | 'io',
    message: string,
  ) {
    super(message);
    this.name = 'StreamError';
  }
}

function classify(err: unknown, signal: AbortSignal): StreamError {
  if (err instanceof StreamError) return err;
  const e = err as Error;
  if (signal.aborted) return new StreamError('timeout', e?.message ?? 'aborted');
  if (e?.name === 'InvalidDataLengthError' || /length/i.test(e?.message ?? ''))
    return new StreamError('too_large', e.message);
  return new StreamError('io', e?.message ?? String(err));
}

/** Reads one frame of at most `maxBytes`; throws StreamError for content faults. */
async function readOne(source: AsyncIterable<unknown>, maxBytes: number): Promise<Uint8Array> {
  const r = await readFrame(source as AsyncIterable<Uint8Array>, maxBytes);
  if (r.kind === 'frame') return r.bytes;
  if (r.kind === 'fault')
    throw new StreamError(r.fault.kind === 'too_large' ? 'too_large' : 'empty', r.fault.detail);
  throw new StreamError('io', `${r.reason}: ${r.detail}`); // no admit here: cannot happen
}

/** Sends one request to `peer` on `protocol` and returns the raw response bytes. */
export async function request(
  libp2p: Host,
  peer: PeerId,
  protocol: string,
  body: Uint8Array,
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const sig = signal ? AbortSignal.any([signal, deadline]) : deadline;
  let stream;
  try {
    stream = await libp2p.dialProtocol(peer, protocol, { signal: sig });
  } catch (err) {
    throw sig.aborted
      ? new StreamError('timeout', 'dial timed out')
      : new StreamError('dial', (err as Error).message);
  }
  const s = stream;
  const onAbort = (): void => s.abort(new Error('deadline exceeded'));
  sig.addEventListener('abort', onAbort, { once: true });
  const traffic = trafficOf(libp2p);
  const kind = trafficKindOf(protocol);
  // The reply is read while the request is written: a server that refuses a request from its
  // first bytes (a late push) answers before the end, and the rest is then never sent.
  const out = new ChunkedWrite(lp.encode.single(body).subarray(), body.byteLength);
  const writing = s.sink(out.chunks()).then(
    () => undefined,
    (err: unknown) => err as Error,
  );
  try {
    // A failed write aborts the stream, so the read fails with the write's error.
    const resp = await readOne(s.source, limits.maxBytes);
    traffic?.add(kind, out.bodyBytesSent, resp.byteLength);
    if (out.offeredAll) {
      await writing;
      await s.close().catch(() => undefined);
    } else {
      out.stop();
      s.abort(new Error('answered before the end of the request'));
    }
    return resp;
  } catch (err) {
    out.stop();
    traffic?.add(kind, out.bodyBytesSent, 0);
    s.abort(err as Error);
    throw classify(err, sig);
  } finally {
    sig.removeEventListener('abort', onAbort);
  }
}

/** Bytes handed to a stream at a time: the transport takes each before the next is offered. */
const WRITE_CHUNK = 64 * 1024;

/** A length-prefixed request written in chunks that can stop, counting what left. */
class ChunkedWrite {
  private stopped = false;
  private sent = 0;

  constructor(
    private readonly frame: Uint8Array,
    private readonly bodyBytes: number,
  ) {}

  /** The chunks, until stopped. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < this.frame.byteLength && !this.stopped; at += WRITE_CHUNK) {
      const chunk = this.frame.subarray(at, at + WRITE_CHUNK);
      this.sent += chunk.byteLength; // counted when offered: an upper bound on what left
      yield chunk;
    }
  }

  /** Whether every chunk was handed to the transport. */
  get offeredAll(): boolean {
    return this.sent === this.frame.byteLength;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Bytes of the body (without the length prefix) handed to the transport. */
  get bodyBytesSent(): number {
    return Math.max(0, this.sent - (this.frame.byteLength - this.bodyBytes));
  }
}

/**
 * Why a served request failed before (or while) reaching the handler: too_large (the length
 * prefix exceeds the cap), timeout, malformed (no frame), refused (its header, by `admit`), busy
 * (the peer already has maxPerPeer requests in progress), internal (the handler threw), io.
 */
export type ServeFailure = {
  reason: 'too_large' | 'timeout' | 'malformed' | 'refused' | 'busy' | 'internal' | 'io';
  /** For 'refused': the admit's reason. */
  code?: string;
  detail: string;
};

export interface ServeOptions {
  limits?: StreamLimits;
  /** Encodes an error reply (protocol Error message) for the requester. */
  encodeError: (code: string, message: string) => Uint8Array;
  /**
   * Called for failures of inbound requests (logging); the same (peer, reason) at most once per
   * FAILURE_LOG_MS, with the number of repeats in the detail, so a flood cannot flood the log.
   */
  onFailure?: (from: string, f: ServeFailure) => void;
  /** Streams of this protocol one connection may open at once (libp2p's limit). */
  maxInboundStreams?: number;
  /** Requests of one peer read or handled at once, over all its connections (default 2); more are reset. */
  maxPerPeer?: number;
  /** Judges a request's first bytes before the rest is read (see net/frame-reader.ts). */
  admit?: (prefix: Uint8Array, frameBytes: number, from: string) => ReturnType<Admit>;
  /** Whether a refusal by `admit` is the sender's fault (logged); default every refusal. */
  logRefusal?: (reason: string) => boolean;
}

/** Handler of one decoded request: returns the response bytes (may be an encoded error). */
export type RequestHandler = (body: Uint8Array, from: string, signal: AbortSignal) => Promise<Uint8Array>;

/** One failure line per (peer, reason) per this many ms. */
export const FAILURE_LOG_MS = 5000;

/** Throttles failure reports per (peer, reason), counting the ones it holds back. */
class FailureThrottle {
  private readonly last = new Map<string, { at: number; held: number }>();
  constructor(private readonly report: ((from: string, f: ServeFailure) => void) | undefined) {}

  add(from: string, f: ServeFailure): void {
    if (this.report === undefined) return;
    const key = `${from}\u0000${f.reason}\u0000${f.code ?? ''}`;
    const now = Date.now();
    const e = this.last.get(key);
    if (e !== undefined && now - e.at < FAILURE_LOG_MS) {
      e.held++;
      return;
    }
    if (this.last.size >= 4096) this.last.clear(); // bounded: a Sybil flood only loses counts
    this.last.set(key, { at: now, held: 0 });
    const held = e?.held ?? 0;
    this.report(from, held > 0 ? { ...f, detail: `${f.detail} (+${held} more since the last report)` } : f);
  }
}

/** Registers `handler` for `protocol`: one length-prefixed request in, one response out. */
export async function serve(
  libp2p: Host,
  protocol: string,
  handler: RequestHandler,
  opts: ServeOptions,
): Promise<void> {
  const limits = opts.limits ?? DEFAULT_STREAM_LIMITS;
  const maxPerPeer = opts.maxPerPeer ?? 2;
  const active = new Map<string, number>();
  const failures = new FailureThrottle(opts.onFailure);
  const reply = async (stream: Stream, bytes: Uint8Array): Promise<void> => {
    await stream.sink(lp.encode([bytes])).catch(() => undefined);
  };
  await libp2p.handle(
    protocol,
    ({ stream, connection }) => {
      const from = connection.remotePeer.toString();
      const running = active.get(from) ?? 0;
      if (running >= maxPerPeer) {
        failures.add(from, { reason: 'busy', detail: `${running} requests of this peer in progress` });
        stream.abort(new Error('too many concurrent requests'));
        return;
      }
      active.set(from, running + 1);
      const sig = AbortSignal.timeout(limits.timeoutMs);
      const onAbort = (): void => stream.abort(new Error('deadline exceeded'));
      sig.addEventListener('abort', onAbort, { once: true });
      void (async () => {
        let body: Uint8Array;
        try {
          const admit = opts.admit;
          const r = await readFrame(
            stream.source,
            limits.maxBytes,
            admit === undefined ? undefined : (prefix, n) => admit(prefix, n, from),
          );
          if (r.kind === 'refused') {
            trafficOf(libp2p)?.add(trafficKindOf(protocol), 0, r.bytesRead); // what it cost us
            if (opts.logRefusal?.(r.reason) ?? true)
              failures.add(from, { reason: 'refused', code: r.reason, detail: r.detail });
            await reply(stream, opts.encodeError(r.reason, r.detail));
            stream.abort(new Error(`refused: ${r.reason}`));
            return;
          }
          if (r.kind === 'fault') {
            const reason = r.fault.kind === 'too_large' ? 'too_large' : 'malformed';
            failures.add(from, { reason, detail: r.fault.detail });
            await reply(stream, opts.encodeError(reason, r.fault.detail));
            stream.abort(new Error(r.fault.detail));
            return;
          }
          body = r.bytes;
        } catch (err) {
          const e = classify(err, sig);
          failures.add(from, { reason: e.code === 'timeout' ? 'timeout' : 'io', detail: e.message });
          stream.abort(e);
          return;
        }
        const traffic = trafficOf(libp2p);
        const kind = trafficKindOf(protocol);
        traffic?.add(kind, 0, body.byteLength);
        let resp: Uint8Array;
        try {
          resp = await handler(body, from, sig);
        } catch (err) {
          // A handler bug must not crash the peer nor repeat a stack trace per request: one line.
          const message = (err as Error)?.message ?? String(err);
          failures.add(from, { reason: 'internal', detail: message });
          await reply(stream, opts.encodeError('internal', message));
          stream.abort(new Error('internal error'));
          return;
        }
        try {
          await stream.sink(lp.encode([resp]));
          traffic?.add(kind, resp.byteLength, 0);
          await stream.close().catch(() => undefined);
        } catch (err) {
          stream.abort(err as Error);
        }
      })().finally(() => {
        sig.removeEventListener('abort', onAbort);
        const n = (active.get(from) ?? 1) - 1;
        if (n <= 0) active.delete(from);
        else active.set(from, n);
      });
    },
    { maxInboundStreams: opts.maxInboundStreams ?? 64, runOnLimitedConnection: false },
  );
}
