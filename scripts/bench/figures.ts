// What every benchmark reports: a figure measured in this run, beside the ceiling measured in the same run where
// there is one (so that a noisy, shared machine shows as a ratio rather than a bare number), and the budget.

export interface Figure {
  /** Which part: "casting", "ceiling", "counting", "results", "slips", "weight", "start". */
  group: string;
  /** What was measured, in plain words ("casting, PostgreSQL, 16 residents"). */
  name: string;
  value: number;
  /** "ballots/s", "ms", "s", "MB", "KB", "tps". */
  unit: string;
  /** The same run's ceiling for this figure (e.g. pgbench running the casting transaction), when there is one. */
  ceiling?: { name: string; value: number; unit: string };
  /** value / ceiling.value, when both are throughputs (or the inverse for times, as the budget says). */
  ratio?: number;
  /** The budget, in words ("≥ 50% of the ceiling", "≤ 30 ms p50"), and whether this run met it. */
  budget?: { text: string; met: boolean };
  /** Anything a reader needs: the profile that explains a missed budget, how much CPU the load generator took. */
  note?: string;
}
