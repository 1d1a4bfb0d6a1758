// Differential privacy of this peer's updates (--dp-clip, --dp-noise | --dp-epsilon): before an
// update leaves the peer it is clipped to L2 norm C and noised (with secure aggregation, by this
// member's share of the noise), and the release is recorded in the accountant, on disk, first. A
// peer whose next release would pass --dp-max-epsilon stops contributing and says so once.
import {
  clipAndNoise,
  secureNormals,
  type NormalSource,
  type PrivacyAccountant,
  type WeightSet,
} from '@ppfm/meta/light';
import { logEvent, notice, type PeerComponents } from '../components.js';
import { accountantPath, loadAccountant, saveAccountant } from '../privacy/accountant-file.js';
import { noiseFactor, type DpSettings } from '../privacy/settings.js';

export type UpdatePrivacyComponents = Pick<PeerComponents, 'self' | 'bus'>;

/** The round an update belongs to. */
export interface ReleaseRound {
  cluster: string;
  round: number;
  /** The round's members (its RoundOpen list): with secure aggregation they share the noise. */
  members: readonly string[];
  /** The term of the head that opened it (a round re-opened under another term is another release). */
  term?: number;
}

/** Same key, same round attempt: a re-opened round (same cluster, round, term and members). */
const releaseKey = (r: ReleaseRound): string =>
  JSON.stringify([r.cluster, r.round, r.term ?? null, [...r.members].sort()]);

/** An update ready to leave the peer, and the weight it goes with. */
export interface PreparedUpdate {
  delta: WeightSet;
  samples: number;
}

/** Clips, noises and accounts for this peer's updates. */
export class UpdatePrivacy {
  private announced = false;
  /** Saves in call order: two releases at once (a head re-opening a round) are logged in order. */
  private saved: Promise<void> = Promise.resolve();
  /**
   * The last release: when the head re-opens that round (a failed secure round) the same noised
   * update is sent again. Re-sending a release is post-processing, so it costs no budget; a fresh
   * noise draw per attempt spent the budget of the whole run within two rounds on a loaded machine.
   */
  private last: { key: string; out: Promise<PreparedUpdate> } | undefined;

  private constructor(
    private readonly c: UpdatePrivacyComponents,
    private readonly dp: DpSettings,
    private readonly secureAgg: boolean,
    private readonly accountant: PrivacyAccountant,
    private readonly path: string,
    private readonly rng: NormalSource,
  ) {}

  /** Loads this peer's accountant from `dataDir` (throws a one-line error naming a damaged file). */
  static async open(
    c: UpdatePrivacyComponents,
    dp: DpSettings,
    secureAgg: boolean,
    dataDir: string,
    rng: NormalSource = secureNormals(),
  ): Promise<UpdatePrivacy> {
    const path = accountantPath(dataDir);
    const acc = await loadAccountant(path, c.self, { delta: dp.delta, maxEpsilon: dp.maxEpsilon });
    return new UpdatePrivacy(c, dp, secureAgg, acc, path, rng);
  }

  /** Epsilon spent so far at the configured delta (undefined with --dp-noise 0: clipping only, no bound). */
  epsilon(): number | undefined {
    if (this.dp.sigma === 0) return undefined;
    const e = this.accountant.epsilon();
    return Number.isFinite(e) ? e : undefined;
  }

  /** Whether the budget allows no further release (asked without announcing it). */
  get spent(): boolean {
    return !this.accountant.canContribute(this.dp.sigma);
  }

  /** Rounds this peer has contributed to (as recorded). */
  get releases(): number {
    return this.accountant.rounds;
  }

  /**
   * Whether this peer may contribute one more update (or `r` again: a re-opened round costs no
   * new release); the first refusal is announced.
   */
  admit(round: number, r?: ReleaseRound): boolean {
    if (r !== undefined && this.last?.key === releaseKey(r)) return true;
    if (this.accountant.canContribute(this.dp.sigma)) return true;
    if (!this.announced) {
      this.announced = true;
      const spent = this.accountant.epsilon();
      notice(
        this.c,
        'warn',
        `privacy budget reached at round ${round}: epsilon ${spent.toFixed(3)} of --dp-max-epsilon ` +
          `${this.dp.maxEpsilon} (delta ${this.dp.delta}); this peer no longer sends updates ` +
          '(it still follows and evaluates the cluster model)',
        'dp_budget_exhausted',
      );
    }
    return false;
  }

  /**
   * The update as it may leave the peer: clipped to C, noised with std sigma C (times 1/sqrt(t)
   * under secure aggregation), equal weight 1 (the sensitivity of a sample-weighted sum would be
   * larger); the release is on disk before this resolves.
   */
  async prepare(r: ReleaseRound, delta: WeightSet): Promise<PreparedUpdate> {
    const key = releaseKey(r);
    if (this.last?.key === key) {
      notice(
        this.c,
        'info',
        `round ${r.round} re-opened: the same noised update is sent again (no new release)`,
        'dp_reused',
      );
      return this.last.out;
    }
    const out = this.release(r, delta);
    this.last = { key, out };
    out.catch(() => (this.last = undefined));
    return out;
  }

  private async release(r: ReleaseRound, delta: WeightSet): Promise<PreparedUpdate> {
    const factor = noiseFactor(this.secureAgg && r.members.length >= 2, r.members.length);
    const out = clipAndNoise(delta, { clip: this.dp.clip, sigma: this.dp.sigma * factor, rng: this.rng });
    this.accountant.record(this.dp.sigma);
    // Read before awaiting: another release may be recorded while this one is being saved.
    const epsilon = this.epsilon();
    const saved = this.saved.then(() => saveAccountant(this.path, this.c.self, this.accountant));
    this.saved = saved.catch(() => undefined);
    await saved;
    logEvent(this.c, {
      event: 'dp_release',
      cluster: r.cluster,
      round: r.round,
      sigma: this.dp.sigma,
      noiseMultiplier: this.dp.sigma * factor,
      norm: out.norm,
      clip: this.dp.clip,
      delta: this.dp.delta,
      ...(epsilon !== undefined ? { epsilon } : {}),
    });
    return { delta: out.delta, samples: 1 };
  }
}
