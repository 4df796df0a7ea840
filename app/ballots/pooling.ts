// Which residential groups' ballots are counted without their group (DESIGN.md, anonymity model, item 3). A
// counted ballot is written with its group so that the results can break each subject down by group; the ballots
// of a group under k must not be, or a copy of the database would show how each of its few members voted. They
// cannot simply go to a "no group" pool either: with one small group, the pool would be exactly its ballots. So:
//
//   A group with fewer than k ballots is pooled. The pool must hold at least k ballots from at least two groups;
//   until it does, the smallest other group that voted joins it (fewest ballots first, then the lower group id).
//   If every group joins and it still does not, or if fewer than two groups voted, no ballot keeps its group.
//
// Every group left out of the pool has k ballots or more (the pool takes every group under k), and the pool's own
// figures (the total less the named groups') are those of k ballots or more from two groups or more. A group that
// cast no ballot is never pooled: there is nothing of it to hide, and it would make a pool of one group look like
// a pool of two.

/** The groups whose counted ballots carry no group, given each group's ballots. Deterministic: no tie is left open. */
export function pooledGroups(ballotsPerGroup: ReadonlyMap<number, number>, k: number): Set<number> {
  const voted = [...ballotsPerGroup]
    .filter(([, ballots]) => ballots > 0)
    .sort(([groupA, a], [groupB, b]) => a - b || groupA - groupB);
  if (voted.length < 2) return new Set(voted.map(([group]) => group));

  const pool = new Set<number>();
  let ballots = 0;
  for (const [group, count] of voted) {
    if (count < k) {
      pool.add(group);
      ballots += count;
    }
  }
  // Smallest first; the groups under k are already in, being the smallest.
  for (const [group, count] of voted) {
    if (pool.size === 0 || (pool.size >= 2 && ballots >= k)) break;
    if (pool.has(group)) continue;
    pool.add(group);
    ballots += count;
  }
  return pool;
}
