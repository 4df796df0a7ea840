// The linkage attack (DESIGN.md, anonymity model; docs/decisions/008-threat-model.md): residents cast ballots from
// known credentials, then an insider takes everything PostgreSQL keeps — tables with their system columns, every
// timestamp, dead rows in the pages, the write-ahead log — plus a request log that names each resident, and tries
// every heuristic to pair credentials with ballots. With mixing on, none may beat chance; with mixing switched off,
// the same attack must link at least 95%, so that the test can fail. The same attack, and the hunt for keys, run
// against a real server on both databases in insider.test.ts.
//
// Each poll is cast, closed and taken once, in beforeAll (a few seconds of work); the tests then assert on what was
// taken, while the shared setup empties the tables before each of them as usual.
import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/db.server";
import { closePoll } from "~/polls/lifecycle.server";
import { boxPartition } from "~/polls/poll-lock.server";
import { keyFolder } from "~/secret.server";
import { usingPostgres } from "../setup/database";
import { castAll, GROUP_PLAN, K, setUpPoll } from "./linkage/poll";
import {
  boxDuringPoll,
  currentLsn,
  fileSize,
  openInsider,
  takeEverything,
  XMAX_IS_MULTI,
  XMAX_LOCK_ONLY,
  type InsiderSession,
} from "./linkage/insider";
import { evidence, runHeuristics, score, scoreTable, type Score } from "./linkage/heuristics";
import { keyResidue } from "./linkage/residue";
import {
  agreementUpperTail,
  binomialUpperTail,
  fixedPointDistribution,
  matchingUpperTail,
  successUpperTail,
} from "./linkage/stats";
import { FALSE_ALARMS, verdict } from "./insider/linkage";

/**
 * Fourteen heuristics are tried. Each is held to FALSE_ALARMS (1e-4) shared among the tests that can fail
 * (insider/linkage.ts, `verdict`: its credentials; the pooled ballots' groups cannot fail with a pool of 30 + 3,
 * whose best guess has p = 1/5456), against the exact distribution of a one-to-one guess under a uniform shuffle
 * (stats.ts): a correct build then fails by bad luck less than once in 10,000 runs, while a real link (213 of 213
 * with mixing off) sits below 1e-300.
 */
const HEURISTICS_TRIED = 14;
const BALLOTS = GROUP_PLAN.reduce((n, g) => n + g.handedOut, 0);

describe("the null hypothesis's arithmetic", () => {
  it("computes exact upper tails", () => {
    expect(binomialUpperTail(10, 5, 0.5)).toBeCloseTo(638 / 1024, 12);
    expect(binomialUpperTail(10, 0, 0.3)).toBe(1);
    expect(binomialUpperTail(10, 11, 0.3)).toBe(0);
    expect(binomialUpperTail(200, 200, 1 / 120)).toBeLessThan(1e-300);
    // The same chance on every guess is the binomial.
    for (const [n, x, p] of [
      [213, 3, 1 / 120],
      [213, 8, 1 / 60],
      [50, 20, 0.3],
    ]) {
      expect(successUpperTail(new Array(n).fill(p), x)).toBeCloseTo(binomialUpperTail(n, x, p), 10);
    }
    // Two guesses at 1/2 and one at 1/3: P(X ≥ 2) = 1/4 + 2 · (1/4) · (1/3) = 5/12.
    expect(successUpperTail([0.5, 0.5, 1 / 3], 2)).toBeCloseTo(5 / 12, 12);
  });

  it("computes the exact chance of a one-to-one guess against a uniform shuffle", () => {
    // Permutations of 3 with 0, 1, 2, 3 fixed points: 2, 3, 0, 1 of 6.
    const three = fixedPointDistribution(3);
    [2 / 6, 3 / 6, 0, 1 / 6].forEach((p, k) => expect(three[k]).toBeCloseTo(p, 12));
    for (const n of [1, 5, 40, 213]) {
      expect(fixedPointDistribution(n).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
    // Two items: both right half the time, where independent guesses at 1/2 would say a quarter.
    expect(matchingUpperTail([2], 2)).toBeCloseTo(0.5, 12);
    expect(binomialUpperTail(2, 2, 0.5)).toBeCloseTo(0.25, 12);
    // Classes of 2 and 3: P(X ≥ 4) = P(2 right of 2) · P(≥ 2 of 3) = 1/2 · 1/6.
    expect(matchingUpperTail([2, 3], 4)).toBeCloseTo(1 / 12, 12);
    // A pool of 3 + 2 ballots: the 2 of the small group placed by a guess are both right with probability 1/10, and
    // then every ballot agrees; one of them right (6/10) gives 3 agreements; none (3/10) gives 1.
    expect(agreementUpperTail([3, 2], 5)).toBeCloseTo(0.1, 12);
    expect(agreementUpperTail([3, 2], 3)).toBeCloseTo(0.7, 12);
    expect(agreementUpperTail([3, 2], 2)).toBeCloseTo(0.7, 12);
    expect(agreementUpperTail([3, 2], 1)).toBeCloseTo(1, 12);
  });
});

/** Casts a poll, closes it, and takes everything, as the insider. */
async function attack(insider: InsiderSession, mixing: "on" | "off-for-tests") {
  const poll = await setUpPoll({ suffix: mixing === "on" ? "a" : "b" });
  const walBeforeOpen = await currentLsn(insider);
  await poll.open();
  const box = boxPartition(poll.pollId);
  const walFrom = await currentLsn(insider);
  const log = await castAll(poll.slips);
  // What a DBA (or a backup) sees while the poll is open: the box's file and rows. The poll's private key is in the
  // key file (the test reads it, as the operator could), not in the database.
  const during = await boxDuringPoll(insider, box);
  const keyFile = path.join(keyFolder(), `poll-${poll.pollId}.key`);
  const privateKey = fs.readFileSync(keyFile).subarray(44, 76);
  await closePoll({ actor: poll.actor, pollId: poll.pollId, mixing });

  const snapshot = await takeEverything(insider, { pollId: poll.pollId, box, walFrom });
  const e = evidence(snapshot, box);
  const scores = runHeuristics(snapshot, e, log, during).map((h) => score(h, snapshot, e, log));
  console.log(scoreTable(`Linkage attack, mixing ${mixing}, ${snapshot.counted.length} ballots`, scores));
  const left = await sql<{ n: string }>`select count(*) as n from ${sql.id(box)}`.execute(db);
  return {
    poll,
    box,
    log,
    during,
    keyFileAfter: fs.existsSync(keyFile),
    snapshot,
    e,
    scores,
    boxRowsAfter: Number(left.rows[0].n),
    oldBoxFileSize: await fileSize(insider, during.path),
    residue: await keyResidue(insider, { walFrom: walBeforeOpen, box: during, privateKey }),
  };
}
type Attack = Awaited<ReturnType<typeof attack>>;

const byId = (scores: Score[], id: string) => scores.find((s) => s.id === id)!;

describe.runIf(usingPostgres())("the linkage attack on everything PostgreSQL keeps", () => {
  let insider: InsiderSession;
  beforeAll(async () => {
    const name = await sql<{ name: string }>`select current_database() as name`.execute(db);
    insider = await openInsider(name.rows[0].name);
  });
  afterAll(async () => {
    await insider?.close();
  });

  describe("with mixing on", () => {
    let run: Attack;
    beforeAll(async () => {
      run = await attack(insider, "on");
    }, 90_000);

    it("counts every ballot with answers only: no time, credential or receipt, a group only from k", () => {
      const { snapshot, poll, box, log } = run;
      expect(log).toHaveLength(BALLOTS);
      expect(snapshot.counted).toHaveLength(BALLOTS);
      expect(snapshot.credentialUses).toHaveLength(BALLOTS);
      expect(snapshot.columnsOf.counted_ballots).toEqual(["poll_id", "ballot_no", "group_id", "levels"]);
      expect(snapshot.columnsOf.credential_uses).toEqual(["code_hash", "poll_id", "receipt"]);
      expect(snapshot.columnsOf.ballot_box).toEqual(["poll_id", "sealed"]);
      const timed = new Set(snapshot.timeColumns.map((c) => c.table));
      for (const table of ["counted_ballots", "credential_uses", "ballot_box", box]) {
        expect(timed.has(table), table).toBe(false);
      }
      // The fourth group has fewer than k ballots: alone without their group they would still be its ballots, so
      // the third group's (the smallest other) join them in the pool.
      expect(GROUP_PLAN[3].handedOut).toBeLessThan(K);
      expect(new Set(snapshot.counted.map((b) => b.groupId))).toEqual(new Set([...poll.groupIds.slice(0, 2), null]));
      expect(snapshot.counted.filter((b) => b.groupId === null)).toHaveLength(
        GROUP_PLAN[2].handedOut + GROUP_PLAN[3].handedOut
      );
    });

    it("empties the box into a new file, so that no page holds a tuple of it", () => {
      const { snapshot, box, during, e } = run;
      // While the poll was open, each sealed row carried its casting transaction's id: a link to ciphertext only.
      expect(during.rows).toHaveLength(BALLOTS);
      expect(new Set(during.rows.map((r) => r.xmin))).toEqual(new Set(e.castingXid.keys()));
      expect(run.boxRowsAfter).toBe(0);
      expect(snapshot.filenodes[box]).not.toBe(during.filenode);
      // The old file is emptied at commit and unlinked at the next checkpoint.
      expect(run.oldBoxFileSize ?? 0).toBe(0);
      expect(snapshot.pageErrors[box]).toBeUndefined();
      expect(snapshot.pages.filter((t) => t.relation === box)).toEqual([]);
      // The partitioned parent has no storage at all.
      expect(snapshot.pageErrors.ballot_box).toMatch(/cannot get raw page/);
    });

    it("leaves a casting transaction's id only on its credential, never near a ballot", () => {
      const { snapshot, e } = run;
      // Dead or alive, in every page read: besides credential_uses itself, only the row locks that credential_uses'
      // foreign keys take (on the credential used, which credential_uses names anyway, and on the poll's row).
      const stamped = snapshot.pages.filter(
        (t) =>
          !(t.relation === "credential_uses" && t.lpFlags === 1 && !t.xmax) &&
          (e.castingXid.has(t.xmin!) || (!(t.infomask & XMAX_IS_MULTI) && e.castingXid.has(t.xmax!)))
      );
      expect(stamped.filter((t) => !(t.infomask & XMAX_LOCK_ONLY) || e.castingXid.has(t.xmin!))).toEqual([]);
      expect(stamped.filter((t) => t.relation !== "credentials" && t.relation !== "polls")).toEqual([]);
      const useXid = new Map(snapshot.credentialUses.map((u) => [u.codeHash, u.xmin]));
      for (const c of snapshot.credentials.filter((c) => e.castingXid.has(c.xmax))) {
        expect(c.xmax).toBe(useXid.get(c.codeHash));
      }
      console.log(
        `Tuples stamped by a casting xid outside credential_uses: ${stamped.length} (lock-only xmax; credentials ` +
          `${stamped.filter((t) => t.relation === "credentials").length}, polls ` +
          `${stamped.filter((t) => t.relation === "polls").length})`
      );
      // Casting writes no audit entry.
      expect(snapshot.audit.filter((a) => e.castingXid.has(a.xmin))).toEqual([]);
      const actions = snapshot.audit.map((a) => a.action);
      expect(actions.slice(actions.lastIndexOf("poll.open"))).toEqual(["poll.open", "poll.close"]);
      // The write-ahead log shows each cast (an insert into credential_uses and one into the box's old file under
      // the casting xid, and its commit time); the close's inserts into counted_ballots are all its own.
      expect([...e.boxNodes]).toEqual([run.during.filenode]);
      expect(e.boxInserts).toHaveLength(BALLOTS);
      expect(e.commitTime.size).toBe(BALLOTS);
      expect(e.countedInserts).toHaveLength(BALLOTS);
      expect(new Set(e.countedInserts.map((r) => r.xid)).size).toBe(1);
      expect(new Set(snapshot.counted.map((b) => b.xmin)).size).toBe(1);
    });

    it("leaves nothing of the poll's key in the database, its files or its log, and nothing the secret opens", () => {
      const r = run.residue;
      console.log(
        [
          "Key residue after close, for whoever also holds the server's secret:",
          `columns or tables of the old wrapped key and shares: ${
            r.oldColumns.length ? r.oldColumns.join(", ") : "none"
          }`,
          `key file left after the count: ${run.keyFileAfter ? "yes" : "no"}`,
          `the private key, in any form, in the database's files or the raw WAL: ${r.keyFound} places`,
          `values unwrapped with the secret: ${r.unwrapped} of ${r.blobsTried} tried`,
          `sealed ballots found verbatim in the raw WAL (ciphertext, to a key no longer anywhere): ${r.sealedInWal}/${BALLOTS}`,
        ].join("\n")
      );
      expect(r.oldColumns).toEqual([]);
      expect(run.keyFileAfter).toBe(false);
      expect(r.keyFound).toBe(0);
      expect(r.blobsTried).toBeGreaterThan(0);
      expect(r.unwrapped).toBe(0);
    });

    it("no heuristic pairs credentials with ballots better than chance", () => {
      const { scores } = run;
      expect(scores).toHaveLength(HEURISTICS_TRIED);
      const v = verdict([run]);
      console.log(
        `${v.tests} tests can fail, each at p ≤ ${v.threshold.toExponential(2)}: false alarms at most ` +
          `${FALSE_ALARMS} a run, ${v.falseAlarms.toExponential(2)} by each test's exact chance`
      );
      expect(v.falseAlarms).toBeLessThan(FALSE_ALARMS);
      for (const s of scores) {
        expect(s.pValue, `${s.id} ${s.label}: ${s.correct}/${s.n}`).toBeGreaterThan(v.threshold);
        if (v.tested.get(s)!.pooled !== null) {
          expect(s.pooled.pValue, `${s.id} pooled: ${s.pooled.correct}/${s.pooled.n}`).toBeGreaterThan(v.threshold);
        }
      }
      // Every ordering heuristic guessed every ballot; the direct ones found nothing to guess from.
      for (const s of scores.filter((s) => s.id !== "a1" && s.id !== "e")) expect(s.n, s.id).toBe(BALLOTS);
      expect(byId(scores, "a1").n).toBe(0);
      expect(byId(scores, "e").n).toBe(0);
    });
  });

  describe("with mixing switched off", () => {
    let run: Attack;
    beforeAll(async () => {
      run = await attack(insider, "off-for-tests");
    }, 90_000);

    it("the same attack links at least 95%", () => {
      const { snapshot, scores, box, during, e } = run;
      expect(snapshot.counted).toHaveLength(BALLOTS);
      // The box is still emptied the same way: only the mixing is missing.
      expect(snapshot.filenodes[box]).not.toBe(during.filenode);
      expect(snapshot.pages.filter((t) => t.relation === box)).toEqual([]);
      expect(e.boxInserts).toHaveLength(BALLOTS);
      // Counted in the box's physical order, every ballot is linked by the write-ahead log, which says where each
      // casting transaction wrote its sealed row, and by any copy of the box taken during the poll.
      for (const id of ["h2", "i"]) {
        const s = byId(scores, id);
        expect(s.correct / s.n, `${s.id} ${s.label}: ${s.correct}/${s.n}`).toBeGreaterThanOrEqual(0.95);
        expect(s.pValue).toBeLessThan(verdict([run]).threshold);
      }
    });
  });
});
