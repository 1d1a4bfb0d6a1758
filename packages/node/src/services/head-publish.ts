// The ends of a head's round besides the learning step: the secure round's sum as one update, and
// the announcement of the new cluster model.
import type { WeightSet } from '@ppfm/meta/light';
import { clusterTopic, encodeGossip, encodeModelEnvelope, TOPIC_HEADS } from '@ppfm/protocol';
import { logEvent, notice, type PeerComponents } from '../components.js';
import { unflattenWeights } from '../privacy/vector.js';
import type { RoundUpdate } from '../rounds.js';
import type { HeldModel } from './model-store.js';
import { describeAbort, type SecureHead, type SecureRound } from './secagg-head.js';

/** The result of a secure round: the members' mean as one update, or `failed` (model unchanged). */
export interface SecureSum {
  updates: RoundUpdate<WeightSet>[];
  contributors: number;
  failed: boolean;
}

/** Runs the secure round to its end: the members' mean as one update (weighted by their weight sum). */
export async function secureSum(
  c: Pick<PeerComponents, 'bus' | 'store'>,
  head: SecureHead | undefined,
  sr: SecureRound,
): Promise<SecureSum> {
  const out = await sr.finish();
  head?.close(sr);
  if (out.kind === 'aborted') {
    notice(
      c,
      'warn',
      `round ${sr.round.round}: secure aggregation failed, model unchanged: ${describeAbort(out.abort)}`,
      'secagg_failed',
    );
    return { updates: [], contributors: 0, failed: true };
  }
  const { mean, weightSum, contributors } = out.result;
  if (mean === undefined) return { updates: [], contributors: contributors.length, failed: false };
  const delta = unflattenWeights(mean, c.store.template);
  return {
    updates: [{ from: 'secure-sum', samples: weightSum, delta }],
    contributors: contributors.length,
    failed: false,
  };
}

/** Announces the new model on the cluster topic (members fetch it) and to the other heads. */
export async function announceModel(
  c: Pick<PeerComponents, 'self' | 'clock' | 'bus' | 'gossip' | 'settings' | 'spec'>,
  cluster: string,
  m: HeldModel,
): Promise<void> {
  const announce = encodeGossip({
    kind: 'model_announce',
    cluster: m.cluster,
    round: m.round,
    term: m.term,
    head: c.self,
    specHash: c.spec,
    sentAt: c.clock.now(),
  });
  await c.gossip.publish(clusterTopic(cluster), announce);
  await c.gossip.publish(TOPIC_HEADS, announce);
  const bytes = encodeModelEnvelope({
    modelId: `${m.cluster}/round-${m.round}`,
    scope: { kind: 'cluster', cluster: m.cluster },
    round: m.round,
    term: m.term,
    specHash: c.spec,
    codec: c.settings.codec,
    weights: m.weights,
  }).length;
  logEvent(c, {
    event: 'cluster_model_published',
    cluster: m.cluster,
    round: m.round,
    term: m.term,
    bytes,
  });
}
