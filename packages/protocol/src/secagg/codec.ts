// Encoding and decoding of secure-aggregation frames. decodeSecAgg never throws: the frame is
// walked against a schema with byte and repeat caps before protons allocates, then every field is
// validated; decoded bytes never alias the input. encodeSecAgg throws ProtocolEncodeError on a
// message no receiver would accept.
import { fail, ok, unwrapOrThrow, type ErrorCode, type Result } from '../errors.js';
import { checkClusterId, checkPeerId } from '../ids.js';
import * as pb from '../pb/secagg.pb.js';
import { scanMessage } from '../wire/scan.js';
import { u32FromBytesLE, u32ToBytesLE } from './arithmetic.js';
import { CIPHERTEXT_BYTES, KEY_BYTES, SHARE_BYTES } from './crypto.js';
import {
  DEFAULT_SECAGG_LIMITS,
  SECAGG_VERSION,
  type EncryptedShare,
  type RevealedShare,
  type RosterMsg,
  type SecAggLimits,
  type SecAggMessage,
  type SignedAdvert,
} from './messages.js';
import type { SecAggRound } from './types.js';
import { scanSchema, type Schema } from './wire-schema.js';

const BODIES: Record<number, SecAggMessage['kind']> = {
  2: 'key_advert',
  3: 'roster',
  4: 'share_keys',
  5: 'share_delivery',
  6: 'masked_input',
  7: 'unmask_request',
  8: 'unmask_response',
};

function schemas(lim: SecAggLimits): Record<SecAggMessage['kind'], Schema> {
  const str = { wire: 2, maxBytes: 3 * lim.maxStringLength } as const; // UTF-16 units -> UTF-8 bytes
  const head = { 1: str, 2: { wire: 0 }, 3: { wire: 0 } } as const;
  const advert: Schema = {
    ...head,
    4: str,
    5: { wire: 2, maxBytes: KEY_BYTES },
    6: { wire: 2, maxBytes: KEY_BYTES },
    7: { wire: 2, maxBytes: KEY_BYTES },
    8: { wire: 2, maxBytes: lim.maxSignatureBytes },
  };
  const encShare: Schema = { 1: str, 2: { wire: 2, maxBytes: CIPHERTEXT_BYTES } };
  const revealed: Schema = { 1: str, 2: { wire: 2, maxBytes: SHARE_BYTES } };
  const many = (nested: Schema) => ({ wire: 2, maxBytes: 4096, maxCount: lim.maxMembers, nested }) as const;
  return {
    key_advert: advert,
    roster: {
      ...head,
      4: { wire: 0 },
      5: { wire: 0 },
      6: { wire: 0 },
      7: { wire: 1 },
      8: { wire: 1 },
      9: many(advert),
    },
    share_keys: { ...head, 4: str, 5: many(encShare) },
    share_delivery: { ...head, 4: str, 5: many(encShare) },
    masked_input: { ...head, 4: str, 5: { wire: 2, maxBytes: 4 * (lim.maxLength + 1) } },
    unmask_request: { ...head, 4: { ...str, maxCount: lim.maxMembers } },
    unmask_response: { ...head, 4: str, 5: many(revealed), 6: many(revealed) },
  };
}

type Fail = { ok: false; error: { code: ErrorCode; message: string; field?: string } };
const isFail = <T>(r: Result<T>): r is Fail => !r.ok;

function checkRound(
  m: { cluster: string; round: number; term: number },
  lim: SecAggLimits,
): Result<SecAggRound> {
  const c = checkClusterId(m.cluster, lim.maxStringLength);
  if (isFail(c)) return c;
  return ok({ cluster: c.value, round: m.round >>> 0, term: m.term >>> 0 });
}

function checkBytes(b: Uint8Array, size: number, field: string): Result<Uint8Array> {
  if (b.length !== size) return fail('shape_mismatch', `${b.length} bytes, expected ${size}`, field);
  return ok(b.slice());
}

/** Validates ids of a list: syntax, no repeats. */
function checkPeers(ids: string[], lim: SecAggLimits, field: string): Result<string[]> {
  const seen = new Set<string>();
  for (const id of ids) {
    const r = checkPeerId(id, lim.maxStringLength, field);
    if (isFail(r)) return r;
    if (seen.has(id)) return fail('bad_name', `duplicate peer ${id}`, field);
    seen.add(id);
  }
  return ok([...ids]);
}

function fromPbAdvert(m: pb.KeyAdvert, lim: SecAggLimits): Result<SignedAdvert> {
  const r = checkRound(m, lim);
  if (isFail(r)) return r;
  const sender = checkPeerId(m.sender, lim.maxStringLength, 'sender');
  if (isFail(sender)) return sender;
  const cipherKey = checkBytes(m.cipherKey, KEY_BYTES, 'cipherKey');
  if (isFail(cipherKey)) return cipherKey;
  const maskKey = checkBytes(m.maskKey, KEY_BYTES, 'maskKey');
  if (isFail(maskKey)) return maskKey;
  const commitment = checkBytes(m.commitment, KEY_BYTES, 'commitment');
  if (isFail(commitment)) return commitment;
  if (m.signature.length === 0) return fail('bad_value', 'empty signature', 'signature');
  return ok({
    ...r.value,
    sender: sender.value,
    cipherKey: cipherKey.value,
    maskKey: maskKey.value,
    commitment: commitment.value,
    signature: m.signature.slice(),
  });
}

function fromPbRoster(m: pb.Roster, lim: SecAggLimits): Result<RosterMsg> {
  const r = checkRound(m, lim);
  if (isFail(r)) return r;
  if (m.length < 1 || m.length > lim.maxLength) return fail('bad_value', `length ${m.length}`, 'length');
  if (m.threshold < 2 || m.threshold > lim.maxMembers) return fail('bad_value', 'threshold', 'threshold');
  if (m.fracBits > 30) return fail('bad_value', 'more than 30 fraction bits', 'fracBits');
  for (const [v, f] of [
    [m.clip, 'clip'],
    [m.maxWeight, 'maxWeight'],
  ] as const) {
    if (!Number.isFinite(v)) return fail('non_finite', 'not finite', f);
    if (v <= 0) return fail('bad_value', 'not positive', f);
  }
  const adverts: SignedAdvert[] = [];
  const seen = new Set<string>();
  for (const a of m.adverts) {
    const d = fromPbAdvert(a, lim);
    if (isFail(d)) return fail(d.error.code, d.error.message, `adverts.${d.error.field ?? ''}`);
    if (
      d.value.cluster !== r.value.cluster ||
      d.value.round !== r.value.round ||
      d.value.term !== r.value.term
    )
      return fail('bad_value', 'advert of another round', 'adverts');
    if (seen.has(d.value.sender)) return fail('bad_name', `duplicate advert of ${d.value.sender}`, 'adverts');
    seen.add(d.value.sender);
    adverts.push(d.value);
  }
  const { length, threshold, fracBits, clip, maxWeight } = m;
  return ok({ kind: 'roster', ...r.value, length, threshold, fracBits, clip, maxWeight, adverts });
}

function fromPbShares(list: pb.EncryptedShare[], lim: SecAggLimits): Result<EncryptedShare[]> {
  const peers = checkPeers(
    list.map((s) => s.peer),
    lim,
    'shares',
  );
  if (isFail(peers)) return peers;
  const out: EncryptedShare[] = [];
  for (const s of list) {
    const ct = checkBytes(s.ciphertext, CIPHERTEXT_BYTES, 'shares.ciphertext');
    if (isFail(ct)) return ct;
    out.push({ peer: s.peer, ciphertext: ct.value });
  }
  return ok(out);
}

function fromPbRevealed(list: pb.RevealedShare[], lim: SecAggLimits, field: string): Result<RevealedShare[]> {
  const peers = checkPeers(
    list.map((s) => s.peer),
    lim,
    field,
  );
  if (isFail(peers)) return peers;
  const out: RevealedShare[] = [];
  for (const s of list) {
    const sh = checkBytes(s.share, SHARE_BYTES, field);
    if (isFail(sh)) return sh;
    if (sh.value[KEY_BYTES] === 0) return fail('bad_value', 'share x coordinate is 0', field);
    out.push({ peer: s.peer, share: sh.value });
  }
  return ok(out);
}

function fromPbFrame(f: pb.SecAggFrame, lim: SecAggLimits): Result<SecAggMessage> {
  if (f.keyAdvert !== undefined) {
    const a = fromPbAdvert(f.keyAdvert, lim);
    return isFail(a) ? a : ok({ kind: 'key_advert', ...a.value });
  }
  if (f.roster !== undefined) return fromPbRoster(f.roster, lim);
  if (f.shareKeys !== undefined || f.shareDelivery !== undefined) {
    const m = (f.shareKeys ?? f.shareDelivery) as pb.ShareKeys & pb.ShareDelivery;
    const r = checkRound(m, lim);
    if (isFail(r)) return r;
    const shares = fromPbShares(m.shares, lim);
    if (isFail(shares)) return shares;
    if (f.shareKeys !== undefined) {
      const s = checkPeerId(m.sender, lim.maxStringLength, 'sender');
      return isFail(s) ? s : ok({ kind: 'share_keys', ...r.value, sender: s.value, shares: shares.value });
    }
    const to = checkPeerId(m.recipient, lim.maxStringLength, 'recipient');
    return isFail(to)
      ? to
      : ok({ kind: 'share_delivery', ...r.value, recipient: to.value, shares: shares.value });
  }
  if (f.maskedInput !== undefined) {
    const m = f.maskedInput;
    const r = checkRound(m, lim);
    if (isFail(r)) return r;
    const s = checkPeerId(m.sender, lim.maxStringLength, 'sender');
    if (isFail(s)) return s;
    if (m.masked.length % 4 !== 0 || m.masked.length < 8)
      return fail('shape_mismatch', 'masked input is not >= 2 uint32 values', 'masked');
    return ok({ kind: 'masked_input', ...r.value, sender: s.value, masked: u32FromBytesLE(m.masked) });
  }
  if (f.unmaskRequest !== undefined) {
    const m = f.unmaskRequest;
    const r = checkRound(m, lim);
    if (isFail(r)) return r;
    const survivors = checkPeers(m.survivors, lim, 'survivors');
    if (isFail(survivors)) return survivors;
    return ok({ kind: 'unmask_request', ...r.value, survivors: survivors.value });
  }
  if (f.unmaskResponse !== undefined) {
    const m = f.unmaskResponse;
    const r = checkRound(m, lim);
    if (isFail(r)) return r;
    const s = checkPeerId(m.sender, lim.maxStringLength, 'sender');
    if (isFail(s)) return s;
    const selfMaskShares = fromPbRevealed(m.selfMaskShares, lim, 'selfMaskShares');
    if (isFail(selfMaskShares)) return selfMaskShares;
    const maskKeyShares = fromPbRevealed(m.maskKeyShares, lim, 'maskKeyShares');
    if (isFail(maskKeyShares)) return maskKeyShares;
    // An honest member reveals one kind of share per peer, never both.
    const selfPeers = new Set(selfMaskShares.value.map((x) => x.peer));
    if (maskKeyShares.value.some((x) => selfPeers.has(x.peer)))
      return fail('bad_value', 'both shares revealed for one peer', 'maskKeyShares');
    return ok({
      kind: 'unmask_response',
      ...r.value,
      sender: s.value,
      selfMaskShares: selfMaskShares.value,
      maskKeyShares: maskKeyShares.value,
    });
  }
  return fail('unknown_kind', 'secagg frame has no message body', 'body');
}

/** Decodes a SecAggFrame. Never throws; a typed error for anything invalid. */
export function decodeSecAgg(bytes: Uint8Array, limits?: Partial<SecAggLimits>): Result<SecAggMessage> {
  try {
    const lim: SecAggLimits = { ...DEFAULT_SECAGG_LIMITS, ...limits };
    if (!(bytes instanceof Uint8Array)) return fail('malformed', 'not bytes');
    const maxFrame = 4 * (lim.maxLength + 1) + 4 * lim.maxStringLength + 64;
    if (bytes.length > maxFrame) return fail('too_large', `${bytes.length} bytes exceeds ${maxFrame}`);
    const top = scanMessage(bytes, 0, bytes.length, 64);
    if (isFail(top)) return top;
    let version = 0;
    let body: { field: number; start: number; end: number } | undefined;
    for (const f of top.value) {
      if (f.field === 1) {
        if (f.wireType !== 0) return fail('malformed', 'version has the wrong wire type', 'version');
        const v = bytes[f.start] as number;
        version = f.end - f.start === 1 ? v : -1;
      } else if (BODIES[f.field] !== undefined) {
        if (f.wireType !== 2) return fail('malformed', 'message body has the wrong wire type', 'body');
        if (body !== undefined && body.field !== f.field)
          return fail('malformed', 'more than one message body');
        body = f;
      }
    }
    if (version !== SECAGG_VERSION) return fail('unknown_version', `secagg version ${version}`, 'version');
    if (body === undefined) return fail('unknown_kind', 'secagg frame has no known message body', 'body');
    const kind = BODIES[body.field] as SecAggMessage['kind'];
    if (kind !== 'masked_input' && bytes.length > lim.maxControlBytes)
      return fail('too_large', `${bytes.length} bytes exceeds ${lim.maxControlBytes} for ${kind}`);
    const scanned = scanSchema(
      bytes,
      body.start,
      body.end,
      schemas(lim)[kind],
      kind,
      3 * lim.maxMembers + 64,
    );
    if (isFail(scanned)) return scanned;
    let frame: pb.SecAggFrame;
    try {
      frame = pb.SecAggFrame.decode(bytes);
    } catch (e) {
      return fail('malformed', `protobuf decode failed: ${(e as Error)?.message ?? String(e)}`);
    }
    return fromPbFrame(frame, lim);
  } catch (e) {
    // Defensive net: the checks above are written not to throw, but a decoder must never throw.
    return fail('malformed', `unexpected decode failure: ${(e as Error)?.message ?? String(e)}`);
  }
}

function toPbAdvert(a: SignedAdvert): pb.KeyAdvert {
  const { cluster, round, term, sender, cipherKey, maskKey, commitment, signature } = a;
  return { cluster, round, term, sender, cipherKey, maskKey, commitment, signature };
}

function toPbFrame(m: SecAggMessage): pb.SecAggFrame {
  const f: pb.SecAggFrame = { version: SECAGG_VERSION };
  const round = { cluster: m.cluster, round: m.round, term: m.term };
  switch (m.kind) {
    case 'key_advert':
      f.keyAdvert = toPbAdvert(m);
      break;
    case 'roster': {
      const { length, threshold, fracBits, clip, maxWeight } = m;
      f.roster = {
        ...round,
        length,
        threshold,
        fracBits,
        clip,
        maxWeight,
        adverts: m.adverts.map(toPbAdvert),
      };
      break;
    }
    case 'share_keys':
      f.shareKeys = { ...round, sender: m.sender, shares: m.shares };
      break;
    case 'share_delivery':
      f.shareDelivery = { ...round, recipient: m.recipient, shares: m.shares };
      break;
    case 'masked_input':
      f.maskedInput = { ...round, sender: m.sender, masked: u32ToBytesLE(m.masked) };
      break;
    case 'unmask_request':
      f.unmaskRequest = { ...round, survivors: m.survivors };
      break;
    case 'unmask_response':
      f.unmaskResponse = {
        ...round,
        sender: m.sender,
        selfMaskShares: m.selfMaskShares,
        maskKeyShares: m.maskKeyShares,
      };
      break;
    default:
      unwrapOrThrow(fail('unknown_kind', `unknown secagg kind ${(m as { kind: unknown }).kind}`, 'kind'));
  }
  return f;
}

/** Encodes a message in a versioned SecAggFrame; throws ProtocolEncodeError if a receiver would reject it. */
export function encodeSecAgg(m: SecAggMessage): Uint8Array {
  for (const v of [m.round, m.term]) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
      unwrapOrThrow(fail('bad_value', 'round/term is not a uint32', 'round'));
  }
  const bytes = pb.SecAggFrame.encode(toPbFrame(m));
  // The decoder is the single definition of validity: run it on what we are about to send.
  const back = decodeSecAgg(bytes);
  if (isFail(back)) unwrapOrThrow(back);
  return bytes;
}
