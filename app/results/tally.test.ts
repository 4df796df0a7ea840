import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { castBallot } from "~/ballots/cast.server";
import { closePoll } from "~/polls/lifecycle.server";
import { readTally } from "~/polls/publish.server";
import { createPoll, PollInputError } from "~/polls/polls.server";
import { db } from "~/db.server";
import { action as newPollAction } from "~/routes/units.$unitId.polls.new";
import { loader as resultsLoader } from "~/routes/polls.$pollId.results";
import { loader as minutesLoader } from "~/routes/polls.$pollId.minutes";
import { createUnit, dataOf, makeRequest, run, sessionCookie, statusOf } from "../../tests/setup/fixtures";
import { createPollFixture } from "../../tests/setup/poll-fixtures";
import { computeTally, protectGroups, tallyHash } from "./tally.server";
import type { GroupTally, PollTally } from "./tally";

describe("the tally of a confidence poll", () => {
  it("matches a known set of ballots exactly: counts, blanks, percentages over ballots collected, flags", async () => {
    const f = await createPollFixture({ k: 3 });
    // Subject 1: 4 low of 6 → 2/3 → dismissal. Subject 2: 3 low, 1 blank → 1/2, not above → no flag.
    // Subject 3: 4 high, 2 confidence → no flag.
    const ballots = [
      [3, 3, 1],
      [3, 3, 1],
      [3, 3, 1],
      [3, 0, 1],
      [1, 1, 2],
      [2, 2, 2],
    ];
    const { slips: g1 } = await f.issue(f.group1.id, 5);
    const { slips: g2 } = await f.issue(f.group2.id, 3);
    await db.updateTable("credential_batches").set({ handed_out: 5 }).where("group_id", "=", f.group1.id).execute();
    await db.updateTable("credential_batches").set({ handed_out: 3 }).where("group_id", "=", f.group2.id).execute();
    await f.open();
    const codes = [...g1.slice(0, 4), ...g2.slice(0, 2)].map((s) => s.code);
    for (const [i, levels] of ballots.entries())
      expect((await castBallot({ code: codes[i], levels })).status).toBe("counted");
    await closePoll({ actor: f.actor, pollId: f.pollId });

    const tally = (await computeTally({ pollId: f.pollId }))!;
    expect(tally.ballots).toEqual({ collected: 6, valid: 6, invalid: 0 });
    expect(tally.slips).toEqual({ issued: 8, handedOut: 8, used: 6, voided: 0 });
    expect(tally.turnoutPercent).toBe(75);
    expect(tally.invariant).toEqual({ receipts: 6, credentialsUsed: 6, ballotsCounted: 6, holds: true });
    const [s1, s2, s3] = tally.subjects;
    expect(s1.fullName).toBe("Nguyễn Văn Thành");
    expect(s1.counts).toEqual({ high_confidence: 1, confidence: 1, low_confidence: 4 });
    expect(s1.percentages).toEqual({ high_confidence: 16.67, confidence: 16.67, low_confidence: 66.67 });
    expect(s1.flags).toEqual(["dismissal"]);
    expect(s2.counts).toEqual({ high_confidence: 1, confidence: 1, low_confidence: 3 });
    expect(s2.invalid).toBe(1);
    expect(s2.flags).toEqual([]);
    expect(s3.counts).toEqual({ high_confidence: 4, confidence: 2, low_confidence: 0 });
    expect(s3.flags).toEqual([]);
    // 2 ballots are under k = 3; with the total of 6 published, the 4 beside them would give them away.
    expect(tally.groups.map((g) => [g.name, g.ballotsCollected, g.suppressed])).toEqual([
      ["Tổ dân phố số 1", null, true],
      ["Tổ dân phố số 2", null, true],
    ]);
    expect(tallyHash(tally)).toBe(tallyHash((await computeTally({ pollId: f.pollId }))!));
  });

  it("matches a generated set of 60 ballots with known answers, recomputed independently", async () => {
    const f = await createPollFixture({ k: 3 });
    const { slips } = await f.issue(f.group1.id, 60);
    await db.updateTable("credential_batches").set({ handed_out: 60 }).where("poll_id", "=", f.pollId).execute();
    await f.open();
    // A fixed pseudo-random sequence, so a failure can be replayed.
    let seed = 20261128;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 4;
    const ballots = slips.map(() => [next(), next(), next()]);
    for (const [i, levels] of ballots.entries()) await castBallot({ code: slips[i].code, levels });
    await closePoll({ actor: f.actor, pollId: f.pollId });
    const tally = (await computeTally({ pollId: f.pollId }))!;
    const levelNames = ["high_confidence", "confidence", "low_confidence"] as const;
    for (let s = 0; s < 3; s++) {
      const answers = ballots.map((b) => b[s]);
      const expected = Object.fromEntries(
        levelNames.map((name, i) => [name, answers.filter((a) => a === i + 1).length])
      );
      expect(tally.subjects[s].counts).toEqual(expected);
      expect(tally.subjects[s].invalid).toBe(answers.filter((a) => a === 0).length);
      for (const name of levelNames) {
        expect(tally.subjects[s].percentages[name]).toBe(Math.round((expected[name] / 60) * 10000) / 100);
      }
      const low = expected.low_confidence;
      const flag = low * 3 >= 60 * 2 ? ["dismissal"] : low * 2 > 60 ? ["review"] : [];
      expect(tally.subjects[s].flags).toEqual(flag);
    }
    expect(tally.invariant).toEqual({ receipts: 60, credentialsUsed: 60, ballotsCounted: 60, holds: true });
  });

  it("flags a confidence vote for dismissal above half no confidence", async () => {
    const f = await createPollFixture({ kind: "confidence_vote" });
    const { slips } = await f.issue(f.group1.id, 3);
    await f.open();
    await castBallot({ code: slips[0].code, levels: [2, 1, 1] });
    await castBallot({ code: slips[1].code, levels: [2, 2, 1] });
    await castBallot({ code: slips[2].code, levels: [1, 0, 1] });
    await closePoll({ actor: f.actor, pollId: f.pollId });
    const tally = (await computeTally({ pollId: f.pollId }))!;
    expect(tally.levels).toEqual(["confidence", "no_confidence"]);
    expect(tally.subjects.map((s) => s.flags)).toEqual([["dismissal"], [], []]);
    expect(tally.subjects[1]).toMatchObject({ counts: { confidence: 1, no_confidence: 1 }, invalid: 1 });
  });

  it("is not available before the poll closes", async () => {
    const f = await createPollFixture();
    expect(await computeTally({ pollId: f.pollId })).toBeNull();
    await f.issue(f.group1.id, 1);
    await f.open();
    expect(await computeTally({ pollId: f.pollId })).toBeNull();
  });

  it("withholds groups of 4 and 2 beside one of 7 (k = 5) in the tally itself, so in every output", async () => {
    const f = await createPollFixture({ k: 5 });
    const group3 = await createUnit("Tổ dân phố số 3", "residential_group", f.ward.id);
    await db.insertInto("poll_groups").values({ poll_id: f.pollId, unit_id: group3.id }).execute();
    const sizes: [number, number, number][] = [
      [f.group1.id, 10, 9],
      [f.group2.id, 6, 6],
      [group3.id, 5, 5],
    ];
    const codes = new Map<number, string[]>();
    for (const [groupId, issued, handedOut] of sizes) {
      codes.set(
        groupId,
        (await f.issue(groupId, issued)).slips.map((s) => s.code)
      );
      await db
        .updateTable("credential_batches")
        .set({ handed_out: handedOut })
        .where("group_id", "=", groupId)
        .execute();
    }
    await f.open();
    // Level codes per subject: 1 high, 2 confidence, 3 low, 0 blank.
    const ballots = new Map<number, number[][]>([
      // Subject 1: all 7 high. Subject 2: 5 high, 2 confidence. Subject 3: 6 confidence, 1 low.
      [
        f.group1.id,
        [
          [1, 1, 2],
          [1, 1, 2],
          [1, 1, 2],
          [1, 1, 2],
          [1, 1, 2],
          [1, 2, 2],
          [1, 2, 3],
        ],
      ],
      // Subject 1: 4 high. Subject 2: 3 high, 1 low. Subject 3: 4 confidence.
      [
        f.group2.id,
        [
          [1, 1, 2],
          [1, 1, 2],
          [1, 1, 2],
          [1, 3, 2],
        ],
      ],
      // Subject 1: 2 high. Subject 2: 1 confidence, 1 blank. Subject 3: 2 low.
      [
        group3.id,
        [
          [1, 2, 3],
          [1, 0, 3],
        ],
      ],
    ]);
    for (const [groupId, list] of ballots) {
      for (const [i, levels] of list.entries()) {
        expect((await castBallot({ code: codes.get(groupId)![i], levels })).status).toBe("counted");
      }
    }
    await closePoll({ actor: f.actor, pollId: f.pollId });
    const tally = (await computeTally({ pollId: f.pollId }))!;

    // The poll's own totals are whole.
    expect(tally.ballots.collected).toBe(13);
    expect(tally.subjects.map((s) => [s.counts, s.invalid])).toEqual([
      [{ high_confidence: 13, confidence: 0, low_confidence: 0 }, 0],
      [{ high_confidence: 8, confidence: 3, low_confidence: 1 }, 1],
      [{ high_confidence: 0, confidence: 10, low_confidence: 3 }, 0],
    ]);
    // Ballots per group: two groups under k, neither recoverable from the other and the total (6 = 4 + 2).
    expect(tally.groups).toEqual([
      {
        unitId: f.group1.id,
        name: "Tổ dân phố số 1",
        slipsIssued: 10,
        slipsHandedOut: 9,
        ballotsCollected: 7,
        suppressed: false,
      },
      {
        unitId: f.group2.id,
        name: "Tổ dân phố số 2",
        slipsIssued: 6,
        slipsHandedOut: 6,
        ballotsCollected: null,
        suppressed: true,
      },
      {
        unitId: group3.id,
        name: "Tổ dân phố số 3",
        slipsIssued: 5,
        slipsHandedOut: 5,
        ballotsCollected: null,
        suppressed: true,
      },
    ]);

    // Per subject and group: the small groups' ballots carry no group, so their rows are withheld whole; group 1
    // shows only what cannot lead back to them.
    const shown = (t: PollTally) =>
      t.subjects.map((s) =>
        s.byGroup!.map((row) => [row.name, ...t.levels.map((l) => row.cells[l]!.count), row.cells.invalid!.count])
      );
    expect(shown(tally)).toEqual([
      // All 13 high: nothing in this subject is hidden by anyone's vote; zeros restate the published zero totals.
      [
        ["Tổ dân phố số 1", 7, 0, 0, 0],
        ["Tổ dân phố số 2", null, null, null, null],
        ["Tổ dân phố số 3", null, null, null, null],
      ],
      // The 3 high of the pool would be 8 minus group 1's 5: the 5 goes too.
      [
        ["Tổ dân phố số 1", null, null, null, null],
        ["Tổ dân phố số 2", null, null, null, null],
        ["Tổ dân phố số 3", null, null, null, null],
      ],
      // The pool's 4 confidence would be 10 minus group 1's 6; group 1's 1 low is under k.
      [
        ["Tổ dân phố số 1", 0, null, null, 0],
        ["Tổ dân phố số 2", null, null, null, null],
        ["Tổ dân phố số 3", null, null, null, null],
      ],
    ]);
    // The withheld figures are not in the data at all: the only counts in the breakdown are those shown.
    const breakdownJson = JSON.stringify(tally.subjects.map((s) => s.byGroup));
    const counts = [...breakdownJson.matchAll(/"count":(\d+|null)/g)].map((m) => m[1]);
    expect(counts.filter((c) => c !== "null").sort()).toEqual(["0", "0", "0", "0", "0", "7"]);
    for (const hidden of ["1", "2", "3", "4", "5", "6"]) expect(counts).not.toContain(hidden);
    const groupsJson = JSON.stringify(tally.groups);
    expect(groupsJson).not.toMatch(/"ballotsCollected":[24]\b/);

    // The command line (`polls tally --json` prints readTally) and the results page carry the same tally.
    const cli = (await readTally({ pollId: f.pollId }))!;
    expect(cli.tally).toEqual(tally);
    const cookie = await sessionCookie(f.officer.id);
    const params = { pollId: String(f.pollId) };
    const page = dataOf(
      await run(() =>
        resultsLoader({ request: makeRequest(`/polls/${f.pollId}/results`, { cookie }), params, context: {} })
      )
    );
    expect(page.counted.tally.groups).toEqual(tally.groups);
    expect(shown(page.counted.tally)).toEqual(shown(tally));

    // The minutes print "< 5" for each small group, never its count.
    const response = (await run(() =>
      minutesLoader({ request: makeRequest(`/polls/${f.pollId}/minutes`, { cookie }), params, context: {} })
    )) as Response;
    const pdf = Buffer.from(await response.arrayBuffer());
    // Raw order (as drawn): the layout mode reads a lone "< 5" as "<5".
    const text = execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", "-", "-"], { input: pdf })
      .toString("utf8")
      .normalize("NFC")
      .replace(/\s+/g, " ");
    expect(text).toContain("Tổ dân phố số 2 6 6 < 5 —");
    expect(text).toContain("Tổ dân phố số 3 5 5 < 5 —");
    expect(text).toContain("Tổ dân phố số 1 10 9 7 77,78%");
  });

  it("pools a small group alone with the smallest other group, whose figures are then withheld like its own", async () => {
    const f = await createPollFixture({ k: 5 });
    const group3 = await createUnit("Tổ dân phố số 3", "residential_group", f.ward.id);
    await db.insertInto("poll_groups").values({ poll_id: f.pollId, unit_id: group3.id }).execute();
    // Subject 3 tells the groups apart (group 1 high, group 2 low, group 3 confidence), so the counted ballots show
    // which groups the pool holds. More slips handed out than ballots: the bounds tell no withheld count.
    await castAll(f, [
      [f.group1.id, 15, Array.from({ length: 12 }, (_, i) => [1 + (i % 3), i % 2 === 0 ? 1 : 2, 1])],
      [
        f.group2.id,
        5,
        [
          [3, 3, 3],
          [3, 0, 3],
        ],
      ],
      [group3.id, 10, Array.from({ length: 6 }, (_, i) => [1 + (i % 2), 2, 2])],
    ]);
    await closePoll({ actor: f.actor, pollId: f.pollId });

    // Group 2's 2 ballots (under k) are not a pool by themselves: group 3's 6, the smallest other, join them.
    const counted = await db
      .selectFrom("counted_ballots")
      .select(["group_id", "levels"])
      .where("poll_id", "=", f.pollId)
      .execute();
    const byGroup = (groupId: number | null) => counted.filter((c) => c.group_id === groupId);
    expect(byGroup(f.group1.id)).toHaveLength(12);
    expect(byGroup(group3.id)).toHaveLength(0);
    expect(byGroup(f.group2.id)).toHaveLength(0);
    const pool = byGroup(null).map((c) => c.levels.map(Number)[2]);
    expect(pool.sort()).toEqual([2, 2, 2, 2, 2, 2, 3, 3]);

    const tally = (await computeTally({ pollId: f.pollId }))!;
    expect(tally.ballots.collected).toBe(20);
    // Ballots per group: group 2 under k, and the count that would give it away (20 − 12) is group 3's, the group
    // already pooled with it.
    expect(tally.groups.map((g) => [g.name, g.ballotsCollected, g.suppressed])).toEqual([
      ["Tổ dân phố số 1", 12, false],
      ["Tổ dân phố số 2", null, true],
      ["Tổ dân phố số 3", null, true],
    ]);
    // Per subject and group: group 3's rows are withheld whole, as group 2's: neither its figures nor zeros.
    const withheld = { count: null, suppressed: true };
    for (const subject of tally.subjects) {
      for (const row of subject.byGroup!.filter((r) => r.unitId !== f.group1.id)) {
        expect(Object.values(row.cells), `${subject.fullName}, ${row.name}`).toEqual([
          withheld,
          withheld,
          withheld,
          withheld,
        ]);
      }
    }

    const cookie = await sessionCookie(f.officer.id);
    const params = { pollId: String(f.pollId) };
    const page = dataOf(
      await run(() =>
        resultsLoader({ request: makeRequest(`/polls/${f.pollId}/results`, { cookie }), params, context: {} })
      )
    );
    expect(page.counted.tally.groups).toEqual(tally.groups);
    expect(page.counted.tally.subjects.map((s: { byGroup: unknown }) => s.byGroup)).toEqual(
      tally.subjects.map((s) => s.byGroup)
    );
    const text = await minutesText(f.pollId, cookie);
    expect(text).toContain("Tổ dân phố số 3 10 10 < 5 —");
    // Its row in each subject's table (and no other line of its) shows "< 5" throughout.
    expect(text.match(/Tổ dân phố số 3 /g)).toHaveLength(4);
    expect(text.match(/Tổ dân phố số 3 < 5 < 5 < 5 < 5/g)).toHaveLength(3);
  });

  it("pools two groups of one ballot with the smallest other group, whose count stays shown, never its cells", async () => {
    const f = await createPollFixture({ k: 5 });
    const group3 = await createUnit("Tổ dân phố số 3", "residential_group", f.ward.id);
    const group4 = await createUnit("Tổ dân phố số 4", "residential_group", f.ward.id);
    for (const g of [group3, group4]) {
      await db.insertInto("poll_groups").values({ poll_id: f.pollId, unit_id: g.id }).execute();
    }
    // Groups 2 and 3: 1 ballot each, 3 slips handed out each, so neither can be told from their sum of 2.
    await castAll(f, [
      [f.group1.id, 20, Array.from({ length: 20 }, (_, i) => [1, 1 + (i % 3), 2])],
      [f.group2.id, 3, [[3, 3, 3]]],
      [group3.id, 3, [[2, 3, 3]]],
      [group4.id, 7, Array.from({ length: 7 }, () => [2, 2, 1])],
    ]);
    await closePoll({ actor: f.actor, pollId: f.pollId });

    const counted = await db
      .selectFrom("counted_ballots")
      .select((eb) => ["group_id", eb.fn.countAll<string>().as("n")])
      .where("poll_id", "=", f.pollId)
      .groupBy("group_id")
      .execute();
    expect(new Map(counted.map((c) => [c.group_id, Number(c.n)]))).toEqual(
      new Map([
        [f.group1.id, 20],
        [null, 9],
      ])
    );

    const tally = (await computeTally({ pollId: f.pollId }))!;
    expect(tally.groups.map((g) => [g.name, g.ballotsCollected, g.suppressed])).toEqual([
      ["Tổ dân phố số 1", 20, false],
      ["Tổ dân phố số 2", null, true],
      ["Tổ dân phố số 3", null, true],
      ["Tổ dân phố số 4", 7, false],
    ]);
    for (const subject of tally.subjects) {
      const row = subject.byGroup!.find((r) => r.unitId === group4.id)!;
      expect(Object.values(row.cells).every((c) => c.count === null && c.suppressed), subject.fullName).toBe(true);
    }
    const text = await minutesText(f.pollId, await sessionCookie(f.officer.id));
    expect(text.match(/Tổ dân phố số 4 < 5 < 5 < 5 < 5/g)).toHaveLength(3);
  });

  it("keeps no ballot's group when a single group voted", async () => {
    const f = await createPollFixture({ k: 5 });
    await castAll(f, [[f.group1.id, 8, Array.from({ length: 8 }, (_, i) => [1 + (i % 3), 1, 2])]]);
    await closePoll({ actor: f.actor, pollId: f.pollId });
    const counted = await db.selectFrom("counted_ballots").select("group_id").where("poll_id", "=", f.pollId).execute();
    expect(counted.map((c) => c.group_id)).toEqual(new Array(8).fill(null));
    const tally = (await computeTally({ pollId: f.pollId }))!;
    // The group's count is the poll's total anyway; its answers are the poll's, not shown again as its own.
    expect(tally.groups.map((g) => [g.name, g.ballotsCollected])).toEqual([
      ["Tổ dân phố số 1", 8],
      ["Tổ dân phố số 2", 0],
    ]);
    for (const subject of tally.subjects) {
      expect(subject.byGroup!.flatMap((r) => Object.values(r.cells).map((c) => c.count))).toEqual(
        new Array(8).fill(null)
      );
    }
  });

  it("withholds a pooled group's count, rather than another of the same size, beside a small one", () => {
    const groups = [
      { unitId: 1, name: "Tổ dân phố số 1", issued: 10, handedOut: 10, used: 6 },
      { unitId: 2, name: "Tổ dân phố số 2", issued: 10, handedOut: 10, used: 2 },
      { unitId: 3, name: "Tổ dân phố số 3", issued: 10, handedOut: 10, used: 6 },
      { unitId: 4, name: "Tổ dân phố số 4", issued: 40, handedOut: 40, used: 30 },
    ];
    const withheld = (tally: GroupTally[]) => tally.filter((g) => g.suppressed).map((g) => g.unitId);
    // Without a pool, the first of the two groups of 6 goes beside the 2; with group 3 pooled, group 3 does.
    expect(withheld(protectGroups(groups, 5))).toEqual([1, 2]);
    expect(withheld(protectGroups(groups, 5, new Set([2, 3])))).toEqual([2, 3]);
    expect(protectGroups(groups, 5, new Set([2, 3])).map((g) => g.ballotsCollected)).toEqual([6, null, null, 30]);
  });

  it("refuses a k below 3, in the poll form and in the domain", async () => {
    const f = await createPollFixture();
    const cookie = await sessionCookie(f.officer.id);
    const positions = (await db.selectFrom("positions").select("id").orderBy("id").execute()).map((p) => String(p.id));
    const form = {
      kind: "confidence_poll",
      title: "Lấy phiếu tín nhiệm giữa nhiệm kỳ",
      place: "Hội trường UBND phường",
      positionIds: positions.slice(0, 2),
      groupIds: [String(f.group1.id)],
      memberName1: "Trần Văn Bình",
      memberRole1: "Trưởng ban",
      denominator: "collected",
      reviewAbove: "1/2",
      dismissalAtLeast: "2/3",
      noConfidenceAbove: "1/2",
      quorum: "2/3",
      k: "2",
      requiredConfirmations: "2",
    };
    const params = { unitId: String(f.ward.id) };
    const post = (values: Record<string, string | string[]>) =>
      run(() =>
        newPollAction({
          request: makeRequest(`/units/${f.ward.id}/polls/new`, { cookie, form: values }),
          params,
          context: {},
        })
      );
    const refused = await post(form);
    expect(statusOf(refused)).toBe(400);
    expect(dataOf(refused).errors.k).toBe("polls.errors.kRange");
    expect(dataOf(refused).values.k).toBe("2");
    expect(statusOf(await post({ ...form, k: "3" }))).toBe(302);

    const input = {
      unitId: f.ward.id,
      kind: "confidence_poll" as const,
      title: "Lấy phiếu",
      place: "Hội trường",
      positionIds: positions.slice(0, 1).map(Number),
      groupIds: [f.group1.id],
      committee: [],
    };
    await expect(createPoll({ actor: f.actor, input: { ...input, rules: { k: 2 } } })).rejects.toMatchObject({
      field: "k",
      reason: "polls.errors.kRange",
    });
    await expect(createPoll({ actor: f.actor, input: { ...input, rules: { k: 2 } } })).rejects.toBeInstanceOf(
      PollInputError
    );
  });
});

/**
 * Issues each group its slips (all handed out), opens the poll and casts the given ballots with the first of them.
 */
async function castAll(
  f: Awaited<ReturnType<typeof createPollFixture>>,
  groups: [groupId: number, slips: number, ballots: number[][]][]
) {
  const codes = new Map<number, string[]>();
  for (const [groupId, slips] of groups) {
    codes.set(groupId, (await f.issue(groupId, slips)).slips.map((s) => s.code));
    await db.updateTable("credential_batches").set({ handed_out: slips }).where("group_id", "=", groupId).execute();
  }
  await f.open();
  for (const [groupId, , ballots] of groups) {
    for (const [i, levels] of ballots.entries()) {
      expect((await castBallot({ code: codes.get(groupId)![i], levels })).status).toBe("counted");
    }
  }
}

/** The counting minutes as drawn, one line of text. */
async function minutesText(pollId: number, cookie: string) {
  const response = (await run(() =>
    minutesLoader({
      request: makeRequest(`/polls/${pollId}/minutes`, { cookie }),
      params: { pollId: String(pollId) },
      context: {},
    })
  )) as Response;
  const pdf = Buffer.from(await response.arrayBuffer());
  return execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", "-", "-"], { input: pdf })
    .toString("utf8")
    .normalize("NFC")
    .replace(/\s+/g, " ");
}
