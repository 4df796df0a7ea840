// The insider attack of issue 11 (DESIGN.md, anonymity model, item 4 "Keys"; docs/decisions/008-threat-model.md),
// on the embedded database and on PostgreSQL alike. Phiếu runs as a real server; a committee-keyed poll (2 of 3
// members), a server-keyed poll and a control poll are cast through the ballot pages, closed and counted. The
// insider then holds the server's secret, every file of the database and its write-ahead log (raw bytes, and the
// records through pg_walinspect: PostgreSQL's own, or, on the embedded database, a PGlite of the insider's own that
// opens a copy of the data folder with pageinspect and pg_walinspect), a copy of each box taken just before the
// close, and the server's log; not the key folder. The test, which acted as every member and as the operator, knows
// every key, every share and every member's key, and checks that the insider finds none of them in any form, opens
// nothing with the secret or with any value found, and links no ballot to its credential or its group better than
// chance, while the true keys do open the box copies and the same linkage attack does link the control poll, whose
// mixing the test switched off.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicKeyOf } from "../../app/ballots/seal.server";
import { formatP, scoreTable } from "./linkage/heuristics";
import { ATTACKED, attack, ROLES, type Attack } from "./insider/attack";
import { candidatesMatchingPublicKeys, encodingsOf, x25519Public } from "./insider/keys";
import { FALSE_ALARMS } from "./insider/linkage";
import { BALLOTS_PER_POLL, GROUP_PLAN, K } from "./insider/meeting";
import { insiderRun, type Run } from "./insider/run";
import { assertBuilt } from "./insider/server";

describe("an insider with the server's secret, the database's files and log, the box copies and the server's log", () => {
  let run: Run;
  let taken: Attack;
  let elapsed: number;

  beforeAll(async () => {
    assertBuilt();
    const started = performance.now();
    run = await insiderRun();
    taken = await attack(run);
    elapsed = performance.now() - started;
  }, 300_000);

  afterAll(async () => {
    await run?.cleanUp();
  });

  it("the ballots went in through the ballot pages and both polls were counted the way officers count", () => {
    const { meeting, logs, counted } = run;
    console.log(
      `Run time (${run.mode}): ${Math.round(elapsed)} ms in all; ` +
        Object.entries({ ...run.timings, ...taken.ms })
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")
    );
    expect(run.serverExit).toEqual({ code: 0, signal: null });
    for (const role of ROLES) expect(logs.get(meeting.polls[role].pollId)).toHaveLength(BALLOTS_PER_POLL);
    expect(counted.committee).toContain(`count=${BALLOTS_PER_POLL}`);
    expect(counted.server).toContain(`count=${BALLOTS_PER_POLL}`);
    expect(counted.control).toBe(BALLOTS_PER_POLL);
    // The request log: one line per request with its method, route pattern, status and time, nothing else (so no
    // code, receipt, answer or key); a resident's review and cast are its two posts to /v/:code.
    const requests = run.serverLog
      .split("\n")
      .filter((l) => l.startsWith("{") && l.includes('"route"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const line of requests)
      expect(Object.keys(line).sort()).toEqual(["level", "method", "ms", "route", "status", "time"]);
    const casts = requests.filter((l) => l.method === "POST" && l.route === "/v/:code");
    expect(casts.length).toBe(2 * ROLES.length * BALLOTS_PER_POLL);
    for (const role of ROLES) {
      for (const slip of meeting.polls[role].slips) expect(run.serverLog).not.toContain(slip.code);
      for (const cast of logs.get(meeting.polls[role].pollId)!) expect(run.serverLog).not.toContain(cast.receipt);
    }
    for (const m of run.known.members) expect(run.serverLog).not.toContain(m.code);
  });

  it("after the count no key file is left, and the secret and the keys never were in the data folder", () => {
    expect(run.keyFilesAfter).toEqual({ committee: false, server: false, control: false });
    // After the closes (each a TRUNCATE, a new file) and the stop, nothing of the data or key folder is open to
    // another local account, although PGlite creates its files 0666.
    expect(run.openToOthers).toEqual([]);
    if (run.mode === "embedded") {
      expect(run.files.some((f) => f.name.includes("server-secret") || f.name.endsWith(".key"))).toBe(false);
    }
    // Every pooled group: the fourth is under k, the third joins it.
    expect(GROUP_PLAN[3].handedOut).toBeLessThan(K);
    for (const role of ROLES) {
      const counted = taken.linkage[role].snapshot.counted;
      expect(counted.filter((b) => b.groupId === null)).toHaveLength(GROUP_PLAN[2].handedOut + GROUP_PLAN[3].handedOut);
    }
  });

  it("finds no poll key, share or member key, in any form, in any byte it took", () => {
    console.log(
      [
        `Insider attack (${run.mode}): searched ${taken.haystacks.length} files and streams, ` +
          `${(taken.haystackBytes / 1e6).toFixed(1)} MB, for ${run.known.shares.length} shares, ` +
          `${run.known.members.length} member keys and 3 poll keys in ${
            encodingsOf(run.known.poll.committee).length
          } forms ` +
          `each; the WAL since before the members enrolled: ${(run.walRaw.length / 1e6).toFixed(1)} MB raw, ` +
          (run.blocks
            ? `${run.blocks.length} block data and full-page images of this database's records (pg_get_wal_block_info)`
            : "no block data (pg_walinspect before PostgreSQL 16 has none: the raw log stands in for it)"),
        `found: ${taken.keyFindings.length}` +
          (taken.keyFindings.length ? ` — ${JSON.stringify(taken.keyFindings.slice(0, 5))}` : ""),
        `control: the polls' public keys (stored by design) found raw in ${taken.publicKeyFindings.length} places`,
      ].join("\n")
    );
    expect(taken.keyFindings).toEqual([]);
    for (const role of ROLES) {
      expect(taken.publicKeyFindings.some((f) => f.secret.startsWith(role))).toBe(true);
    }
  });

  it("unwraps nothing with the server's secret, under the old schemes or any key derived from it", () => {
    console.log(
      `Secret: ${taken.unwrap.tries} tries on ${taken.blobs.exact} bytea values (every version) and box rows (keys ` +
        `derived from the secret on the first 3 of each box), and ` +
        `${taken.blobs.scanned} values of the old wrapped sizes in the files and the log: ${taken.unwrap.opened.length} ` +
        `opened (control: a key wrapped the old way and stored as a bytea is found and opened: ${taken.unwrapControl})`
    );
    expect(taken.blobs.scanned).toBeGreaterThan(0);
    expect(taken.unwrapControl).toBe(1);
    expect(taken.unwrap.opened).toEqual([]);
  });

  it("opens no ballot and no share with any 32-byte value found, while the true keys open every box copy", () => {
    const ballots = ROLES.reduce((n, role) => n + run.boxes[role].rows.length, 0);
    console.log(
      [
        `Opening: ${taken.candidates} candidate keys × (a sealed ballot of each of the 3 boxes, which stands for ` +
          `all ${ballots}, and ${run.known.shares.length} sealed shares) = ${taken.opening.tries} tries, ` +
          `${taken.opening.opened.length} opened; of those and of ${taken.windows} 32-byte windows of text values, ` +
          `the private half of one of the database's ${taken.publicKeys} public keys: ${taken.matchingPublicKeys}; ` +
          `control, the same tries with the true keys: ` +
          `${taken.openingControl.opened.length} opened`,
        `sealed ballots of the box copies found verbatim in the WAL: ` +
          ROLES.map((r) => `${r} ${taken.sealedInWal[r]}/${run.boxes[r].rows.length}`).join(", ") +
          `; sealed shares found in the files or the WAL: ${taken.sharesInEvidence}/${run.known.shares.length}`,
        `control, the true keys (the operator's key files, the members' shares combined): ` +
          ROLES.map((r) => `${r} ${taken.truePollKeysOpen[r].answersMatch}/${taken.truePollKeysOpen[r].opened}`).join(
            ", "
          ),
      ].join("\n")
    );
    expect(taken.candidates).toBeGreaterThan(100);
    expect(taken.opening.opened).toEqual([]);
    expect(taken.matchingPublicKeys).toBe(0);
    // The shortcut that finds a key's public half agrees with the app's, and finds the true keys.
    for (const role of ROLES) {
      expect(x25519Public(run.known.poll[role])).toEqual(publicKeyOf(run.known.poll[role]));
      expect(
        candidatesMatchingPublicKeys([{ where: role, key: run.known.poll[role] }], [run.known.publicKey[role]])
      ).toHaveLength(1);
    }
    // Each poll's key opens its box; each member's key opens their share.
    expect(taken.openingControl.opened).toHaveLength(ROLES.length + run.known.shares.length);
    for (const role of ROLES) {
      expect(run.boxes[role].rows).toHaveLength(BALLOTS_PER_POLL);
      expect(taken.truePollKeysOpen[role].answersMatch).toBe(BALLOTS_PER_POLL);
      // What the insider could have tried the keys on in the log: the same sealed ballots as the box copies.
      expect(taken.sealedInWal[role]).toBe(BALLOTS_PER_POLL);
    }
    expect(taken.sharesInEvidence).toBe(run.known.shares.length);
  });

  it(`links no ballot to its credential or its group better than chance (false alarms < ${FALSE_ALARMS} a run)`, () => {
    const v = taken.verdict;
    for (const role of ATTACKED) {
      console.log(
        scoreTable(
          `Linkage, ${role} poll, ${run.mode}, mixing on, ${BALLOTS_PER_POLL} ballots`,
          taken.linkage[role].scores
        )
      );
    }
    const scores = ATTACKED.flatMap((role) => taken.linkage[role].scores);
    const untestedPools = scores.filter((s) => v.tested.get(s)!.pooled === null);
    console.log(
      `${v.tests} tests can fail (${ATTACKED.length} polls × ${
        scores.length / ATTACKED.length
      } heuristics, credentials` +
        (untestedPools.length === scores.length
          ? `; pooled groups cannot: with a pool of ${GROUP_PLAN[2].handedOut} + ${GROUP_PLAN[3].handedOut} ballots ` +
            `the best possible guess has p = ${formatP(v.tested.get(scores[0])!.pooledBestP)}, shown, not tested`
          : "") +
        `), each failed at p ≤ ${v.threshold.toExponential(2)}: false alarms at most ${FALSE_ALARMS} a run ` +
        `(Bonferroni), ${v.falseAlarms.toExponential(2)} by each test's exact chance; ` +
        `most right guesses ${Math.max(...scores.map((s) => s.correct))} of ${BALLOTS_PER_POLL} (expected ` +
        `${Math.max(...scores.map((s) => s.expected)).toFixed(1)}; the fewest that fail: ` +
        `${Math.min(...scores.map((s) => v.tested.get(s)!.credential ?? Infinity))}), smallest p-value ` +
        `${formatP(Math.min(...scores.map((s) => s.pValue)))}; most pooled ballots put in their group ` +
        `${Math.max(...scores.map((s) => s.pooled.correct))} of ${GROUP_PLAN[2].handedOut + GROUP_PLAN[3].handedOut} ` +
        `(expected ${Math.max(...scores.map((s) => s.pooled.expected)).toFixed(1)}), smallest p-value ` +
        `${formatP(Math.min(...scores.map((s) => s.pooled.pValue)))}`
    );
    expect(v.falseAlarms).toBeLessThan(FALSE_ALARMS);
    // Every heuristic's credential statistic is tested.
    expect(v.tests).toBeGreaterThanOrEqual(scores.length);
    for (const role of ATTACKED) {
      const { scores, snapshot } = taken.linkage[role];
      expect(snapshot.counted).toHaveLength(BALLOTS_PER_POLL);
      for (const s of scores) {
        const tested = v.tested.get(s)!;
        expect(tested.credential).not.toBeNull();
        expect(s.pValue, `${role} ${s.id} ${s.label}: ${s.correct}/${s.n}`).toBeGreaterThan(v.threshold);
        if (tested.pooled !== null) {
          expect(s.pooled.pValue, `${role} ${s.id} pooled: ${s.pooled.correct}/${s.pooled.n}`).toBeGreaterThan(
            v.threshold
          );
        }
      }
      // The direct heuristics found nothing to guess from; every ordering heuristic guessed every ballot.
      const byId = new Map(scores.map((s) => [s.id, s]));
      expect(byId.get("a1")!.n).toBe(0);
      expect(byId.get("e")!.n).toBe(0);
      for (const id of ["a2", "b1", "b2", "c1", "c2", "d", "f", "g1", "g2", "h1", "h2", "i", "r1", "r2"]) {
        expect(byId.get(id)!.n, id).toBe(BALLOTS_PER_POLL);
      }
    }
  });

  it("links the control poll, counted with mixing switched off, through the same attack", () => {
    const { scores } = taken.linkage.control;
    console.log(scoreTable(`Linkage, control poll, ${run.mode}, mixing off, ${BALLOTS_PER_POLL} ballots`, scores));
    // And what the insider lacks: a poll's key (the key file before the count, or k members' keys) with a copy of
    // the box taken during the poll links every ballot, mixed or not; the threat model names that custody.
    console.log(
      `With the true key and the box copy (not the insider's): ` +
        ROLES.map((r) => `${r} ${taken.linkedWithTrueKey[r]}/${BALLOTS_PER_POLL}`).join(", ") +
        " ballots linked to their credential"
    );
    for (const role of ROLES) expect(taken.linkedWithTrueKey[role]).toBe(BALLOTS_PER_POLL);
    const byId = new Map(scores.map((s) => [s.id, s]));
    // The WAL's record of where each cast wrote its sealed row, and the box copy: each pairs every ballot.
    for (const id of ["h2", "i"]) {
      const s = byId.get(id)!;
      expect(s.correct / s.n, `${s.id} ${s.label}: ${s.correct}/${s.n}`).toBeGreaterThanOrEqual(0.95);
      expect(s.pValue).toBeLessThan(taken.verdict.threshold);
    }
    // The orders of the casts (transaction ids, commit times, request times, the log's records and bytes) follow the
    // box's physical order closely, not exactly, when casts overlap on PostgreSQL (concurrent inserts go to different
    // pages): each still links far beyond the threshold the mixed polls are held to.
    for (const id of ["a2", "d", "g2", "h1", "r1", "r2"]) {
      const s = byId.get(id)!;
      expect(s.pValue, `${s.id} ${s.label}: ${s.correct}/${s.n}`).toBeLessThan(taken.verdict.threshold);
    }
  });
});
