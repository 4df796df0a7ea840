// The insider's heuristics: each one pairs counted ballots with credentials from one kind of evidence, and is
// scored against the true pairing the test recorded. The insider knows each credential's residential group (its
// batch) and each counted ballot's group where it is shown, so every ordering heuristic pairs within a class: a
// group with its ballots shown, or all the credentials of groups whose ballots carry no group.
import { agreementUpperTail, matchingUpperTail } from "./stats";
import { tidOrder, type BoxCopy, type Snapshot } from "./insider";
import { answerKey, type RecordedCast } from "./poll";

type Ballot = Snapshot["counted"][number];
type Credential = { codeHash: string; groupId: number };
type Order<T> = (a: T, b: T) => number;

export interface HeuristicResult {
  id: string;
  label: string;
  /** ballot_no → the guessed credential's hash. */
  guesses: Map<number, string>;
}

export interface Score {
  id: string;
  label: string;
  /** Ballots paired with the credential that cast them, out of `n` guessed (one-to-one within each class). */
  correct: number;
  n: number;
  expected: number;
  /** P(X ≥ correct) if the counted order were a uniform shuffle the heuristic cannot see (stats.ts). */
  pValue: number;
  /** Ballots of the pool (counted without a group) put back into their true residential group by the guess. */
  pooled: { correct: number; n: number; expected: number; pValue: number };
  /** The null distributions' parameters: the sizes of the classes guessed into, the pool's ballots per group. */
  classSizes: number[];
  poolCounts: number[];
}

const NO_GROUP = "no group";

/** What the insider derives from the snapshot before guessing. */
export function evidence(s: Snapshot, box: string) {
  const groupOf = new Map(s.credentials.map((c) => [c.codeHash, c.groupId]));
  const shownGroups = new Set(s.counted.map((b) => b.groupId).filter((g) => g !== null));
  const used: Credential[] = s.credentialUses.map((u) => ({ codeHash: u.codeHash, groupId: groupOf.get(u.codeHash)! }));
  const classOfCredential = (c: Credential) => (shownGroups.has(c.groupId) ? String(c.groupId) : NO_GROUP);
  const classOfBallot = (b: Ballot) => (b.groupId === null ? NO_GROUP : String(b.groupId));
  const classSize = new Map<string, number>();
  for (const b of s.counted) classSize.set(classOfBallot(b), (classSize.get(classOfBallot(b)) ?? 0) + 1);

  const castingXid = new Map(s.credentialUses.map((u) => [u.xmin, u.codeHash]));
  const usesNode = s.filenodes.credential_uses;
  const countedNode = s.filenodes.counted_ballots;
  const heapInserts = s.wal.filter((r) => r.rmgr === "Heap" && r.type.startsWith("INSERT"));
  // The box's old file is gone, but the log names it: the relation, other than credential_uses, that every casting
  // transaction inserted one row into.
  const boxInserts = heapInserts.filter((r) => castingXid.has(r.xid) && r.relfilenode !== usesNode);
  const boxNodes = new Set(boxInserts.map((r) => r.relfilenode));
  const countedInserts = heapInserts.filter((r) => r.relfilenode === countedNode);
  const commitTime = new Map<number, number>();
  for (const r of s.wal) if (r.committedAt !== null && castingXid.has(r.xid)) commitTime.set(r.xid, r.committedAt);

  return {
    box,
    used,
    classOfCredential,
    classOfBallot,
    classSize,
    castingXid,
    boxInserts,
    boxNodes,
    countedInserts,
    commitTime,
    xminOf: new Map(s.credentialUses.map((u) => [u.codeHash, u.xmin])),
  };
}
export type Evidence = ReturnType<typeof evidence>;

/** Pairs the i-th ballot with the i-th credential of the same class, each side in its own order. */
export function pairByRank(
  e: Evidence,
  ballots: Ballot[],
  credentials: Credential[],
  ballotOrder: Order<Ballot>,
  credentialOrder: Order<Credential>
): Map<number, string> {
  const guesses = new Map<number, string>();
  for (const cls of e.classSize.keys()) {
    const bs = ballots.filter((b) => e.classOfBallot(b) === cls).sort(ballotOrder);
    const cs = credentials.filter((c) => e.classOfCredential(c) === cls).sort(credentialOrder);
    bs.forEach((b, i) => {
      if (cs[i]) guesses.set(b.ballotNo, cs[i].codeHash);
    });
  }
  return guesses;
}

export const byNumber =
  <T>(key: (t: T) => number | undefined): Order<T> =>
  (a, b) =>
    (key(a) ?? Infinity) - (key(b) ?? Infinity);
const byText =
  <T>(key: (t: T) => string): Order<T> =>
  (a, b) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

export function runHeuristics(s: Snapshot, e: Evidence, log: RecordedCast[], backup: BoxCopy): HeuristicResult[] {
  const ballots = s.counted;
  const byBallotNo = byNumber<Ballot>((b) => b.ballotNo);
  const byBallotTid: Order<Ballot> = (a, b) => tidOrder(a, b);
  const use = new Map(s.credentialUses.map((u) => [u.codeHash, u]));
  const credential = new Map(s.credentials.map((c) => [c.codeHash, c]));
  const logged = new Map(log.map((l) => [l.codeHash, l]));
  const ballotAtTid = new Map(ballots.map((b) => [`${b.blk},${b.off}`, b]));
  const results: HeuristicResult[] = [];
  const add = (id: string, label: string, guesses: Map<number, string>) => results.push({ id, label, guesses });

  // (a) Transaction ids. Direct: a counted row, or a logged insert into counted_ballots, made by a casting
  // transaction. Then by order: casting xids against the counted rows' xmin (the close's), ties by position.
  const direct = new Map<number, string>();
  for (const b of ballots) if (e.castingXid.has(b.xmin)) direct.set(b.ballotNo, e.castingXid.get(b.xmin)!);
  for (const r of e.countedInserts) {
    const b = ballotAtTid.get(`${r.blk},${r.off}`);
    if (b && e.castingXid.has(r.xid)) direct.set(b.ballotNo, e.castingXid.get(r.xid)!);
  }
  add("a1", "xmin of credential_uses = xid writing counted_ballots (rows, WAL)", direct);
  add(
    "a2",
    "xmin order of credential_uses vs (xmin, ctid) of counted_ballots",
    pairByRank(
      e,
      ballots,
      e.used,
      (a, b) => a.xmin - b.xmin || tidOrder(a, b),
      byNumber((c) => e.xminOf.get(c.codeHash))
    )
  );

  // (b) Physical order (also the receipts' physical order: they live in credential_uses).
  const usesTid: Order<Credential> = (a, b) => tidOrder(use.get(a.codeHash)!, use.get(b.codeHash)!);
  add("b1", "ctid of credential_uses vs ctid of counted_ballots", pairByRank(e, ballots, e.used, byBallotTid, usesTid));
  add("b2", "ctid of credential_uses vs ballot_no", pairByRank(e, ballots, e.used, byBallotNo, usesTid));

  // (c) Identifier order of the credentials themselves.
  add(
    "c1",
    "slip number (batch, seq) vs ballot_no",
    pairByRank(
      e,
      ballots,
      e.used,
      byBallotNo,
      (a, b) =>
        credential.get(a.codeHash)!.batchId - credential.get(b.codeHash)!.batchId ||
        credential.get(a.codeHash)!.seq - credential.get(b.codeHash)!.seq
    )
  );
  add(
    "c2",
    "code hash order vs ballot_no",
    pairByRank(
      e,
      ballots,
      e.used,
      byBallotNo,
      byText((c) => c.codeHash)
    )
  );

  // (d) Time. Ballots carry none; the only per-cast times are the commit records of the casting transactions in
  // the write-ahead log, and ballot numbers are laid over the poll's opening window in their order.
  add(
    "d",
    "commit time of the casting xid (WAL) vs ballot_no over opened_at..closed_at",
    pairByRank(
      e,
      ballots,
      e.used,
      byBallotNo,
      byNumber((c) => e.commitTime.get(e.xminOf.get(c.codeHash)!))
    )
  );

  // (e) Dead rows: any tuple in the pages, other than the credential_uses rows themselves, written or deleted by a
  // casting transaction. One in counted_ballots leads, through its t_ctid chain, to a live ballot; one in the box's
  // current file is ranked against the counted order of its class.
  const deadRows = new Map<number, string>();
  const boxTuples = s.pages.filter((t) => t.relation === e.box && t.xmin !== null && e.castingXid.has(t.xmin));
  for (const t of s.pages) {
    if (t.relation === "credential_uses" && t.lpFlags === 1 && !t.xmax) continue;
    const xid = [t.xmin, t.xmax].find((x) => x !== null && e.castingXid.has(x));
    if (xid === undefined) continue;
    if (t.relation === "counted_ballots" && t.next) {
      const b = ballotAtTid.get(`${t.next.blk},${t.next.off}`);
      if (b) deadRows.set(b.ballotNo, e.castingXid.get(xid!)!);
    }
  }
  if (boxTuples.length > 0) {
    const boxRank = new Map(
      [...boxTuples]
        .sort((a, b) => tidOrder({ blk: a.blk, off: a.lp }, { blk: b.blk, off: b.lp }))
        .map((t, i) => [e.castingXid.get(t.xmin!)!, i])
    );
    const inBox = e.used.filter((c) => boxRank.has(c.codeHash));
    for (const [ballotNo, codeHash] of pairByRank(
      e,
      ballots,
      inBox,
      byBallotNo,
      byNumber((c) => boxRank.get(c.codeHash))
    )) {
      if (!deadRows.has(ballotNo)) deadRows.set(ballotNo, codeHash);
    }
  }
  add("e", "tuples in any page (dead or alive) carrying a casting xid", deadRows);

  // (f) Receipts: alphabetical order (their physical order is b1's).
  add(
    "f",
    "receipt alphabetical order vs ballot_no",
    pairByRank(
      e,
      ballots,
      e.used,
      byBallotNo,
      byText((c) => use.get(c.codeHash)!.receipt)
    )
  );

  // (g) The request log, with the resident's identity known (the strongest observer: a log line per cast).
  add(
    "g1",
    "request log, arrival order vs ballot_no",
    pairByRank(
      e,
      ballots,
      e.used,
      byBallotNo,
      byNumber((c) => logged.get(c.codeHash)?.issueOrder)
    )
  );
  add(
    "g2",
    "request log, response order and times vs ballot_no",
    pairByRank(
      e,
      ballots,
      e.used,
      byBallotNo,
      byNumber((c) => logged.get(c.codeHash)?.finishedAt)
    )
  );

  // (h) The write-ahead log: each casting transaction's insert into the box, in log order, against the close's
  // inserts into counted_ballots, in log order.
  const boxLsn = new Map(e.boxInserts.map((r) => [e.castingXid.get(r.xid)!, r.lsn]));
  const countedLsn = new Map<number, bigint>();
  for (const r of e.countedInserts) {
    const b = ballotAtTid.get(`${r.blk},${r.off}`);
    if (b && !countedLsn.has(b.ballotNo)) countedLsn.set(b.ballotNo, r.lsn);
  }
  const lsnOrder =
    <T>(key: (t: T) => bigint | undefined): Order<T> =>
    (a, b) => {
      const x = key(a) ?? BigInt(Number.MAX_SAFE_INTEGER) ** 2n;
      const y = key(b) ?? BigInt(Number.MAX_SAFE_INTEGER) ** 2n;
      return x < y ? -1 : x > y ? 1 : 0;
    };
  add(
    "h1",
    "WAL order of box inserts (casting xids) vs WAL order of counted_ballots inserts",
    pairByRank(
      e,
      ballots,
      e.used,
      lsnOrder((b) => countedLsn.get(b.ballotNo)),
      lsnOrder((c) => boxLsn.get(c.codeHash))
    )
  );
  // The same records also say where each box row was written (block, line pointer): the box's physical order.
  const boxTid = new Map(e.boxInserts.map((r) => [e.castingXid.get(r.xid)!, { blk: r.blk!, off: r.off! }]));
  const boxTidOrder: Order<Credential> = (a, b) => tidOrder(boxTid.get(a.codeHash)!, boxTid.get(b.codeHash)!);
  add(
    "h2",
    "WAL position (block, offset) of box inserts vs ctid of counted_ballots",
    pairByRank(e, ballots, e.used, byBallotTid, boxTidOrder)
  );

  // (i) A copy of the database taken while the poll was open (a backup): the box rows' xmin and ctid.
  const copied = new Map(
    backup.rows.filter((r) => e.castingXid.has(r.xmin)).map((r) => [e.castingXid.get(r.xmin)!, r] as const)
  );
  add(
    "i",
    "backup taken during the poll: (xmin, ctid) of box rows vs ctid of counted_ballots",
    pairByRank(
      e,
      ballots,
      e.used.filter((c) => copied.has(c.codeHash)),
      byBallotTid,
      (a, b) => tidOrder(copied.get(a.codeHash)!, copied.get(b.codeHash)!)
    )
  );
  return results;
}

/**
 * Scores a heuristic against the recorded truth: right when the guessed credential is the one that cast it. A guess
 * is kept only if it stays within the ballot's class and names a credential no earlier guess named, so that every
 * heuristic is a one-to-one guess within each class, which the exact null distribution (stats.ts) assumes.
 */
export function score(result: HeuristicResult, s: Snapshot, e: Evidence, log: RecordedCast[]): Score {
  const truth = new Map(log.map((l) => [answerKey(l.levels), l.codeHash]));
  const ballot = new Map(s.counted.map((b) => [b.ballotNo, b]));
  const groupOf = new Map(s.credentials.map((c) => [c.codeHash, c.groupId]));
  const named = new Set<string>();
  const classes = new Set<string>();
  let correct = 0;
  let n = 0;
  let expected = 0;
  const poolCounts = new Map<number, number>();
  for (const c of e.used) {
    if (e.classOfCredential(c) === NO_GROUP) poolCounts.set(c.groupId, (poolCounts.get(c.groupId) ?? 0) + 1);
  }
  const poolSize = [...poolCounts.values()].reduce((a, b) => a + b, 0);
  const pooled = { correct: 0, n: 0, expected: 0, pValue: 1 };
  for (const [ballotNo, codeHash] of result.guesses) {
    const b = ballot.get(ballotNo)!;
    const cls = e.classOfBallot(b);
    if (named.has(codeHash) || e.classOfCredential({ codeHash, groupId: groupOf.get(codeHash)! }) !== cls) continue;
    named.add(codeHash);
    classes.add(cls);
    n++;
    expected += 1 / e.classSize.get(cls)!;
    const actual = truth.get(answerKey(b.levels));
    if (actual === codeHash) correct++;
    if (cls === NO_GROUP) {
      const guessedGroup = groupOf.get(codeHash)!;
      pooled.n++;
      pooled.expected += (poolCounts.get(guessedGroup) ?? 0) / poolSize;
      if (actual !== undefined && groupOf.get(actual) === guessedGroup) pooled.correct++;
    }
  }
  if (pooled.n > 0) pooled.pValue = agreementUpperTail([...poolCounts.values()], pooled.correct);
  const classSizes = [...classes].map((c) => e.classSize.get(c)!);
  return {
    id: result.id,
    label: result.label,
    correct,
    n,
    expected,
    pValue: matchingUpperTail(classSizes, correct),
    pooled,
    classSizes,
    poolCounts: pooled.n > 0 ? [...poolCounts.values()] : [],
  };
}

export function formatP(p: number): string {
  if (p === 0) return "< 1e-300";
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

export function scoreTable(title: string, scores: Score[]): string {
  const lines = [
    title,
    "heuristic | credential right / guessed | expected | p-value | pooled ballots in their group / guessed | expected | p-value",
    ...scores.map(
      (r) =>
        `${r.id} ${r.label} | ${r.correct}/${r.n} | ${r.expected.toFixed(2)} | ${formatP(r.pValue)} | ` +
        `${r.pooled.correct}/${r.pooled.n} | ${r.pooled.expected.toFixed(2)} | ${formatP(r.pooled.pValue)}`
    ),
  ];
  return lines.join("\n");
}
