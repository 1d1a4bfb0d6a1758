import { fail, ok, type Result } from './errors.js';

// Peer ids are multibase strings (base58btc "12D3Koo...", "Qm...", or base32/base36 CIDs): alphanumerics only.
const PEER_ID_RE = /^[A-Za-z0-9]+$/;
// Cluster ids become topic suffixes, so no '/' and nothing a shell or file name would trip on.
const CLUSTER_ID_RE = /^[A-Za-z0-9_-]+$/;
// Model ids may be hierarchical ("c3/round-12"), still ASCII-only.
const MODEL_ID_RE = /^[A-Za-z0-9_.:/-]+$/;
const SPEC_HASH_RE = /^[0-9a-f]{64}$/;
const VIEW_DIGEST_RE = /^[0-9a-f]{16}$/;

function checkId(s: unknown, re: RegExp, max: number, what: string, field: string): Result<string> {
  if (typeof s !== 'string' || s.length === 0) return fail('bad_name', `${what} is empty`, field);
  if (s.length > max) return fail('too_large', `${what} longer than ${max}`, field);
  if (!re.test(s)) return fail('bad_name', `${what} has invalid characters`, field);
  return ok(s);
}

/** Validates a libp2p peer id string (alphanumeric multibase, 1..max chars). */
export function checkPeerId(s: unknown, max: number, field = 'peerId'): Result<string> {
  return checkId(s, PEER_ID_RE, max, 'peer id', field);
}

/** Validates a cluster id ([A-Za-z0-9_-], 1..max chars; safe as a topic suffix). */
export function checkClusterId(s: unknown, max: number, field = 'cluster'): Result<string> {
  return checkId(s, CLUSTER_ID_RE, max, 'cluster id', field);
}

/** Validates a model id ([A-Za-z0-9_.:/-], 1..max chars). */
export function checkModelId(s: unknown, max: number, field = 'modelId'): Result<string> {
  return checkId(s, MODEL_ID_RE, max, 'model id', field);
}

/** Validates a spec hash: 64 lowercase hex chars (sha256). */
export function checkSpecHash(s: unknown, field = 'specHash'): Result<string> {
  if (typeof s !== 'string' || !SPEC_HASH_RE.test(s))
    return fail('bad_name', 'spec hash is not 64 hex chars', field);
  return ok(s);
}

/** Validates a view digest: 16 lowercase hex chars (see viewDigest). */
export function checkViewDigest(s: unknown, field = 'viewDigest'): Result<string> {
  if (typeof s !== 'string' || !VIEW_DIGEST_RE.test(s))
    return fail('bad_name', 'view digest is not 16 lowercase hex chars', field);
  return ok(s);
}

/** True when `s` is a syntactically valid cluster id. */
export function isClusterId(s: string): boolean {
  return s.length > 0 && s.length <= 128 && CLUSTER_ID_RE.test(s);
}

/** True when `s` is a syntactically valid peer id. */
export function isPeerId(s: string): boolean {
  return s.length > 0 && s.length <= 128 && PEER_ID_RE.test(s);
}
