import { describe, expect, it } from "vitest";
import { castBallot } from "~/ballots/cast.server";
import { closePoll } from "~/polls/lifecycle.server";
import { db } from "~/db.server";
import { createPollFixture } from "../../tests/setup/poll-fixtures";
import { computeTally, tallyHash } from "./tally.server";

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
    expect(tally.groups.map((g) => [g.name, g.ballotsCollected, g.suppressed])).toEqual([
      ["Tổ dân phố số 1", 4, false],
      ["Tổ dân phố số 2", 2, true],
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
      const expected = Object.fromEntries(levelNames.map((name, i) => [name, answers.filter((a) => a === i + 1).length]));
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
});
