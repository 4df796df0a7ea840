// The linkage part of the insider attack: for each poll, every heuristic of linkage/heuristics.ts on what the insider
// took (transaction ids, tuple ids, physical and WAL order, commit times, the box copy, the residents' request
// times), plus two on the raw log's bytes, each scored against the true pairing; and the arithmetic that holds the
// whole test's false alarms under one in 10,000 runs.
import { boxPartition } from "../../../app/polls/poll-lock.server";
import {
  byNumber,
  evidence,
  pairByRank,
  runHeuristics,
  score,
  type HeuristicResult,
  type Score,
} from "../linkage/heuristics";
import { takeEverything, type BoxCopy, type InsiderSession, type Snapshot } from "../linkage/insider";
import type { RecordedCast } from "../linkage/poll";
import { agreementUpperTail, criticalCount, matchingUpperTail } from "../linkage/stats";

/**
 * The whole test's false-alarm rate: the chance that a build whose mixing is a uniform shuffle fails any linkage
 * assertion of one run. Each test (a poll, a heuristic, a statistic) that could fail at all is held to
 * FALSE_ALARMS / their number (Bonferroni, which needs no independence between heuristics); a test whose smallest
 * possible p-value, fixed by the classes' sizes, is above that cannot raise an alarm and is left out of the count
 * (Tarone). The figure printed is smaller still: the sum over the tests of each one's exact chance of failing.
 */
export const FALSE_ALARMS = 1e-4;

export interface PollLinkage {
  pollId: number;
  snapshot: Snapshot;
  e: ReturnType<typeof evidence>;
  scores: Score[];
}

/**
 * Two more heuristics on the raw log, as a copy of pg_wal gives it without any tool: the byte offset at which each
 * receipt (written by its cast into credential_uses) and each sealed ballot of the box copy (tied to its credential
 * by the copy's xmin) first appear, in the order of the casts, against the ballots' counted order.
 */
function rawWalHeuristics(
  s: Snapshot,
  e: ReturnType<typeof evidence>,
  walStream: Buffer,
  boxCopy: BoxCopy
): HeuristicResult[] {
  const receiptAt = new Map(s.credentialUses.map((u) => [u.codeHash, walStream.indexOf(Buffer.from(u.receipt))]));
  const sealedAt = new Map<string, number>();
  for (const row of boxCopy.rows) {
    const codeHash = e.castingXid.get(row.xmin);
    if (codeHash) sealedAt.set(codeHash, walStream.indexOf(row.sealed));
  }
  const found = (at: number | undefined) => (at === undefined || at < 0 ? undefined : at);
  const byBallotNo = byNumber<Snapshot["counted"][number]>((b) => b.ballotNo);
  return [
    {
      id: "r1",
      label: "raw WAL bytes: offset of each receipt vs ballot_no",
      guesses: pairByRank(
        e,
        s.counted,
        e.used.filter((c) => found(receiptAt.get(c.codeHash)) !== undefined),
        byBallotNo,
        byNumber((c) => found(receiptAt.get(c.codeHash)))
      ),
    },
    {
      id: "r2",
      label: "raw WAL bytes: offset of each sealed ballot (box copy's xmin) vs ballot_no",
      guesses: pairByRank(
        e,
        s.counted,
        e.used.filter((c) => found(sealedAt.get(c.codeHash)) !== undefined),
        byBallotNo,
        byNumber((c) => found(sealedAt.get(c.codeHash)))
      ),
    },
  ];
}

export async function linkPoll(
  insider: InsiderSession,
  {
    pollId,
    walFrom,
    log,
    boxCopy,
    walStream,
  }: {
    pollId: number;
    walFrom: string;
    log: RecordedCast[];
    boxCopy: BoxCopy;
    walStream: Buffer;
  }
): Promise<PollLinkage> {
  const box = boxPartition(pollId);
  const snapshot = await takeEverything(insider, { pollId, box, walFrom });
  const e = evidence(snapshot, box);
  const heuristics = [
    ...runHeuristics(snapshot, e, log, boxCopy),
    ...rawWalHeuristics(snapshot, e, walStream, boxCopy),
  ];
  return { pollId, snapshot, e, scores: heuristics.map((h) => score(h, snapshot, e, log)) };
}

export interface Verdict {
  /** Tests that can fail, and the p-value each is held to. */
  tests: number;
  threshold: number;
  /** Σ over those tests of P(X ≥ the first count that fails it) under the null: a bound on this run's false alarms. */
  falseAlarms: number;
  /** Per score: whether its credential and pooled-group statistics are tested, and the fewest right that fail them. */
  tested: Map<Score, { credential: number | null; pooled: number | null; pooledBestP: number }>;
}

/**
 * The family of tests and their threshold. The smallest p-value a statistic can reach is that of a guess right on
 * every ballot of the poll's classes (credentials), or of its pool (groups): a property of the design, not of the
 * outcome. Only statistics that can reach the threshold are tested; the threshold divides FALSE_ALARMS among them.
 */
export function verdict(polls: Pick<PollLinkage, "scores" | "e">[]): Verdict {
  const stats = polls.flatMap(({ scores, e }) => {
    const sizes = [...e.classSize.values()];
    return scores.flatMap((s) => {
      const pool = s.poolCounts.length ? s.poolCounts : poolCountsOf(e);
      return [
        { s, kind: "credential" as const, tail: (x: number) => matchingUpperTail(sizes, x), max: sum(sizes) },
        { s, kind: "pooled" as const, tail: (x: number) => agreementUpperTail(pool, x), max: sum(pool) },
      ];
    });
  });
  let tests = stats.length;
  for (;;) {
    const next = stats.filter((t) => t.max > 0 && t.tail(t.max) <= FALSE_ALARMS / tests).length;
    if (next === tests) break;
    tests = next;
  }
  const threshold = FALSE_ALARMS / tests;
  let falseAlarms = 0;
  const tested = new Map<Score, { credential: number | null; pooled: number | null; pooledBestP: number }>();
  for (const t of stats) {
    const entry = tested.get(t.s) ?? { credential: null, pooled: null, pooledBestP: 1 };
    if (t.kind === "pooled") entry.pooledBestP = t.max > 0 ? t.tail(t.max) : 1;
    if (t.max > 0 && t.tail(t.max) <= threshold) {
      const critical = criticalCount(t.tail, t.max, threshold);
      falseAlarms += t.tail(critical);
      entry[t.kind] = critical;
    }
    tested.set(t.s, entry);
  }
  return { tests, threshold, falseAlarms, tested };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The pool's ballots per residential group, from the credentials used. */
function poolCountsOf(e: PollLinkage["e"]): number[] {
  const counts = new Map<number, number>();
  for (const c of e.used) {
    if (e.classOfCredential(c) !== String(c.groupId)) counts.set(c.groupId, (counts.get(c.groupId) ?? 0) + 1);
  }
  return [...counts.values()];
}
