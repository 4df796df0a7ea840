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
