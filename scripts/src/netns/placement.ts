/**
 * Where the 6 peers of the partition-and-heal run live: host 0 (the one that is cut off) holds two
 * peers of group 0, host 1 the third peer of group 0 and one of group 1, host 2 the rest of group 1.
 * The election favours the smallest peer id, so the ids decide which side keeps group 0's head:
 * - 'far': the head is the lone group-0 peer on host 1; the cut-off pair elects a head of its own
 *   at a higher term and goes on training, and after the heal that newer head and model win;
 * - 'cut': the head is on host 0 with the pair; the lone far peer loses its head and claims a
 *   higher term alone (the case issue 16's report describes: its older model wins the heal).
 */

/** Which side of the cut group 0's expected head is placed on. */
export type HeadSide = 'far' | 'cut';

/** The host of each peer (by index), given the peer ids and the true group of each peer (0 or 1). */
export function placeByHead(ids: readonly string[], truth: readonly number[], side: HeadSide): number[] {
  const byId = (g: number): number[] =>
    ids
      .map((id, i) => ({ id, i }))
      .filter((x) => truth[x.i] === g)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((x) => x.i);
  const g0 = byId(0);
  const g1 = byId(1);
  if (g0.length !== 3 || g1.length !== 3 || ids.length !== 6)
    throw new RangeError(`placement needs 6 peers in two groups of 3 (got ${g0.length} + ${g1.length})`);
  const host = new Array<number>(ids.length).fill(0);
  const [best, second, third] = g0 as [number, number, number];
  // The lone group-0 peer on host 1 is the expected head ('far') or the last in line ('cut').
  const lone = side === 'far' ? best : third;
  for (const i of [best, second, third]) host[i] = i === lone ? 1 : 0;
  const [h1, ...rest] = g1 as [number, number, number];
  host[h1] = 1;
  for (const i of rest) host[i] = 2;
  return host;
}
