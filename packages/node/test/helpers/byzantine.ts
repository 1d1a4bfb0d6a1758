// A hostile member for the red-team tests: an attacker (helpers/attacker.ts) that publishes a
// plausible fingerprint and heartbeats, so the honest peers admit it to their cluster, then takes
// part in its head's rounds: it fetches the round's base model, computes an honest update with the
// peer's own learning engine, and pushes it transformed (scaled, sign-flipped, huge, NaN).
import { featureCount, identityScaler, scale, withScaler, type Dataset, type WeightSet } from '@ppfm/meta';
import {
  clusterTopic,
  decodeDirect,
  decodeGossip,
  encodeFetchRequest,
  encodeGossip,
  encodeUpdateEnvelope,
  PROTOCOL_MODEL_FETCH,
  PROTOCOL_UPDATE_PUSH,
  specHash,
  TOPIC_FINGERPRINTS,
  type RoundOpenMsg,
} from '@ppfm/protocol';
import { DEFAULT_PPFM_CONFIG } from '@ppfm/meta';
import { LearnerCore } from '../../src/learner/core.js';
import { startAttacker, type Attacker, type AttackerOptions } from './attacker.js';
import { poison, SENTINEL } from './evil.js';
import { SMALL_MODEL } from './peers.js';

/** What the hostile member does to its honest update. */
export type Tamper =
  | { kind: 'honest' }
  | { kind: 'scale'; factor: number }
  | { kind: 'huge' } // every value 1e30 (finite)
  | { kind: 'nan' } // NaN in the frame (the encoder refuses it: patched in after encoding)
  | { kind: 'silent' }; // a Sybil: heartbeats, never pushes

/** A running hostile member. */
export interface ByzantineMember {
  attacker: Attacker;
  id: string;
  /** Updates pushed so far, and the heads' replies (ack or error kind/code). */
  pushes: { round: number; reply: string }[];
  /** The newest lease or round open it heard: its cluster, head and the highest term. */
  observed: { cluster?: string; head?: string; term: number };
  stop(): Promise<void>;
}

/** Options of a hostile member. */
export interface ByzantineOptions extends AttackerOptions {
  /** Its data (the fingerprint it publishes and the update it computes come from it). */
  data: Dataset;
  tamper: Tamper;
  /** Training config (default: the test peers'). */
  config?: Partial<typeof DEFAULT_PPFM_CONFIG>;
  heartbeatMs?: number;
}

/** Starts a hostile member that bootstraps into the network and joins its cluster's rounds. */
export async function startByzantine(bootstrap: string[], o: ByzantineOptions): Promise<ByzantineMember> {
  const attacker = await startAttacker(bootstrap, o);
  const self = attacker.id;
  const core = await LearnerCore.create({
    data: o.data,
    backend: 'wasm',
    cfg: { ...DEFAULT_PPFM_CONFIG, adaptSteps: 20, ...o.config },
    seed: 99,
    model: SMALL_MODEL,
  });
  // The peers' spec: the input scaler's tensors, then the network's.
  const spec = specHash(withScaler(core.info.netInit, identityScaler(featureCount(core.info.task))));
  const pushes: ByzantineMember['pushes'] = [];
  const observed: ByzantineMember['observed'] = { term: 0 };
  const fp = (): Uint8Array =>
    encodeGossip({
      kind: 'fingerprint',
      ...core.info.fingerprint,
      peerId: self,
      seq: 1,
      capacity: 1,
      sentAt: Date.now(),
    });
  const ps = attacker.host.libp2p.services.pubsub;
  const joined = new Set<string>();
  let hb = 0;
  let busy = false;
  const onMessage = (evt: CustomEvent<{ topic: string; data: Uint8Array }>): void => {
    const r = decodeGossip(new Uint8Array(evt.detail.data));
    if (!r.ok) return;
    const m = r.value;
    // Follow every cluster the honest peers announce (ours is among them once we are in their view).
    if (m.kind === 'heartbeat' && m.cluster !== undefined && !joined.has(m.cluster)) {
      joined.add(m.cluster);
      ps.subscribe(clusterTopic(m.cluster));
    }
    if ((m.kind === 'head_lease' || m.kind === 'round_open') && m.term >= observed.term) {
      observed.cluster = m.cluster;
      observed.head = m.head;
      observed.term = m.term;
    }
    if (m.kind === 'round_open' && m.members.includes(self) && !busy && o.tamper.kind !== 'silent') {
      busy = true;
      void contribute(m).finally(() => (busy = false));
    }
  };
  const contribute = async (ro: RoundOpenMsg): Promise<void> => {
    const fetched = await attacker.ask(
      ro.head,
      PROTOCOL_MODEL_FETCH,
      encodeFetchRequest({
        scope: { kind: 'cluster', cluster: ro.cluster },
        minRound: ro.round - 1,
        codec: 'float32',
      }),
    );
    if (!(fetched instanceof Uint8Array)) return;
    const d = decodeDirect(fetched);
    if (!d.ok || d.value.kind !== 'model') return;
    const r = await core.trainFrom(d.value.weights, ro.round);
    if (r.kind !== 'update') return;
    const body = encodeTampered(ro, spec, r.delta, r.samples, o.tamper);
    const reply = await attacker.ask(ro.head, PROTOCOL_UPDATE_PUSH, body, 64 * 1024, 5000);
    const kind = reply instanceof Uint8Array ? describeReply(reply) : `error: ${reply.message}`;
    pushes.push({ round: ro.round, reply: kind });
  };
  ps.addEventListener('message', onMessage as never);
  ps.subscribe(TOPIC_FINGERPRINTS);
  const beat = (): void => {
    void attacker.publish(TOPIC_FINGERPRINTS, fp());
    void attacker.publish(
      TOPIC_FINGERPRINTS,
      encodeGossip({
        kind: 'heartbeat',
        peerId: self,
        seq: ++hb,
        role: 'member',
        round: 0,
        fingerprintSeq: 1,
        viewSize: 1,
        viewDigest: '0000000000000000',
        sentAt: Date.now(),
      }),
    );
  };
  const timer = setInterval(beat, o.heartbeatMs ?? 250);
  beat();
  return {
    attacker,
    id: self,
    pushes,
    observed,
    stop: async () => {
      clearInterval(timer);
      ps.removeEventListener('message', onMessage as never);
      await attacker.stop();
    },
  };
}

function describeReply(bytes: Uint8Array): string {
  const r = decodeDirect(bytes);
  if (!r.ok) return `undecodable: ${r.error.code}`;
  return r.value.kind === 'error' ? `error: ${r.value.code}: ${r.value.message}` : r.value.kind;
}

/** The update envelope of `delta` after `t`. */
export function encodeTampered(
  ro: { cluster: string; round: number; term: number },
  spec: string,
  delta: WeightSet,
  samples: number,
  t: Tamper,
): Uint8Array {
  const env = (weights: WeightSet): Uint8Array =>
    encodeUpdateEnvelope({
      cluster: ro.cluster,
      baseRound: ro.round,
      term: ro.term,
      sampleCount: samples,
      specHash: spec,
      codec: 'float32',
      weights,
    });
  switch (t.kind) {
    case 'honest':
      return env(delta);
    case 'scale':
      return env(scale(delta, t.factor));
    case 'huge':
      return env(delta.map((x) => ({ ...x, values: new Float32Array(x.values.length).fill(1e30) })));
    case 'silent':
      throw new Error('a silent member pushes nothing');
    case 'nan': {
      const w = delta.map((x) => ({ ...x, values: new Float32Array(x.values) }));
      (w[0] as { values: Float32Array }).values[0] = SENTINEL;
      return poison(env(w));
    }
  }
}
