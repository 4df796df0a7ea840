import { describe, expect, it } from "vitest";
import { pooledGroups } from "./pooling";

/** Groups 1, 2, 3… with these ballots. */
const poll = (...ballots: number[]) => new Map(ballots.map((count, i) => [i + 1, count]));
const pooled = (ballots: Map<number, number>, k: number) => [...pooledGroups(ballots, k)].sort((a, b) => a - b);

describe("the groups whose ballots are counted without their group", () => {
  it("adds the smallest other group to a small group alone, so that the pool is never one group's ballots", () => {
    // Group 2's 2 ballots alone would be a pool of one group; group 3 (6) is the smallest other, not group 1 (30).
    expect(pooled(poll(30, 2, 6, 40), 5)).toEqual([2, 3]);
  });

  it("adds another group to two small groups under k together", () => {
    expect(pooled(poll(30, 2, 6, 1), 5)).toEqual([2, 3, 4]);
  });

  it("pools two small groups at k or more together, and no other", () => {
    expect(pooled(poll(30, 2, 6, 3), 5)).toEqual([2, 4]);
    expect(pooled(poll(30, 4, 4), 5)).toEqual([2, 3]);
  });

  it("pools nothing when no group is under k", () => {
    expect(pooled(poll(30, 5, 6), 5)).toEqual([]);
  });

  it("pools every group when all of them are small", () => {
    expect(pooled(poll(1, 2, 1), 5)).toEqual([1, 2, 3]);
    expect(pooled(poll(3, 4), 5)).toEqual([1, 2]);
  });

  it("pools every group when even all of them hold fewer than k ballots", () => {
    expect(pooled(poll(1, 2), 5)).toEqual([1, 2]);
  });

  it("keeps no ballot's group when exactly one group voted, small or not", () => {
    expect(pooled(poll(0, 30, 0), 5)).toEqual([2]);
    expect(pooled(poll(0, 2), 5)).toEqual([2]);
    expect(pooled(poll(), 5)).toEqual([]);
    expect(pooled(poll(0, 0), 5)).toEqual([]);
  });

  it("never pools a group that cast no ballot: it would make one group's ballots look like two groups'", () => {
    // Group 1 (0 ballots) is smaller than group 3 (6), but adding it would leave the pool group 2's alone.
    expect(pooled(poll(0, 2, 6, 40), 5)).toEqual([2, 3]);
  });

  it("breaks ties by ballots, then by the lower group id, whatever order the groups come in", () => {
    const ballots = new Map([
      [9, 6],
      [4, 6],
      [7, 2],
      [2, 30],
    ]);
    expect(pooled(ballots, 5)).toEqual([4, 7]);
    expect(pooled(new Map([...ballots].reverse()), 5)).toEqual([4, 7]);
  });

  it("meets the rule for every poll of up to 4 groups of 0 to 7 ballots, k = 3 and k = 5", () => {
    for (const k of [3, 5]) {
      for (let code = 0; code < 8 ** 4; code++) {
        const counts = [0, 1, 2, 3].map((d) => Math.floor(code / 8 ** d) % 8);
        const ballots = poll(...counts);
        const pool = pooledGroups(ballots, k);
        const voted = [...ballots].filter(([, n]) => n > 0);
        const inPool = voted.filter(([g]) => pool.has(g));
        const named = voted.filter(([g]) => !pool.has(g));
        const poolBallots = inPool.reduce((sum, [, n]) => sum + n, 0);
        const what = `k = ${k}, ballots ${counts.join(", ")}`;

        // Only groups that voted; every group that keeps its name has k ballots or more.
        expect(inPool.length, what).toBe(pool.size);
        for (const [, n] of named) expect(n, what).toBeGreaterThanOrEqual(k);
        // Fewer than two groups voted: no ballot keeps its group.
        if (voted.length < 2) {
          expect(named, what).toEqual([]);
          continue;
        }
        // A pool is k ballots or more from two groups or more, or everything.
        if (pool.size > 0) {
          expect(pool.size, what).toBeGreaterThanOrEqual(2);
          if (named.length > 0) expect(poolBallots, what).toBeGreaterThanOrEqual(k);
        }
        // Nobody joins for nothing: a group of k or more is pooled only while the pool needs it, and only the
        // smallest such groups join.
        const joined = inPool.filter(([, n]) => n >= k);
        if (joined.length > 0) {
          const last = joined.reduce((a, b) => (b[1] > a[1] || (b[1] === a[1] && b[0] > a[0]) ? b : a));
          const without = inPool.filter((g) => g !== last);
          const enough = without.length >= 2 && without.reduce((sum, [, n]) => sum + n, 0) >= k;
          expect(enough, what).toBe(false);
          for (const [g, n] of named) expect(n > last[1] || (n === last[1] && g > last[0]), what).toBe(true);
        }
        if (voted.every(([, n]) => n >= k)) expect(pool.size, what).toBe(0);
      }
    }
  });
});
