// Which members a head's round waits for: silent members stop holding rounds to their deadline.

/** A member that sent nothing for this many rounds is not waited for (it may still contribute). */
export const ACTIVITY_ROUNDS = 2;

/**
 * Who contributes: rounds stop waiting for members that were offered the last ACTIVITY_ROUNDS
 * rounds and sent nothing (silent Sybils, stragglers that never make the deadline), so that they
 * cannot hold every round to its deadline. Newcomers are waited for until they had their chance.
 */
export class MemberActivity {
  /** Per member: the first round it was offered, and the last round it contributed to. */
  private readonly offered = new Map<string, number>();
  private readonly contributed = new Map<string, number>();

  /** Records a closed round: who was offered it and who contributed. */
  record(members: Iterable<string>, from: Iterable<string>, round: number): void {
    for (const m of members) if (!this.offered.has(m)) this.offered.set(m, round);
    for (const f of from) this.contributed.set(f, round);
  }

  /** The members round `round` should wait for. */
  expected(members: ReadonlySet<string>, round: number): Set<string> {
    const out = new Set<string>();
    for (const m of members) {
      const first = this.offered.get(m);
      const last = this.contributed.get(m);
      const newcomer = first === undefined || round - first <= ACTIVITY_ROUNDS;
      if (newcomer || (last !== undefined && round - last <= ACTIVITY_ROUNDS)) out.add(m);
    }
    return out;
  }
}
