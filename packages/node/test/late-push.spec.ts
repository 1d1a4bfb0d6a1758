// A member's update that arrives after the head closed its round (issue 13, measured waste): the
// head refuses it from the frame header, the member's write stops at the refusal and the member
// gets the typed refusal (not a reset). Two real peers; the update (~1.1 MB) is larger than a
// yamux stream window, so a member that wrote on regardless could not have finished.
import assert from 'node:assert/strict';
import { peerIdFromString } from '@libp2p/peer-id';
import { identityScaler, initWeights, withScaler, type ModelSpec } from '@ppfm/meta';
import { decodeDirect, encodeUpdateEnvelope, PROTOCOL_UPDATE_PUSH, specHash } from '@ppfm/protocol';
import { request } from '../src/streams.js';
import { trafficOf } from '../src/traffic.js';
import { CLASSES, converged, FEATURES, launchNet, stopAll, type TestPeer } from './helpers/peers.js';
import { until } from './helpers/wait.js';

/** 16,384 hidden units: ~279k parameters, a float32 update of ~1.1 MB. */
const MODEL: ModelSpec = { layers: [{ type: 'dense', units: 16384, activation: 'relu' }] };

describe('a late push is refused from its header and the member stops writing', function () {
  this.timeout(240_000);
  let peers: TestPeer[] = [];
  after(async () => stopAll(peers));

  it('the head reads a fraction of the update, the member sends less than it, and gets stale_round or not_head', async () => {
    peers = await launchNet([0, 0], { model: MODEL });
    await until(peers, () => converged(peers, 1), 'one cluster with a head', 90_000);
    const head = peers.find((p) => p.peer.status().role === 'head') as TestPeer;
    const member = peers.find((p) => p !== head) as TestPeer;
    const cluster = head.peer.status().cluster as string;
    // As a peer's models are: the input scaler's tensors, then the network's.
    const weights = withScaler(initWeights(MODEL, [FEATURES], CLASSES, 5), identityScaler(FEATURES));
    const headTraffic = trafficOf(head.peer.libp2p);
    const memberTraffic = trafficOf(member.peer.libp2p);
    assert.ok(headTraffic && memberTraffic, 'both peers count their traffic');
    // The member's own pushes go on meanwhile: measure right after a round closed (its next push
    // needs a fetch and a training first) and retry if one of them still landed in the window.
    for (let attempt = 1; ; attempt++) {
      const closed = head.log.of('round_closed').length;
      await until(
        peers,
        () => head.log.of('round_closed').length > closed,
        'the head to close a round',
        90_000,
      );
      const last = head.log.of('round_closed').at(-1) as { round: number };
      const term = head.peer.status().term;
      const late = encodeUpdateEnvelope({
        cluster,
        baseRound: last.round,
        term,
        sampleCount: 100,
        specHash: specHash(weights),
        codec: 'float32',
        weights,
      });
      const received0 = head.log.of('update_received').length;
      const h0 = headTraffic.totals.receivedBytes;
      const m0 = memberTraffic.totals.directSentBytes;
      const reply = await request(
        member.peer.libp2p,
        peerIdFromString(head.peer.peerId),
        PROTOCOL_UPDATE_PUSH,
        late,
        { maxBytes: 64 * 1024, timeoutMs: 20_000 },
      );
      const headRead = headTraffic.totals.receivedBytes - h0;
      const memberSent = memberTraffic.totals.directSentBytes - m0;
      const honestPushMeanwhile = head.log
        .of('update_received')
        .slice(received0)
        .some((e) => e.from === member.peer.peerId);
      if (honestPushMeanwhile && attempt < 3) continue;
      const r = decodeDirect(reply);
      assert.ok(r.ok && r.value.kind === 'error', 'an error reply');
      const err = r.value as { code: string; message: string };
      console.log(
        `      late push of round ${last.round} (${late.byteLength} B): ${err.code} (${err.message}); ` +
          `head read ${headRead} B, member sent ${memberSent} B`,
      );
      assert.ok(['stale_round', 'not_head'].includes(err.code), err.code);
      assert.ok(headRead > 0, 'the head counts the bytes it read of a refused push');
      assert.ok(headRead < late.byteLength / 4, `the head read ${headRead} of ${late.byteLength} B`);
      assert.ok(memberSent < late.byteLength, `the member sent ${memberSent} of ${late.byteLength} B`);
      break;
    }
  });
});
