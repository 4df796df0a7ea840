import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { castBallot } from "~/ballots/cast.server";
import { db } from "~/db.server";
import { translate } from "~/i18n/i18n";
import { issueBatch } from "~/credentials/credentials.server";
import { confirmPaperEntry, savePaperEntry } from "~/paper/paper.server";
import { closePoll, openPoll } from "~/polls/lifecycle.server";
import { createPoll } from "~/polls/polls.server";
import { confirmTally, publishPoll, readTally } from "~/polls/publish.server";
import type { PollTally } from "~/results/tally";
import { loader as boardLoader } from "~/routes/p.$pollId._index";
import { loader as ballotsLoader } from "~/routes/p.$pollId.ballots[.csv]";
import { recount } from "../../scripts/recount";
import { createUser, dataOf, makeRequest, run, sessionCookie, statusOf } from "../../tests/setup/fixtures";
import { createPollFixture } from "../../tests/setup/poll-fixtures";
import { normalizeReceipt, RECEIPTS_PER_PAGE } from "./board.server";

type Fixture = Awaited<ReturnType<typeof createPollFixture>>;

/** Answers per ballot, one level code per subject (0 = blank); mixed across both groups. */
const BALLOTS = [
  [1, 3, 2],
  [3, 3, 0],
  [2, 1, 1],
  [3, 2, 1],
  [1, 0, 3],
];

function board(pollId: number | string, query = "", cookie?: string) {
  return run(() =>
    boardLoader({
      request: makeRequest(`/p/${pollId}${query}`, { cookie }),
      params: { pollId: String(pollId) },
      context: {},
    })
  );
}

function download(pollId: number | string) {
  return run(() =>
    ballotsLoader({ request: makeRequest(`/p/${pollId}/ballots.csv`), params: { pollId: String(pollId) }, context: {} })
  );
}

/** The answer rows of a ballots file, each a list of codes (the row number dropped), and the header row. */
function answerRows(csv: string): { header: string; rows: number[][] } {
  const lines = csv
    .replace(/^\uFEFF/, "")
    .trim()
    .split("\r\n")
    .filter((line) => !/^"?#/.test(line));
  for (const [i, line] of lines.slice(1).entries()) expect(line).toMatch(new RegExp(`^${i + 1}(,\\d+)+$`));
  return { header: lines[0], rows: lines.slice(1).map((line) => line.split(",").slice(1).map(Number)) };
}

/** Each subject's answers, sorted: what a column holds, whatever its order. */
function columnsOf(rows: number[][], subjects: number): number[][] {
  return Array.from({ length: subjects }, (_, s) => rows.map((row) => row[s]).sort((a, b) => a - b));
}

/** The counts a column gives, in the tally's terms: blanks (code 0) as invalid, code i as the i-th level. */
function countsOf(column: number[], levels: PollTally["levels"]) {
  return {
    invalid: column.filter((code) => code === 0).length,
    counts: Object.fromEntries(levels.map((level, i) => [level, column.filter((code) => code === i + 1).length])),
  };
}

function factorial(n: number): bigint {
  let product = 1n;
  for (let i = 2n; i <= BigInt(n); i++) product *= i;
  return product;
}

function headersOf(result: unknown): Headers {
  if (result instanceof Response) return result.headers;
  return new Headers((result as { init?: { headers?: HeadersInit } }).init?.headers);
}

/** Casts the ballots from slips of both groups; returns the receipts. */
async function castAll(f: Fixture, ballots: number[][]) {
  const { slips: first } = await f.issue(f.group1.id, Math.ceil(ballots.length / 2) + 1);
  const { slips: second } = await f.issue(f.group2.id, Math.floor(ballots.length / 2) + 1);
  await db
    .updateTable("credential_batches")
    .set({ handed_out: sql`size` })
    .where("poll_id", "=", f.pollId)
    .execute();
  await f.open();
  const codes = [...first.slice(0, Math.ceil(ballots.length / 2)), ...second].map((s) => s.code);
  const receipts: string[] = [];
  for (const [i, levels] of ballots.entries()) {
    const cast = await castBallot({ code: codes[i], levels });
    if (cast.status !== "counted") throw new Error(`ballot ${i} not counted: ${cast.status}`);
    receipts.push(cast.receipt);
  }
  return receipts;
}

/** Two counting members confirm the tally and the officer publishes it. */
async function publish(f: Fixture) {
  for (const username of ["kiemphieu1", "kiemphieu2"]) {
    const member = await createUser(username, [{ role: "counting_member", unitId: f.ward.id }]);
    const { hash } = (await readTally({ pollId: f.pollId }))!;
    await confirmTally({ actor: { userId: member.id, label: username }, pollId: f.pollId, shownHash: hash });
  }
  await publishPoll({ actor: f.actor, pollId: f.pollId });
  const poll = await db
    .selectFrom("polls")
    .select(["tally", "tally_hash"])
    .where("id", "=", f.pollId)
    .executeTakeFirstOrThrow();
  return { tally: poll.tally as PollTally, hash: poll.tally_hash! };
}

async function publishedPoll(ballots = BALLOTS) {
  const f = await createPollFixture();
  const receipts = await castAll(f, ballots);
  await closePoll({ actor: f.actor, pollId: f.pollId });
  const published = await publish(f);
  return { ...f, receipts, ...published };
}

/** A second poll of the same ward, open, with one ballot cast: its receipt belongs to another poll. */
async function otherPollReceipt(f: Fixture) {
  const positionIds = (await db.selectFrom("positions").select("id").execute()).map((p) => p.id);
  const other = await createPoll({
    actor: f.actor,
    input: {
      unitId: f.ward.id,
      kind: "confidence_poll",
      title: "Một cuộc lấy phiếu khác",
      place: "Nhà văn hóa",
      positionIds,
      groupIds: [f.group1.id],
      committee: [],
    },
  });
  const { slips } = await issueBatch({ actor: f.actor, pollId: other.id, groupId: f.group1.id, count: 1 });
  await openPoll({ actor: f.actor, pollId: other.id });
  const cast = await castBallot({ code: slips[0].code, levels: [1, 1, 1] });
  if (cast.status !== "counted") throw new Error(cast.status);
  return cast.receipt;
}

describe("the public board of a published poll", () => {
  it("shows the frozen tally's totals per subject, the invariant and the hash, to anyone, cached briefly", async () => {
    const f = await publishedPoll();
    const result = await board(f.pollId);
    expect(statusOf(result)).toBe(200);
    expect(headersOf(result).get("Cache-Control")).toBe("public, max-age=60");
    expect(headersOf(result).get("Vary")).toBe("Cookie");
    const page = dataOf(result);

    expect(page.poll).toMatchObject({
      id: f.pollId,
      title: "Lấy phiếu tín nhiệm cán bộ chủ chốt năm 2026",
      kind: "confidence_poll",
      wardName: "Phường Thanh Xuân",
      unitName: null,
      tallyHash: f.hash,
    });
    expect(Number.isNaN(Date.parse(page.poll.publishedAt))).toBe(false);
    expect(page.summary.levels).toEqual(f.tally.levels);
    expect(page.summary.ballots).toEqual({
      handedOut: f.tally.slips.handedOut,
      collected: 5,
      turnoutPercent: f.tally.turnoutPercent,
    });
    // The published totals of each subject, and nothing else of it (no flags, no breakdown by residential group).
    expect(page.summary.subjects).toEqual(
      f.tally.subjects.map((s) => ({
        subjectId: s.subjectId,
        fullName: s.fullName,
        title: s.title,
        unitName: s.unitName,
        counts: s.counts,
        invalid: s.invalid,
        denominator: s.denominator,
        percentages: s.percentages,
      }))
    );
    expect(page.summary.subjects.map((s: { counts: unknown; invalid: number }) => [s.counts, s.invalid])).toEqual([
      [{ high_confidence: 2, confidence: 1, low_confidence: 2 }, 0],
      [{ high_confidence: 1, confidence: 1, low_confidence: 2 }, 1],
      [{ high_confidence: 2, confidence: 1, low_confidence: 1 }, 1],
    ]);
    expect(page.summary.invariant).toEqual({ receipts: 5, credentialsUsed: 5, ballotsCounted: 5, holds: true });
    expect(page.summary.stored).toEqual({ receipts: 5, ballotsCounted: 5 });

    // Nothing private reaches the page: no credential hash, no residential group, no flag, no time of casting.
    const serialized = JSON.stringify(page);
    const hashes = await db.selectFrom("credential_uses").select("code_hash").execute();
    expect(hashes).toHaveLength(5);
    for (const { code_hash } of hashes) expect(serialized).not.toContain(code_hash);
    expect(serialized).not.toContain("code_hash");
    expect(serialized).not.toContain("Tổ dân phố");
    expect(serialized).not.toContain("flags");
    expect(serialized).not.toContain("byGroup");

    // An officer with a session sees their name in the header: the page is then private to their browser.
    const withSession = await board(f.pollId, "", await sessionCookie(f.officer.id));
    expect(statusOf(withSession)).toBe(200);
    expect(headersOf(withSession).get("Cache-Control")).toBe("private, max-age=60");
  });

  it("answers the same 404 for a poll that does not exist and for a draft, an open or a closed one", async () => {
    const f = await createPollFixture();
    const bodyOf = async (pollId: number | string) => {
      const [page, file] = [await board(pollId), await download(pollId)];
      expect(statusOf(page)).toBe(404);
      expect(statusOf(file)).toBe(404);
      return [await (page as Response).text(), await (file as Response).text()].join("|");
    };
    const missing = await bodyOf(999999);
    expect(await bodyOf("abc")).toBe(missing);
    expect(await bodyOf(f.pollId)).toBe(missing); // draft
    const { slips } = await f.issue(f.group1.id, 1);
    // Handed out, so that the ballot cast does not exceed the slips handed out (a warning that blocks publishing).
    await db
      .updateTable("credential_batches")
      .set({ handed_out: sql`size` })
      .where("poll_id", "=", f.pollId)
      .execute();
    await f.open();
    await castBallot({ code: slips[0].code, levels: [1, 2, 3] });
    expect(await bodyOf(f.pollId)).toBe(missing); // open
    await closePoll({ actor: f.actor, pollId: f.pollId });
    expect(await bodyOf(f.pollId)).toBe(missing); // closed and counted, not published
    await publish(f);
    expect(statusOf(await board(f.pollId))).toBe(200);
  });

  it("lists exactly the poll's receipts, in alphabetical order, 200 a page", async () => {
    const ballots = Array.from({ length: RECEIPTS_PER_PAGE + 3 }, (_, i) => [(i % 4) as number, 1, 0]);
    const f = await publishedPoll(ballots);
    await otherPollReceipt(f);
    const stored = (await db.selectFrom("credential_uses").select("receipt").where("poll_id", "=", f.pollId).execute())
      .map((r) => r.receipt)
      .sort();
    expect(stored).toHaveLength(RECEIPTS_PER_PAGE + 3);
    expect([...f.receipts].sort()).toEqual(stored);

    const first = dataOf(await board(f.pollId));
    expect(first.receipts).toMatchObject({
      total: RECEIPTS_PER_PAGE + 3,
      page: 1,
      pages: 2,
      perPage: RECEIPTS_PER_PAGE,
    });
    expect(first.receipts.items).toEqual(stored.slice(0, RECEIPTS_PER_PAGE));
    const second = dataOf(await board(f.pollId, "?page=2"));
    expect(second.receipts.items).toEqual(stored.slice(RECEIPTS_PER_PAGE));
    // Not the order of casting (a 203-long list left in that order by chance is not a real risk).
    expect([...first.receipts.items, ...second.receipts.items]).not.toEqual(f.receipts);
    // A page out of range or not a number shows the nearest page.
    expect(dataOf(await board(f.pollId, "?page=99")).receipts.page).toBe(2);
    expect(dataOf(await board(f.pollId, "?page=abc")).receipts.page).toBe(1);
  });

  it("says whether a receipt was counted, never more, and is never cached", async () => {
    const f = await publishedPoll();
    const another = await otherPollReceipt(f);
    const check = async (typed: string) => {
      const result = await board(f.pollId, `?receipt=${encodeURIComponent(typed)}`);
      expect(statusOf(result)).toBe(200);
      expect(headersOf(result).get("Cache-Control")).toBe("no-store");
      return dataOf(result).check;
    };

    const mine = f.receipts[2];
    const answer = await check(mine);
    expect(answer).toEqual({ result: "counted", receipt: mine, page: 1 });
    // Typed as a resident might: lower case, spaces instead of hyphens, or none at all.
    expect((await check(` ${mine.toLowerCase().replace(/-/g, " ")} `)).result).toBe("counted");
    expect((await check(mine.replace(/-/g, ""))).result).toBe("counted");

    expect(await check(another)).toEqual({ result: "not_found", receipt: another });
    expect(await check("ZZZZ-ZZZZ-ZZZZ")).toEqual({ result: "not_found", receipt: "ZZZZ-ZZZZ-ZZZZ" });
    for (const garbage of ["", "abc", "AAAA-AAAA-AAAA", `${mine}-1`, "<script>"]) {
      expect((await check(garbage)).result).toBe("malformed");
    }
    expect(translate("vi", "board.check.malformed")).toMatch(/^Mã biên nhận gồm 12 ký tự/);
    expect(normalizeReceipt("đđđđ-bbbb-cccc")).toBeNull();
    expect(normalizeReceipt("bcfg hjkm npqr")).toBe("BCFG-HJKM-NPQR");
  });

  it("offers the anonymized ballots, whose recount equals the published counts exactly", async () => {
    const f = await publishedPoll();
    const file = (await download(f.pollId)) as Response;
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(file.headers.get("Content-Disposition")).toBe(`attachment; filename="phieu-da-kiem-${f.pollId}.csv"`);
    const csv = await file.text();

    const result = recount(csv);
    expect(result.ballots).toBe(f.tally.ballots.collected);
    expect(result.levels).toEqual([
      "Để trống (không hợp lệ đối với người này)",
      "Tín nhiệm cao",
      "Tín nhiệm",
      "Tín nhiệm thấp",
    ]);
    expect(result.subjects).toHaveLength(3);
    for (const [s, subject] of f.tally.subjects.entries()) {
      const recounted = result.subjects[s];
      expect(recounted.column).toBe(`Người ${s + 1}`);
      expect(recounted.name).toBe(`${subject.fullName} — ${subject.title}`);
      expect(recounted.counts).toEqual([subject.invalid, ...f.tally.levels.map((level) => subject.counts[level])]);
      // Over ballots collected, as the poll's rules say: the same percentages, to the hundredth.
      expect(recounted.percentages.slice(1)).toEqual(f.tally.levels.map((level) => subject.percentages[level]));
    }

    // Answers only: the header, then as many rows as ballots, each a row number and one code per subject. Each
    // column holds exactly that subject's answers, and counting it gives the published figures.
    const { header, rows } = answerRows(csv);
    expect(header).toBe("STT,Người 1,Người 2,Người 3");
    expect(rows).toHaveLength(BALLOTS.length);
    for (const row of rows) expect(row.every((code) => code >= 0 && code <= 3)).toBe(true);
    expect(columnsOf(rows, 3)).toEqual(columnsOf(BALLOTS, 3));
    for (const [s, subject] of f.tally.subjects.entries()) {
      expect(countsOf(columnsOf(rows, 3)[s], f.tally.levels)).toEqual({
        invalid: subject.invalid,
        counts: subject.counts,
      });
    }
    // No receipt, no residential group, no time anywhere in the file.
    for (const receipt of f.receipts) expect(csv).not.toContain(receipt);
    expect(csv).not.toContain("Tổ dân phố");
    expect(csv).not.toMatch(/\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{4}/);
  });

  it("shuffles each subject's column on its own: the counts hold, but no row need be a ballot", async () => {
    // Every answer pattern of 3 subjects × 4 codes (blank and the 3 levels), once each: 64 ballots, no two alike,
    // and each subject gets each code 16 times.
    const patterns = Array.from({ length: 64 }, (_, n) => [n % 4, Math.floor(n / 4) % 4, Math.floor(n / 16)]);
    expect(new Set(patterns.map((p) => p.join())).size).toBe(64);
    const f = await publishedPoll(patterns);
    for (const subject of f.tally.subjects) {
      expect(subject.invalid).toBe(16);
      expect(subject.counts).toEqual({ high_confidence: 16, confidence: 16, low_confidence: 16 });
    }
    const csv = await ((await download(f.pollId)) as Response).text();
    const { rows } = answerRows(csv);
    expect(rows).toHaveLength(64);

    // (1) Per subject, the column's counts are the published tally.
    const columns = columnsOf(rows, 3);
    for (const [s, subject] of f.tally.subjects.entries()) {
      expect(countsOf(columns[s], f.tally.levels)).toEqual({ invalid: subject.invalid, counts: subject.counts });
    }

    // (2) The rows are not the ballots. The chance that independent shuffles give back exactly the cast patterns
    // (as a multiset of rows): take the rows in column 1's order; columns 2 and 3 are then each a uniformly random
    // arrangement of their codes, (64! / 16!^4)^2 equally likely layouts. The patterns being distinct, the rows are
    // the patterns exactly when each block of 16 rows sharing a column-1 code holds that block's 16 (column 2,
    // column 3) pairs in some order: 16! ways a block, 16!^4 in all. So the chance is 16!^12 / 64!^2 ≈ 4.4e-19,
    // checked below to be under 1e-9: this assertion cannot fail by chance.
    const chance = { numerator: factorial(16) ** 12n, denominator: factorial(64) ** 2n };
    expect(chance.numerator * 10n ** 9n < chance.denominator).toBe(true);
    const byPattern = (list: number[][]) => list.map((row) => row.join(",")).sort();
    expect(byPattern(rows)).not.toEqual(byPattern(patterns));

    // (3) The recount script, reading the shuffled file, gives the published tally.
    const recounted = recount(csv);
    expect(recounted.ballots).toBe(64);
    expect(recounted.ballots).toBe(f.tally.ballots.collected);
    for (const [s, subject] of f.tally.subjects.entries()) {
      expect(recounted.subjects[s].counts).toEqual([
        subject.invalid,
        ...f.tally.levels.map((level) => subject.counts[level]),
      ]);
      expect(recounted.subjects[s].percentages.slice(1)).toEqual(
        f.tally.levels.map((level) => subject.percentages[level])
      );
    }
    // Still nothing of the residential groups, nor of the receipts.
    expect(csv).not.toContain("Tổ dân phố");
    for (const receipt of f.receipts) expect(csv).not.toContain(receipt);
  });

  it("shows the online and paper ballots apart, and their total, once a paper count is confirmed", async () => {
    const f = await createPollFixture();
    await castAll(f, BALLOTS);
    await closePoll({ actor: f.actor, pollId: f.pollId });
    const subjectIds = (
      await db.selectFrom("poll_subjects").select("id").where("poll_id", "=", f.pollId).orderBy("sort_order").execute()
    ).map((s) => s.id);
    // Group 1's meeting: 3 online ballots and 24 paper ones from 30 present of 40 summoned, so nothing to reconcile.
    const paper = [
      { counts: [12, 8, 2], invalid: 1 },
      { counts: [5, 10, 7], invalid: 1 },
      { counts: [3, 6, 14], invalid: 0 },
    ];
    const enterer = await createUser("nhapphieugiay", [{ role: "counting_member", unitId: f.ward.id }]);
    const confirmer = await createUser("xacnhanphieugiay", [{ role: "counting_member", unitId: f.ward.id }]);
    const { version } = await savePaperEntry({
      actor: { userId: enterer.id, label: enterer.username },
      pollId: f.pollId,
      scope: f.group1.id,
      figures: {
        summoned: 40,
        present: 30,
        issued: 25,
        collected: 24,
        valid: 23,
        invalid: 1,
        subjects: subjectIds.map((subjectId, i) => ({ subjectId, ...paper[i] })),
      },
      expectedVersion: null,
    });
    await confirmPaperEntry({
      actor: { userId: confirmer.id, label: confirmer.username },
      pollId: f.pollId,
      scope: f.group1.id,
      version,
    });
    const { tally } = await publish(f);
    expect(tally.warnings).toEqual([]);

    const summary = dataOf(await board(f.pollId)).summary;
    expect(summary.ballots).toEqual({
      handedOut: tally.slips.handedOut,
      collected: 29,
      turnoutPercent: tally.turnoutPercent,
      channels: { online: 5, paper: 24, paperIssued: 25 },
    });
    const levels = (counts: number[]) => ({
      high_confidence: counts[0],
      confidence: counts[1],
      low_confidence: counts[2],
    });
    // Online as in the first test; paper as entered; the total is their sum, the percentages over the 29 ballots.
    expect(summary.subjects.map((s: { byChannel: unknown }) => s.byChannel)).toEqual([
      { online: { counts: levels([2, 1, 2]), invalid: 0 }, paper: { counts: levels([12, 8, 2]), invalid: 1 } },
      { online: { counts: levels([1, 1, 2]), invalid: 1 }, paper: { counts: levels([5, 10, 7]), invalid: 1 } },
      { online: { counts: levels([2, 1, 1]), invalid: 1 }, paper: { counts: levels([3, 6, 14]), invalid: 0 } },
    ]);
    expect(summary.subjects.map((s: { counts: unknown; invalid: number }) => [s.counts, s.invalid])).toEqual([
      [levels([14, 9, 4]), 1],
      [levels([6, 11, 9]), 2],
      [levels([5, 7, 15]), 1],
    ]);
    expect(summary.subjects[0].percentages).toEqual({
      high_confidence: 48.28,
      confidence: 31.03,
      low_confidence: 13.79,
    });
    // The receipts still reconcile with the online ballots alone.
    expect(summary.invariant).toEqual({ receipts: 5, credentialsUsed: 5, ballotsCounted: 5, holds: true });

    // Still nothing of the residential groups: not the meeting's paper entry, not the breakdowns.
    const serialized = JSON.stringify(dataOf(await board(f.pollId)));
    expect(serialized).not.toContain("Tổ dân phố");
    expect(serialized).not.toContain("byGroup");
    expect(serialized).not.toContain("flags");

    // The anonymized file holds the online ballots: its recount is the online channel, exactly.
    const recounted = recount(await ((await download(f.pollId)) as Response).text());
    expect(recounted.ballots).toBe(summary.ballots.channels.online);
    for (const [s, subject] of summary.subjects.entries()) {
      const { online } = subject.byChannel;
      expect(recounted.subjects[s].counts).toEqual([
        online.invalid,
        ...tally.levels.map((level) => online.counts[level]),
      ]);
    }
  });
});
