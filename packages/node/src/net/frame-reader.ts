// Reads one length-prefixed frame from a stream without trusting its sender: the length prefix is
// checked against the cap before anything else is read, the frame's first bytes can be judged
// (a push's header: round, term, spec, sender) before its body is read, and the body buffer is
// allocated only once the frame is admitted. A stream never makes us hold more than its cap.
import type { Uint8ArrayList } from 'uint8arraylist';

/** What the caller says after looking at a frame's first bytes. */
export type Admission =
  /** Show me at least `bytes` bytes of the frame (or all of it, when it is shorter). */
  | { kind: 'more'; bytes: number }
  /**
   * Read the frame whole; `recheck`, when given, is asked again as more of the body arrives
   * (a round that closes while its push is read stops the read there).
   */
  | { kind: 'read'; recheck?: () => Admission }
  /** Stop here: the frame is refused (nothing more is read). */
  | { kind: 'refuse'; reason: string; detail: string };

/** Judges a frame from its first bytes; `frameBytes` is its full length (from the prefix). */
export type Admit = (prefix: Uint8Array, frameBytes: number) => Admission;

/** Why a frame could not be read. */
export type FrameFault =
  | { kind: 'too_large'; detail: string }
  | { kind: 'malformed'; detail: string }
  | { kind: 'empty'; detail: string };

/** A frame, a refusal by `admit` (after `bytesRead` bytes of the frame), or a fault of the stream's content. */
export type FrameRead =
  | { kind: 'frame'; bytes: Uint8Array }
  | { kind: 'refused'; reason: string; detail: string; bytesRead: number }
  | { kind: 'fault'; fault: FrameFault };

const MAX_PREFIX_BYTES = 9; // a varint of 2^63: far beyond any cap

type Chunk = Uint8Array | Uint8ArrayList;

/** Buffered bytes read so far (copied out of the transport's pooled buffers). */
class Pending {
  private readonly parts: Uint8Array[] = [];
  length = 0;

  push(c: Chunk): void {
    const bytes = c instanceof Uint8Array ? c : c.subarray();
    if (bytes.byteLength === 0) return;
    this.parts.push(bytes.slice()); // Uint8Array#slice copies (a Buffer's would alias the pool)
    this.length += bytes.byteLength;
  }

  /** The first `n` bytes (n <= length) as one array. */
  head(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let off = 0;
    for (const p of this.parts) {
      if (off >= n) break;
      const take = Math.min(p.byteLength, n - off);
      out.set(p.subarray(0, take), off);
      off += take;
    }
    return out;
  }

  /** Drops the first `n` bytes. */
  drop(n: number): void {
    let left = n;
    while (left > 0 && this.parts.length > 0) {
      const p = this.parts[0] as Uint8Array;
      if (p.byteLength <= left) {
        this.parts.shift();
        left -= p.byteLength;
      } else {
        this.parts[0] = p.subarray(left);
        left = 0;
      }
    }
    this.length -= n - left;
  }
}

/** Decodes an unsigned varint at the start of `b`: [value, bytes], 'short' or 'bad'. */
function varint(b: Uint8Array): [number, number] | 'short' | 'bad' {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < Math.min(b.length, MAX_PREFIX_BYTES); i++) {
    const byte = b[i] as number;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return i > 0 && byte === 0 ? 'bad' : [value, i + 1];
    scale *= 128;
  }
  return b.length >= MAX_PREFIX_BYTES ? 'bad' : 'short';
}

/**
 * Reads the first length-prefixed frame of `source`: a prefix above `maxBytes` is a fault before
 * any of the frame is read; with `admit`, the frame's first bytes are judged before the rest.
 */
export async function readFrame(
  source: AsyncIterable<Chunk>,
  maxBytes: number,
  admit?: Admit,
): Promise<FrameRead> {
  const it = source[Symbol.asyncIterator]();
  const pending = new Pending();
  const more = async (): Promise<boolean> => {
    const r = await it.next();
    if (r.done === true) return false;
    pending.push(r.value);
    return true;
  };
  // The length prefix.
  let length: number;
  for (;;) {
    const v = varint(pending.head(Math.min(pending.length, MAX_PREFIX_BYTES)));
    if (v === 'bad') return { kind: 'fault', fault: { kind: 'malformed', detail: 'bad length prefix' } };
    if (v !== 'short') {
      length = v[0];
      pending.drop(v[1]);
      break;
    }
    if (!(await more()))
      return {
        kind: 'fault',
        fault: {
          kind: 'empty',
          detail: pending.length === 0 ? 'stream ended without a message' : 'truncated length prefix',
        },
      };
  }
  if (length > maxBytes)
    return {
      kind: 'fault',
      fault: { kind: 'too_large', detail: `frame of ${length} bytes exceeds ${maxBytes}` },
    };
  const refused = (a: { reason: string; detail: string }): FrameRead => ({
    kind: 'refused',
    reason: a.reason,
    detail: a.detail,
    bytesRead: pending.length,
  });
  // The header, judged before the body is read.
  let recheck: (() => Admission) | undefined;
  if (admit !== undefined) {
    for (;;) {
      const a = admit(pending.head(Math.min(pending.length, length)), length);
      if (a.kind === 'refuse') return refused(a);
      if (a.kind === 'read') {
        recheck = a.recheck;
        break;
      }
      // 'more': a judge shown the whole frame that still cannot decide leaves it to the decoder.
      if (pending.length >= length) break;
      const want = Math.min(Math.max(a.bytes, pending.length + 1), length);
      while (pending.length < want)
        if (!(await more()))
          return {
            kind: 'fault',
            fault: { kind: 'empty', detail: `stream ended after ${pending.length} of ${length} bytes` },
          };
    }
  }
  while (pending.length < length) {
    if (!(await more()))
      return {
        kind: 'fault',
        fault: { kind: 'empty', detail: `stream ended after ${pending.length} of ${length} bytes` },
      };
    const again = recheck?.();
    if (again?.kind === 'refuse' && pending.length < length) return refused(again);
  }
  return { kind: 'frame', bytes: pending.head(length) };
}
