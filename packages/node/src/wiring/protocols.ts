// The peer's direct protocols (model fetch, update push, secure aggregation, peer exchange, view
// sync), each capped for this model's spec, and the logging of connections.
import { featureCount, type WeightSet } from '@ppfm/meta/light';
import {
  encodeError,
  PROTOCOL_MODEL_FETCH,
  PROTOCOL_PEERS,
  PROTOCOL_SECAGG,
  PROTOCOL_UPDATE_PUSH,
  PROTOCOL_VIEW_SYNC,
  PROTOCOL_ZDA_SET,
  MAX_SYNTHETIC_SAMPLES,
  syntheticSetBytes,
} from '@ppfm/protocol';
import { logEvent, type PeerComponents } from '../components.js';
import { handleFetch } from '../handlers/fetch.js';
import { directCaps } from '../handlers/model-limits.js';
import { servePeerExchange } from '../handlers/peers.js';
import { admitPush, handlePush, isHostileRefusal, pushRefusalReply } from '../handlers/push.js';
import { handleSecAgg } from '../handlers/secagg.js';
import { handleViewSync } from '../handlers/view-sync.js';
import { handleSyntheticSet, type SyntheticSetDeps } from '../handlers/zda-set.js';
import { MAX_SHARED_PER_CLASS } from '../services/augmentation.js';
import { encodeSecAggReply } from '../net/secagg-wire.js';
import type { PrivacyLayer } from '../privacy/layer.js';
import { serve } from '../streams.js';
import type { Services } from './services.js';

/** Logs an invalid peer-exchange reply or request as a rejected message. */
export function pexRejected(
  c: Pick<PeerComponents, 'bus'>,
): (from: string, reason: string, detail: string) => void {
  return (from, reason, detail) =>
    logEvent(c, { event: 'message_rejected', protocol: PROTOCOL_PEERS, from, reason, detail });
}

/** Serves the direct protocols and logs connections (the membership hears of each new one). */
export async function serveProtocols(
  c: PeerComponents,
  s: Pick<Services, 'run' | 'head' | 'membership' | 'slot'>,
  o: { template: WeightSet; layer: PrivacyLayer },
): Promise<void> {
  const { timing, settings, libp2p } = c;
  const { run, head, membership } = s;
  const { layer } = o;
  const streamFailure =
    (protocol: string) => (from: string, f: { reason: string; code?: string; detail: string }) =>
      logEvent(c, {
        event: 'message_rejected',
        protocol,
        from,
        reason: f.code ?? f.reason,
        detail: f.detail,
      });
  const encodeErr = (code: string, message: string): Uint8Array =>
    encodeError({ code: 'rejected', message: `${code}: ${message}`.slice(0, 500) });
  // Direct streams are capped at what their protocol can carry for our model's spec; a push is
  // judged by its header before its weights are read (handlers/push.ts).
  const caps = directCaps(o.template);
  await serve(
    libp2p,
    PROTOCOL_MODEL_FETCH,
    async (b, from) =>
      handleFetch(
        c,
        b,
        from,
        (f, r) => run.onServed(f, r),
        () => s.slot.session?.cluster,
      ),
    {
      limits: { maxBytes: caps.fetch.request, timeoutMs: timing.fetchTimeoutMs },
      encodeError: encodeErr,
      onFailure: streamFailure(PROTOCOL_MODEL_FETCH),
      maxInboundStreams: 8,
      maxPerPeer: 4,
    },
  );
  await serve(libp2p, PROTOCOL_UPDATE_PUSH, async (b, from) => handlePush(c, head, b, from), {
    limits: {
      maxBytes: Math.min(caps.push.request, settings.streamMaxBytes),
      timeoutMs: timing.pushTimeoutMs,
    },
    encodeError: pushRefusalReply,
    onFailure: streamFailure(PROTOCOL_UPDATE_PUSH),
    maxInboundStreams: 2,
    maxPerPeer: 1,
    admit: (prefix, n, from) => admitPush(c, head, prefix, n, from),
    logRefusal: isHostileRefusal,
  });
  // Secure aggregation: a request is held until its stage closes, at most a round and its stages.
  await serve(libp2p, PROTOCOL_SECAGG, async (b, from) => handleSecAgg(c, layer.secureHead, b, from), {
    limits: { maxBytes: layer.secAggRequestBytes, timeoutMs: layer.secAggHoldMs },
    encodeError: (code, message) =>
      encodeSecAggReply({ kind: 'error', code: 'rejected', message: `${code}: ${message}` }),
    onFailure: streamFailure(PROTOCOL_SECAGG),
    maxInboundStreams: 4,
  });
  await servePeerExchange(libp2p, pexRejected(c));
  await serve(
    libp2p,
    PROTOCOL_VIEW_SYNC,
    async (b, from) => {
      const r = handleViewSync(membership.syncSource(), b);
      if (!r.ok) streamFailure(PROTOCOL_VIEW_SYNC)(from, { reason: r.code, detail: r.detail });
      else if (r.askerKnowsMore) membership.antiEntropy.onAskerKnowsMore(from);
      return r.reply;
    },
    {
      limits: { maxBytes: 128 * 1024, timeoutMs: timing.fetchTimeoutMs },
      encodeError: encodeErr,
      onFailure: streamFailure(PROTOCOL_VIEW_SYNC),
      maxInboundStreams: 4,
    },
  );

  // FedZDA head (--augment head): members take their head's synthetic set (handlers/zda-set.ts).
  if (settings.augment === 'head') {
    const task = c.learner.info.task;
    const deps: SyntheticSetDeps = {
      cluster: () => {
        const ses = s.slot.session;
        if (ses === undefined || ses.closed) return undefined;
        const e = ses.election;
        return { id: ses.cluster, head: e.head, term: e.term, headRound: ses.headRound };
      },
      inputSize: featureCount(task),
      numClasses: task.numClasses,
      maxCount: Math.min(MAX_SYNTHETIC_SAMPLES, MAX_SHARED_PER_CLASS * task.numClasses),
      take: (set) => c.learner.share(set),
    };
    await serve(libp2p, PROTOCOL_ZDA_SET, async (b, from) => handleSyntheticSet(c, deps, b, from), {
      limits: {
        maxBytes: syntheticSetBytes(deps.maxCount, deps.inputSize),
        timeoutMs: timing.fetchTimeoutMs,
      },
      encodeError: encodeErr,
      onFailure: streamFailure(PROTOCOL_ZDA_SET),
      maxInboundStreams: 2,
      maxPerPeer: 1,
    });
  }

  libp2p.addEventListener('peer:connect', (e) => {
    logEvent(c, { event: 'peer_connected', remote: e.detail.toString() });
    membership.onConnect(e.detail.toString());
  });
  libp2p.addEventListener('peer:disconnect', (e) =>
    logEvent(c, { event: 'peer_disconnected', remote: e.detail.toString() }),
  );
}
