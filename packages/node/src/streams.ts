// Length-prefixed request/response over direct libp2p streams (one request, one response
// per stream), with byte caps on both sides and a deadline on every exchange.
import type { PeerId } from '@libp2p/interface';
import * as lp from 'it-length-prefixed';
import type { Host } from './host.js';
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

async function readOne(source: AsyncIterable<unknown>, maxBytes: number): Promise<Uint8Array> {
  const frames = lp.decode(source as AsyncIterable<Uint8Array>, { maxDataLength: maxBytes });
  // Copy into a plain Uint8Array: transports hand out Node Buffers (views of a shared pool
  // whose .slice() does not copy); decoders and kept weights must not alias them.
  for await (const frame of frames) {
    const out = new Uint8Array(frame.byteLength);
    let off = 0;
    for (const chunk of frame) {
      out.set(chunk, off);
      off += chunk.byteLength;
    }
    return out;
  }
  throw new StreamError('empty', 'stream ended without a message');
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
  try {
    const traffic = trafficOf(libp2p);
    const kind = trafficKindOf(protocol);
    await s.sink(lp.encode([body]));
    traffic?.add(kind, body.byteLength, 0);
    const resp = await readOne(s.source, limits.maxBytes);
    traffic?.add(kind, 0, resp.byteLength);
    await s.close().catch(() => undefined);
    return resp;
  } catch (err) {
    s.abort(err as Error);
    throw classify(err, sig);
  } finally {
    sig.removeEventListener('abort', onAbort);
  }
}

/** Why a served request failed before reaching the handler. */
export type ServeFailure = { reason: 'too_large' | 'timeout' | 'malformed' | 'io'; detail: string };

export interface ServeOptions {
  limits?: StreamLimits;
  /** Encodes an error reply (protocol Error message) for the requester. */
  encodeError: (code: string, message: string) => Uint8Array;
  /** Called for transport-level failures of inbound requests (logging). */
  onFailure?: (from: string, f: ServeFailure) => void;
  maxInboundStreams?: number;
}

/** Handler of one decoded request: returns the response bytes (may be an encoded error). */
export type RequestHandler = (body: Uint8Array, from: string, signal: AbortSignal) => Promise<Uint8Array>;

/** Registers `handler` for `protocol`: one length-prefixed request in, one response out. */
export async function serve(
  libp2p: Host,
  protocol: string,
  handler: RequestHandler,
  opts: ServeOptions,
): Promise<void> {
  const limits = opts.limits ?? DEFAULT_STREAM_LIMITS;
  await libp2p.handle(
    protocol,
    ({ stream, connection }) => {
      const from = connection.remotePeer.toString();
      const sig = AbortSignal.timeout(limits.timeoutMs);
      const onAbort = (): void => stream.abort(new Error('deadline exceeded'));
      sig.addEventListener('abort', onAbort, { once: true });
      void (async () => {
        let body: Uint8Array;
        try {
          body = await readOne(stream.source, limits.maxBytes);
        } catch (err) {
          const e = classify(err, sig);
          const reason =
            e.code === 'too_large' || e.code === 'timeout' ? e.code : e.code === 'empty' ? 'malformed' : 'io';
          opts.onFailure?.(from, { reason, detail: e.message });
          if (reason === 'too_large' || reason === 'malformed') {
            await stream.sink(lp.encode([opts.encodeError(reason, e.message)])).catch(() => undefined);
          }
          stream.abort(e);
          return;
        }
        const traffic = trafficOf(libp2p);
        const kind = trafficKindOf(protocol);
        traffic?.add(kind, 0, body.byteLength);
        try {
          const resp = await handler(body, from, sig);
          await stream.sink(lp.encode([resp]));
          traffic?.add(kind, resp.byteLength, 0);
          await stream.close().catch(() => undefined);
        } catch (err) {
          stream.abort(err as Error);
        }
      })().finally(() => sig.removeEventListener('abort', onAbort));
    },
    { maxInboundStreams: opts.maxInboundStreams ?? 64, runOnLimitedConnection: false },
  );
}
