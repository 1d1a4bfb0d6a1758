import { fail, ok, type Result } from './errors.js';
import { isClusterId } from './ids.js';

/** Gossip topic carrying every peer's fingerprints and heartbeats. */
export const TOPIC_FINGERPRINTS = '/ppfm/1/fingerprints';
/** Gossip topic shared by cluster heads (leases, cluster models for the global step). */
export const TOPIC_HEADS = '/ppfm/1/heads';
/** Prefix of a per-cluster gossip topic; the cluster id follows. */
export const TOPIC_CLUSTER_PREFIX = '/ppfm/1/cluster/';
/** Direct protocol: a member fetches a cluster or global model from a head. */
export const PROTOCOL_MODEL_FETCH = '/ppfm/1/model/fetch';
/** Direct protocol: a member pushes its weight difference to its cluster head. */
export const PROTOCOL_UPDATE_PUSH = '/ppfm/1/update/push';
/** Direct protocol: peer exchange (a peer asks a connected peer which peers it knows). */
export const PROTOCOL_PEERS = '/ppfm/1/peers';
/** Direct protocol: anti-entropy of the membership view (fingerprints a neighbour lacks). */
export const PROTOCOL_VIEW_SYNC = '/ppfm/1/view/sync';
/** Direct protocol: one secure-aggregation message to the head and its reply (secagg/, --secure-agg). */
export const PROTOCOL_SECAGG = '/ppfm/1/secagg';
/** Direct protocol: a cluster head pushes its synthetic set (FedZDA, --augment head) to a member. */
export const PROTOCOL_ZDA_SET = '/ppfm/1/zda/set';

/** A parsed PPFM gossip topic. */
export type Topic = { kind: 'fingerprints' } | { kind: 'heads' } | { kind: 'cluster'; cluster: string };

/** A parsed PPFM direct-stream protocol id. */
export type ProtocolId = 'model_fetch' | 'update_push' | 'peers' | 'view_sync' | 'secagg' | 'zda_set';

/** The gossip topic of cluster `id`; throws on an invalid cluster id (a programming error). */
export function clusterTopic(id: string): string {
  if (!isClusterId(id)) throw new RangeError(`invalid cluster id: ${JSON.stringify(id)}`);
  return TOPIC_CLUSTER_PREFIX + id;
}

/** Renders a Topic as its topic string. */
export function stringifyTopic(t: Topic): string {
  switch (t.kind) {
    case 'fingerprints':
      return TOPIC_FINGERPRINTS;
    case 'heads':
      return TOPIC_HEADS;
    case 'cluster':
      return clusterTopic(t.cluster);
  }
}

/** Parses a topic string; a foreign or malformed topic yields a typed error, never a throw. */
export function parseTopic(t: string): Result<Topic> {
  if (typeof t !== 'string') return fail('malformed', 'topic is not a string', 'topic');
  if (t === TOPIC_FINGERPRINTS) return ok({ kind: 'fingerprints' });
  if (t === TOPIC_HEADS) return ok({ kind: 'heads' });
  if (t.startsWith(TOPIC_CLUSTER_PREFIX)) {
    const id = t.slice(TOPIC_CLUSTER_PREFIX.length);
    if (!isClusterId(id)) return fail('bad_name', 'invalid cluster id in topic', 'topic');
    return ok({ kind: 'cluster', cluster: id });
  }
  if (t.startsWith('/ppfm/')) {
    const version = t.split('/')[2];
    if (version !== '1') return fail('unknown_version', `unsupported PPFM topic version ${version}`, 'topic');
  }
  return fail('unknown_kind', 'not a PPFM topic', 'topic');
}

/** Renders a ProtocolId as its libp2p protocol string. */
export function stringifyProtocol(p: ProtocolId): string {
  switch (p) {
    case 'model_fetch':
      return PROTOCOL_MODEL_FETCH;
    case 'update_push':
      return PROTOCOL_UPDATE_PUSH;
    case 'peers':
      return PROTOCOL_PEERS;
    case 'view_sync':
      return PROTOCOL_VIEW_SYNC;
    case 'secagg':
      return PROTOCOL_SECAGG;
    case 'zda_set':
      return PROTOCOL_ZDA_SET;
  }
}

/** Parses a libp2p protocol string into a PPFM ProtocolId, or a typed error for anything else. */
export function parseProtocol(s: string): Result<ProtocolId> {
  if (s === PROTOCOL_MODEL_FETCH) return ok('model_fetch');
  if (s === PROTOCOL_UPDATE_PUSH) return ok('update_push');
  if (s === PROTOCOL_PEERS) return ok('peers');
  if (s === PROTOCOL_VIEW_SYNC) return ok('view_sync');
  if (s === PROTOCOL_SECAGG) return ok('secagg');
  if (s === PROTOCOL_ZDA_SET) return ok('zda_set');
  if (typeof s === 'string' && s.startsWith('/ppfm/') && s.split('/')[2] !== '1') {
    return fail('unknown_version', 'unsupported PPFM protocol version', 'protocol');
  }
  return fail('unknown_kind', 'not a PPFM protocol id', 'protocol');
}
