// The null hypothesis of the linkage test: a heuristic that links nothing is right on each guess with probability
// 1 / (ballots it could equally be). Exact upper tails, computed in plain arithmetic.

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7): about 15 significant digits. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X ≥ x) for X ~ Binomial(n, p), summed term by term in log space. */
export function binomialUpperTail(n: number, x: number, p: number): number {
  if (x <= 0) return 1;
  if (x > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lnChoose = (k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  let total = 0;
  for (let k = x; k <= n; k++) total += Math.exp(lnChoose(k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
  return Math.min(1, total);
}

/**
 * P(X ≥ x) when X is the number of successes among independent guesses with their own chances `ps` (ballots of
 * groups of different sizes): the exact distribution by the usual recurrence, one guess at a time. Equals the
 * binomial tail when all chances are equal.
 */
export function successUpperTail(ps: number[], x: number): number {
  if (x <= 0) return 1;
  if (x > ps.length) return 0;
  let dist = [1];
  for (const p of ps) {
    const next = new Array<number>(dist.length + 1).fill(0);
    for (let k = 0; k < dist.length; k++) {
      next[k] += dist[k] * (1 - p);
      next[k + 1] += dist[k] * p;
    }
    dist = next;
  }
  let tail = 0;
  for (let k = x; k < dist.length; k++) tail += dist[k];
  return Math.min(1, tail);
}

/**
 * The exact distribution of the number of fixed points of a uniformly random permutation of n items: P(k) =
 * (1/k!) · Σ_{j=0}^{n-k} (-1)^j / j!. This is the number of right guesses of any one-to-one guess of the pairing of
 * n ballots with n credentials, when the ballots' order is a uniform shuffle that the guess cannot see.
 */
export function fixedPointDistribution(n: number): number[] {
  const inverseFactorial = [1];
  for (let j = 1; j <= n; j++) inverseFactorial.push(inverseFactorial[j - 1] / j);
  // partial[m] = Σ_{j=0}^{m} (-1)^j / j!
  const partial = [1];
  for (let m = 1; m <= n; m++) partial.push(partial[m - 1] + (m % 2 === 0 ? 1 : -1) * inverseFactorial[m]);
  return Array.from({ length: n + 1 }, (_, k) => Math.max(0, inverseFactorial[k] * partial[n - k]));
}

function convolve(a: number[], b: number[]): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i + j] += a[i] * b[j];
  return out;
}

function tailOf(dist: number[], x: number): number {
  if (x <= 0) return 1;
  let tail = 0;
  for (let k = x; k < dist.length; k++) tail += dist[k];
  return Math.min(1, tail);
}

/**
 * P(X ≥ x) when X is the number of right guesses of a one-to-one guess within each class (a shown group, or the
 * pool of ballots without a group), each class shuffled uniformly and independently: the sum of independent
 * fixed-point counts. Exact for a guess of every ballot of its classes; a guess of only some ballots has no more
 * right guesses than any one-to-one guess of all of them that extends it, so the same tail bounds it from above.
 *
 * Unlike the binomial (`successUpperTail` with 1/n for each guess), this is no smaller than the true tail: a
 * permutation's fixed points are more spread than n independent guesses at 1/n (two items: both right half the
 * time, not a quarter).
 */
export function matchingUpperTail(classSizes: number[], x: number): number {
  let dist = [1];
  for (const n of classSizes) dist = convolve(dist, fixedPointDistribution(n));
  return tailOf(dist, x);
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * P(A ≥ x) where A is the number of positions at which two arrangements of the same multiset agree, one of them
 * fixed and the other uniformly random; `counts` are the multiplicities (the ballots of each group in a pool).
 * This is how many pooled ballots a one-to-one guess of their credentials puts in their true group when the pool
 * is shuffled uniformly; a guess of only some of them is bounded by the same tail, as above.
 */
export function agreementUpperTail(counts: number[], x: number): number {
  const labels = counts.filter((c) => c > 0);
  // State: how many positions of each true group are still to be placed → probability, with agreements so far.
  let states = new Map<string, Map<number, number>>([[labels.join(","), new Map([[0, 1]])]]);
  for (const [label, size] of labels.entries()) {
    const next = new Map<string, Map<number, number>>();
    for (const [key, byAgreement] of states) {
      const remaining = key.split(",").map(Number);
      const total = remaining.reduce((a, b) => a + b, 0);
      // Every way to fill this label's `size` positions with the remaining groups (multivariate hypergeometric).
      const fill = (g: number, left: number, taken: number[]) => {
        if (g === remaining.length) {
          if (left !== 0) return;
          const logP = taken.reduce((a, t, i) => a + logChoose(remaining[i], t), 0) - logChoose(total, size);
          const p = Math.exp(logP);
          const rest = remaining.map((r, i) => r - taken[i]).join(",");
          const target = next.get(rest) ?? new Map<number, number>();
          for (const [agreed, q] of byAgreement) {
            const a = agreed + taken[label];
            target.set(a, (target.get(a) ?? 0) + p * q);
          }
          next.set(rest, target);
          return;
        }
        for (let t = 0; t <= Math.min(left, remaining[g]); t++) fill(g + 1, left - t, [...taken, t]);
      };
      fill(0, size, []);
    }
    states = next;
  }
  const dist: number[] = [];
  for (const byAgreement of states.values()) for (const [a, p] of byAgreement) dist[a] = (dist[a] ?? 0) + p;
  return tailOf(
    Array.from(dist, (p) => p ?? 0),
    x
  );
}

/** The smallest number of right guesses whose tail is at most `alpha` (Infinity when none is). */
export function criticalCount(tail: (x: number) => number, max: number, alpha: number): number {
  for (let x = 0; x <= max; x++) if (tail(x) <= alpha) return x;
  return Infinity;
}
