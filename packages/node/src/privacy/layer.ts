// Builds the privacy parts of a peer from its resolved settings (called once by peer.ts): the DP
// guard of its updates, the secure-aggregation services of both sides, and the fingerprint it
// publishes. Without any privacy setting every part is absent and the peer runs as before.
import type { PrivateKey } from '@libp2p/interface';
import type { Fingerprint } from '@ppfm/meta';
import { DEFAULT_SECAGG_LIMITS } from '@ppfm/protocol';
import { notice, type PeerComponents } from '../components.js';
import { SecureHead } from '../services/secagg-head.js';
import { SecureMember } from '../services/secagg-member.js';
import { UpdatePrivacy } from '../services/update-privacy.js';
import { noisedFingerprint } from './fingerprint-file.js';
import { libp2pIdentity } from './identity.js';
import { secureStageMs, type PrivacySettings } from './settings.js';
import { vectorLength } from './vector.js';

/** What the rest of the peer gets from the privacy layer. */
export interface PrivacyLayer {
  /** Extra dependencies of the head and member round drivers (empty without privacy settings). */
  headDeps: { privacy?: UpdatePrivacy; secure?: { head: SecureHead; member: SecureMember } };
  memberDeps: { privacy?: UpdatePrivacy; secure?: SecureMember };
  /** The head's secure rounds, for /ppfm/1/secagg (undefined: secure aggregation is off here). */
  secureHead: SecureHead | undefined;
  /** Byte cap of a secagg request (a masked input of this model) and how long a request may be held. */
  secAggRequestBytes: number;
  secAggHoldMs: number;
  /** Epsilon spent so far (undefined without DP). */
  epsilon(): number | undefined;
  /** The fingerprint to publish: noised once per dataset with --fingerprint-noise, else `fp` itself. */
  fingerprint(fp: Fingerprint): Promise<Fingerprint>;
}

export type PrivacyLayerComponents = Pick<
  PeerComponents,
  'self' | 'clock' | 'bus' | 'timing' | 'store' | 'libp2p'
>;

/** Builds the privacy layer (loads the accountant: throws a one-line error naming a damaged file). */
export async function privacyLayer(
  c: PrivacyLayerComponents,
  p: PrivacySettings,
  o: { dataDir: string; privateKey: PrivateKey },
): Promise<PrivacyLayer> {
  const dp = p.dp ? await UpdatePrivacy.open(c, p.dp, p.secureAgg, o.dataDir) : undefined;
  let secure: { head: SecureHead; member: SecureMember } | undefined;
  if (p.secureAgg) {
    const identity = libp2pIdentity(o.privateKey);
    secure = {
      head: new SecureHead(c, { dp: p.dp, verify: identity.verify }),
      member: new SecureMember(c, { dp: p.dp, identity }),
    };
  }
  announce(c, p, dp);
  const stage = secureStageMs(c.timing.roundDeadlineMs);
  return {
    headDeps: { ...(dp ? { privacy: dp } : {}), ...(secure ? { secure } : {}) },
    memberDeps: { ...(dp ? { privacy: dp } : {}), ...(secure ? { secure: secure.member } : {}) },
    secureHead: secure?.head,
    secAggRequestBytes:
      4 * (vectorLength(c.store.template) + 1) + 4 * DEFAULT_SECAGG_LIMITS.maxStringLength + 64,
    secAggHoldMs: c.timing.roundDeadlineMs + 4 * stage,
    epsilon: () => dp?.epsilon(),
    fingerprint: async (fp) => {
      if (p.fingerprintNoise === 0) return fp;
      const n = await noisedFingerprint(o.dataDir, fp, p.fingerprintNoise);
      notice(
        c,
        'info',
        `fingerprint noised at ${p.fingerprintNoise} standard errors (effective samples ${n.fingerprint.sampleCount}` +
          ` of ${fp.sampleCount}${n.reused ? '; same noised copy as before' : ''})`,
        'fingerprint_noise',
      );
      return n.fingerprint;
    },
  };
}

/** One line at start saying what is protected and how. */
function announce(c: Pick<PeerComponents, 'bus'>, p: PrivacySettings, dp: UpdatePrivacy | undefined): void {
  const parts: string[] = [];
  if (p.secureAgg) parts.push('secure aggregation (the head sees only the sum of the updates)');
  if (p.dp) {
    const target = p.dp.target ? ` for epsilon ${p.dp.target.epsilon} over ${p.dp.target.rounds} rounds` : '';
    const spent = dp?.epsilon();
    parts.push(
      `DP clip ${p.dp.clip} sigma ${p.dp.sigma.toPrecision(4)}${target} at delta ${p.dp.delta}` +
        (Number.isFinite(p.dp.maxEpsilon) ? `, budget ${p.dp.maxEpsilon}` : '') +
        (spent !== undefined && dp !== undefined && dp.releases > 0
          ? ` (already spent ${spent.toFixed(3)} over ${dp.releases} rounds)`
          : ''),
    );
  }
  if (parts.length > 0) notice(c, 'info', `privacy: ${parts.join('; ')}`, 'privacy');
}
