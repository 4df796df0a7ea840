import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { castBallot } from "~/ballots/cast.server";
import { parseForm } from "~/components/forms";
import { recordHandedOut } from "~/credentials/credentials.server";
import { db } from "~/db.server";
import { closePoll, openPoll } from "~/polls/lifecycle.server";
import { createPoll } from "~/polls/polls.server";
import { confirmTally, PublishError, publishPoll } from "~/polls/publish.server";
import type { PollTally } from "~/results/tally";
import { computeTally, tallyHash } from "~/results/tally.server";
import { acknowledgeWarning, WarningAckError, warningFingerprint } from "~/results/warnings.server";
import { usingPostgres } from "../../tests/setup/database";
import { createUnit, createUser } from "../../tests/setup/fixtures";
import { createPollFixture } from "../../tests/setup/poll-fixtures";
import { MEETING_SCOPE, paperEntrySchema, subjectField, type PaperFigures } from "./paper.schema";
import { confirmPaperEntry, listPaperEntries, PaperError, savePaperEntry } from "./paper.server";

type Fixture = Awaited<ReturnType<typeof createPollFixture>>;
type Totals = Omit<PaperFigures, "subjects">;
/** Per subject in ballot order: ballots per level (high, confidence, low), then those invalid for the subject. */
type SubjectFigures = [counts: number[], invalid: number];

async function subjectIdsOf(pollId: number) {
  const rows = await db
    .selectFrom("poll_subjects")
    .select("id")
    .where("poll_id", "=", pollId)
    .orderBy("sort_order")
    .execute();
  return rows.map((r) => r.id);
}

function figures(subjectIds: number[], totals: Totals, subjects: SubjectFigures[]): PaperFigures {
  return {
    ...totals,
    subjects: subjectIds.map((subjectId, i) => ({ subjectId, counts: subjects[i][0], invalid: subjects[i][1] })),
  };
}

/** A counting member of the fixture's ward, as the paper functions take them. */
async function countingMember(f: Fixture, username: string, fullName: string) {
  const user = await createUser(username, [{ role: "counting_member", unitId: f.ward.id }], fullName);
  return { userId: user.id, label: username };
}

async function paperAudit() {
  const rows = await db
    .selectFrom("audit_log")
    .select(["action", "actor_user_id", "details"])
    .where("action", "like", "paper.%")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    action: r.action,
    by: r.actor_user_id,
    ...(r.details as { groupId: number; version: number }),
  }));
}

function paperCount(pollId: number) {
  return db
    .selectFrom("paper_tallies")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("poll_id", "=", pollId)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

async function paperError(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e
  );
  expect(error).toBeInstanceOf(PaperError);
  return (error as PaperError).reason;
}

describe("the paper tally form", () => {
  const subjects = [
    { id: 11, fullName: "Nguyễn Văn Thành" },
    { id: 12, fullName: "Lê Minh Đức" },
  ];
  const schema = paperEntrySchema(subjects, 3);
  /** Consistent figures: 18 collected = 17 valid + 1 invalid; each subject's levels and invalid add up to 17. */
  const good: Record<string, string> = {
    summoned: "30",
    present: "24",
    issued: "20",
    collected: "18",
    valid: "17",
    invalid: "1",
    version: "",
    s11_1: "10",
    s11_2: "4",
    s11_3: "2",
    s11_0: "1",
    s12_1: "5",
    s12_2: "5",
    s12_3: "6",
    s12_0: "1",
  };
  const parse = (change: Record<string, string>) => {
    const form = new FormData();
    for (const [key, value] of Object.entries({ ...good, ...change })) form.append(key, value);
    return parseForm(schema, form);
  };
  const errorsOf = (change: Record<string, string>) => {
    const parsed = parse(change);
    if (parsed.ok) throw new Error(`parsed: ${JSON.stringify(change)}`);
    return parsed.errors;
  };

  it("checks every figure and that they add up, naming the field, and reads consistent figures", () => {
    expect(subjectField(12, 0)).toBe("s12_0");
    // Each figure alone: a non-number, a negative, above 1,000,000, empty. Nothing else is reported.
    const single: [string, string, string][] = [
      ["summoned", "ba mươi", "errors.invalidNumber"],
      ["present", "-3", "errors.invalidNumber"],
      ["issued", "1000001", "paper.errors.range"],
      ["issued", "1.000.001", "paper.errors.range"],
      ["valid", "", "errors.required"],
      ["s12_2", "  ", "errors.required"],
      ["s11_0", "2,5", "errors.invalidNumber"],
    ];
    for (const [field, value, key] of single) {
      expect(errorsOf({ [field]: value }), `${field} = ${value}`).toEqual({ [field]: key });
    }

    expect(errorsOf({ present: "31" })).toEqual({
      present: { key: "paper.errors.presentAboveSummoned", params: { present: 31, summoned: 30 } },
    });
    expect(errorsOf({ collected: "21", valid: "20" })).toEqual({
      collected: { key: "paper.errors.collectedAboveIssued", params: { collected: 21, issued: 20 } },
      // 20 valid: each subject's figures (17) now fall short too.
      s11_0: { key: "paper.errors.subjectSum", params: { index: 1, name: "Nguyễn Văn Thành", sum: 17, valid: 20 } },
      s12_0: { key: "paper.errors.subjectSum", params: { index: 2, name: "Lê Minh Đức", sum: 17, valid: 20 } },
    });
    expect(errorsOf({ invalid: "2" })).toEqual({
      invalid: { key: "paper.errors.validPlusInvalid", params: { valid: 17, invalid: 2, sum: 19, collected: 18 } },
    });
    // The second subject: 5 + 5 + 7 + 1 = 18, not the 17 valid ballots.
    expect(errorsOf({ s12_3: "7" })).toEqual({
      s12_0: { key: "paper.errors.subjectSum", params: { index: 2, name: "Lê Minh Đức", sum: 18, valid: 17 } },
    });

    const parsed = parse({});
    expect(parsed).toEqual({
      ok: true,
      data: {
        summoned: 30,
        present: 24,
        issued: 20,
        collected: 18,
        valid: 17,
        invalid: 1,
        version: null,
        subjects: [
          { subjectId: 11, counts: [10, 4, 2], invalid: 1 },
          { subjectId: 12, counts: [5, 5, 6], invalid: 1 },
        ],
      },
    });
    // Thousands written the Vietnamese way, and the version a change was filled from.
    const big = parse({ summoned: "1.000.000", version: "3" });
    expect(big.ok && [big.data.summoned, big.data.version]).toEqual([1_000_000, 3]);
  });

  it("names a figure that does not add up while an unrelated field is still empty", () => {
    expect(errorsOf({ present: "31", s12_3: "" })).toEqual({
      present: { key: "paper.errors.presentAboveSummoned", params: { present: 31, summoned: 30 } },
      s12_3: "errors.required",
    });
    // The first subject's figures are complete and wrong; the second's are being typed.
    expect(errorsOf({ s11_1: "9", s12_1: "", s12_2: "" })).toEqual({
      s11_0: { key: "paper.errors.subjectSum", params: { index: 1, name: "Nguyễn Văn Thành", sum: 16, valid: 17 } },
      s12_1: "errors.required",
      s12_2: "errors.required",
    });
    expect(errorsOf({ summoned: "", collected: "25" })).toEqual({
      summoned: "errors.required",
      collected: { key: "paper.errors.collectedAboveIssued", params: { collected: 25, issued: 20 } },
      invalid: { key: "paper.errors.validPlusInvalid", params: { valid: 17, invalid: 1, sum: 18, collected: 25 } },
    });
  });
});

describe("paper entries", () => {
  const groupTotals: Totals = { summoned: 30, present: 24, issued: 20, collected: 18, valid: 17, invalid: 1 };
  const groupSubjects: SubjectFigures[] = [
    [[10, 4, 2], 1],
    [[1, 2, 13], 1],
    [[12, 3, 0], 2],
  ];

  it("are refused by the database when figures break its checks, whatever the form let through", async () => {
    const f = await createPollFixture();
    await f.open();
    const ids = await subjectIdsOf(f.pollId);
    const member = await countingMember(f, "kiemphieu1", "Trần Văn Bình");
    const save = (totals: Totals, expectedVersion: number | null) =>
      savePaperEntry({
        actor: member,
        pollId: f.pollId,
        scope: f.group1.id,
        figures: figures(ids, totals, groupSubjects),
        expectedVersion,
      });
    await expect(save({ ...groupTotals, collected: 21, valid: 20 }, null)).rejects.toThrow(
      /paper_tallies_collected_le_issued/
    );
    await expect(save({ ...groupTotals, present: 31 }, null)).rejects.toThrow(/paper_tallies_present_le_summoned/);
    await expect(save({ ...groupTotals, invalid: 2 }, null)).rejects.toThrow(/paper_tallies_valid_invalid/);
    expect(await paperCount(f.pollId)).toBe(0);
    expect(await db.selectFrom("paper_tally_subjects").selectAll().execute()).toEqual([]);
    expect(await paperAudit()).toEqual([]);

    // A refused change leaves the entry as it was, confirmation included.
    expect(await save(groupTotals, null)).toEqual({ version: 1 });
    const second = await countingMember(f, "kiemphieu2", "Lê Thị Mai");
    await confirmPaperEntry({ actor: second, pollId: f.pollId, scope: f.group1.id, version: 1 });
    const negative = figures(ids, groupTotals, [[[10, 4, -1], 4], ...groupSubjects.slice(1)]);
    await expect(
      savePaperEntry({ actor: member, pollId: f.pollId, scope: f.group1.id, figures: negative, expectedVersion: 1 })
    ).rejects.toThrow(/paper_tally_subjects_counts_check/);
    await expect(save({ ...groupTotals, collected: 21, valid: 20 }, 1)).rejects.toThrow(
      /paper_tallies_collected_le_issued/
    );
    const [entry] = await listPaperEntries({ pollId: f.pollId });
    expect(entry).toMatchObject({ version: 1, collected: 18, confirmedBy: { id: second.userId } });
    expect(entry.subjects.map((s) => [s.counts, s.invalid])).toEqual(groupSubjects);
    expect((await paperAudit()).map((a) => a.action)).toEqual(["paper.enter", "paper.confirm"]);
  });

  it("count only once a second member confirms them as they stand", async () => {
    const f = await createPollFixture();
    await f.open();
    const ids = await subjectIdsOf(f.pollId);
    const m1 = await countingMember(f, "kiemphieu1", "Trần Văn Bình");
    const m2 = await countingMember(f, "kiemphieu2", "Lê Thị Mai");
    const m3 = await countingMember(f, "kiemphieu3", "Phạm Thu Hà");
    const scope = f.group1.id;
    const save = (actor: typeof m1, totals: Totals, expectedVersion: number | null) =>
      savePaperEntry({
        actor,
        pollId: f.pollId,
        scope,
        figures: figures(ids, totals, groupSubjects),
        expectedVersion,
      });
    const confirm = (actor: typeof m1, version: number) =>
      confirmPaperEntry({ actor, pollId: f.pollId, scope, version });

    expect(await paperError(confirm(m2, 1))).toBe("entryNotFound");
    expect(await save(m1, groupTotals, null)).toEqual({ version: 1 });
    expect(await paperError(confirm(m1, 1))).toBe("selfConfirm");
    let [entry] = await listPaperEntries({ pollId: f.pollId });
    expect(entry).toMatchObject({ version: 1, enteredBy: { id: m1.userId }, confirmedBy: null, confirmedAt: null });

    await confirm(m2, 1);
    [entry] = await listPaperEntries({ pollId: f.pollId });
    expect(entry).toMatchObject({
      groupId: f.group1.id,
      groupName: "Tổ dân phố số 1",
      version: 1,
      enteredBy: { id: m1.userId, fullName: "Trần Văn Bình" },
      confirmedBy: { id: m2.userId, fullName: "Lê Thị Mai" },
    });
    expect(entry.confirmedAt).toBeInstanceOf(Date);
    expect(await paperError(confirm(m3, 1))).toBe("alreadyConfirmed");

    // A change clears the confirmation: the new figures wait for a second member again.
    expect(await save(m1, { ...groupTotals, present: 25 }, 1)).toEqual({ version: 2 });
    [entry] = await listPaperEntries({ pollId: f.pollId });
    expect(entry).toMatchObject({ version: 2, present: 25, enteredBy: { id: m1.userId }, confirmedBy: null });
    expect(entry.confirmedAt).toBeNull();
    expect(await paperError(confirm(m2, 1))).toBe("staleVersion");
    // A form filled from version 1, or as a new entry, would overwrite what it never saw.
    expect(await paperError(save(m3, groupTotals, 1))).toBe("staleVersion");
    expect(await paperError(save(m3, groupTotals, null))).toBe("staleVersion");
    expect(await paperError(confirm(m1, 2))).toBe("selfConfirm");
    await confirm(m2, 2);
    // Whoever changes the figures last is the one who cannot confirm them.
    expect(await save(m2, { ...groupTotals, present: 26 }, 2)).toEqual({ version: 3 });
    expect(await paperError(confirm(m2, 3))).toBe("selfConfirm");
    await confirm(m1, 3);
    [entry] = await listPaperEntries({ pollId: f.pollId });
    expect(entry).toMatchObject({
      version: 3,
      present: 26,
      enteredBy: { id: m2.userId },
      confirmedBy: { id: m1.userId },
    });
    expect(await paperCount(f.pollId)).toBe(1);

    // The database holds the rule too, whatever code writes the row.
    await expect(
      db
        .updateTable("paper_tallies")
        .set({ confirmed_by: sql`entered_by`, confirmed_at: new Date() })
        .where("poll_id", "=", f.pollId)
        .execute()
    ).rejects.toThrow(/paper_tallies_second_person/);
    expect((await listPaperEntries({ pollId: f.pollId }))[0].confirmedBy).toMatchObject({ id: m1.userId });

    const g = f.group1.id;
    expect(await paperAudit()).toEqual([
      expect.objectContaining({ action: "paper.enter", by: m1.userId, groupId: g, version: 1 }),
      expect.objectContaining({ action: "paper.confirm", by: m2.userId, groupId: g, version: 1 }),
      expect.objectContaining({ action: "paper.change", by: m1.userId, groupId: g, version: 2 }),
      expect.objectContaining({ action: "paper.confirm", by: m2.userId, groupId: g, version: 2 }),
      expect.objectContaining({ action: "paper.change", by: m2.userId, groupId: g, version: 3 }),
      expect.objectContaining({ action: "paper.confirm", by: m1.userId, groupId: g, version: 3 }),
    ]);
    const changed = (await paperAudit())[2] as unknown as { figures: Totals };
    expect(changed.figures).toMatchObject({ present: 25, collected: 18 });
  });

  it("are kept to the poll's groups, to one scope, and to a poll that is running or closed", async () => {
    const f = await createPollFixture();
    const ids = await subjectIdsOf(f.pollId);
    const m1 = await countingMember(f, "kiemphieu1", "Trần Văn Bình");
    const m2 = await countingMember(f, "kiemphieu2", "Lê Thị Mai");
    const m3 = await countingMember(f, "kiemphieu3", "Phạm Thu Hà");
    const totals: Totals = { summoned: 10, present: 9, issued: 9, collected: 9, valid: 9, invalid: 0 };
    const perSubject: SubjectFigures[] = [
      [[5, 4, 0], 0],
      [[9, 0, 0], 0],
      [[3, 3, 3], 0],
    ];
    const fig = figures(ids, totals, perSubject);
    const save = (pollId: number, scope: number | typeof MEETING_SCOPE, figuresOf = fig) =>
      savePaperEntry({ actor: m1, pollId, scope, figures: figuresOf, expectedVersion: null });

    expect(await paperError(save(f.pollId, f.group1.id))).toBe("wrongState");
    await f.open();
    const group3 = await createUnit("Tổ dân phố số 3", "residential_group", f.ward.id);
    expect(await paperError(save(f.pollId, group3.id))).toBe("groupNotInPoll");
    expect(await paperError(save(f.pollId, f.otherGroup.id))).toBe("groupNotInPoll");
    expect(await paperError(save(f.pollId, f.group1.id, { ...fig, subjects: fig.subjects.slice(1) }))).toBe(
      "subjectsMismatch"
    );

    await save(f.pollId, f.group1.id);
    expect(await paperError(save(f.pollId, MEETING_SCOPE))).toBe("scopeConflict");
    // Another group of the same poll is no conflict.
    await save(f.pollId, f.group2.id);

    // The other way round, on a second poll: the whole meeting first, then a group.
    const other = await createPoll({
      actor: f.actor,
      input: {
        unitId: f.ward.id,
        kind: "confidence_poll",
        title: "Lấy phiếu tín nhiệm bổ sung",
        place: "Nhà văn hóa",
        positionIds: (await db.selectFrom("positions").select("id").orderBy("id").execute()).map((p) => p.id),
        groupIds: [f.group1.id, f.group2.id],
        committee: [],
      },
    });
    await openPoll({ actor: f.actor, pollId: other.id });
    const otherFig = figures(await subjectIdsOf(other.id), totals, perSubject);
    await save(other.id, MEETING_SCOPE, otherFig);
    expect(await paperError(save(other.id, f.group1.id, otherFig))).toBe("scopeConflict");
    // A subject of the first poll is not one of the second's.
    expect(
      await paperError(
        savePaperEntry({ actor: m2, pollId: other.id, scope: MEETING_SCOPE, figures: fig, expectedVersion: 1 })
      )
    ).toBe("subjectsMismatch");
    expect((await listPaperEntries({ pollId: other.id })).map((e) => e.groupId)).toEqual([null]);
    expect((await listPaperEntries({ pollId: f.pollId })).map((e) => e.groupName)).toEqual([
      "Tổ dân phố số 1",
      "Tổ dân phố số 2",
    ]);

    // Closed, the entries are still entered and confirmed; once published, nothing changes.
    await closePoll({ actor: f.actor, pollId: f.pollId });
    await confirmPaperEntry({ actor: m2, pollId: f.pollId, scope: f.group1.id, version: 1 });
    await confirmPaperEntry({ actor: m2, pollId: f.pollId, scope: f.group2.id, version: 1 });
    const tally = (await computeTally({ pollId: f.pollId }))!;
    expect(tally.warnings).toEqual([]);
    for (const member of [m2, m3]) {
      await confirmTally({ actor: member, pollId: f.pollId, shownHash: tallyHash(tally) });
    }
    await publishPoll({ actor: f.actor, pollId: f.pollId });
    expect(
      await paperError(
        savePaperEntry({ actor: m1, pollId: f.pollId, scope: f.group1.id, figures: fig, expectedVersion: 1 })
      )
    ).toBe("wrongState");
    expect(await paperError(confirmPaperEntry({ actor: m3, pollId: f.pollId, scope: f.group1.id, version: 1 }))).toBe(
      "wrongState"
    );
    expect(await paperError(save(999_999, f.group1.id))).toBe("pollNotFound");
  });
});

describe("the tally with paper ballots", () => {
  it("adds confirmed paper figures to the online ballots, channel by channel, and counts nothing unconfirmed", async () => {
    const f = await createPollFixture();
    const { slips, batchId } = await f.issue(f.group1.id, 10);
    await recordHandedOut({ actor: f.actor, pollId: f.pollId, batchId, handedOut: 8 });
    await f.open();
    // Online, group 1. Subject 1: 3 high, 2 confidence, 1 low. Subject 2: 2 high, 1 confidence, 2 low, 1 blank.
    // Subject 3: 1 high, 3 confidence, 1 low, 1 blank.
    const online = [
      [1, 1, 2],
      [1, 2, 2],
      [2, 3, 2],
      [3, 3, 0],
      [1, 0, 1],
      [2, 1, 3],
    ];
    for (const [i, levels] of online.entries()) {
      expect((await castBallot({ code: slips[i].code, levels })).status).toBe("counted");
    }
    await closePoll({ actor: f.actor, pollId: f.pollId });
    const ids = await subjectIdsOf(f.pollId);
    const m1 = await countingMember(f, "kiemphieu1", "Trần Văn Bình");
    const m2 = await countingMember(f, "kiemphieu2", "Lê Thị Mai");

    // Group 1 on paper: 18 collected, 1 invalid as a whole; 6 online + 18 = the 24 present.
    await savePaperEntry({
      actor: m1,
      pollId: f.pollId,
      scope: f.group1.id,
      expectedVersion: null,
      figures: figures(ids, { summoned: 30, present: 24, issued: 20, collected: 18, valid: 17, invalid: 1 }, [
        [[10, 4, 2], 1],
        [[1, 2, 13], 1],
        [[12, 3, 0], 2],
      ]),
    });
    await confirmPaperEntry({ actor: m2, pollId: f.pollId, scope: f.group1.id, version: 1 });
    // Group 2 on paper: 10 collected, all valid. Not yet confirmed.
    await savePaperEntry({
      actor: m2,
      pollId: f.pollId,
      scope: f.group2.id,
      expectedVersion: null,
      figures: figures(ids, { summoned: 15, present: 12, issued: 12, collected: 10, valid: 10, invalid: 0 }, [
        [[2, 3, 5], 0],
        [[3, 4, 3], 0],
        [[6, 2, 1], 1],
      ]),
    });

    const partial = (await computeTally({ pollId: f.pollId }))!;
    expect(partial.ballots).toEqual({
      collected: 24,
      valid: 23,
      invalid: 1,
      byChannel: { online: { collected: 6, valid: 6, invalid: 0 }, paper: { collected: 18, valid: 17, invalid: 1 } },
    });
    expect(partial.subjects[0].byChannel!.paper).toEqual({
      counts: { high_confidence: 10, confidence: 4, low_confidence: 2 },
      invalid: 1,
    });
    expect(partial.subjects[0].counts).toEqual({ high_confidence: 13, confidence: 6, low_confidence: 3 });
    expect(partial.groups.map((g) => [g.name, g.ballotsCollected, g.totalCollected])).toEqual([
      ["Tổ dân phố số 1", 6, 24],
      ["Tổ dân phố số 2", 0, 0],
    ]);
    expect(partial.paper!.map((p) => [p.name, p.collected, p.confirmed])).toEqual([
      ["Tổ dân phố số 1", 18, true],
      ["Tổ dân phố số 2", 10, false],
    ]);
    expect(partial.warnings).toEqual([
      {
        id: `paperUnconfirmed:${f.group2.id}`,
        kind: "paperUnconfirmed",
        unitId: f.group2.id,
        unitName: "Tổ dân phố số 2",
        figures: {},
        acknowledgement: null,
      },
    ]);

    await confirmPaperEntry({ actor: m1, pollId: f.pollId, scope: f.group2.id, version: 1 });
    const tally = (await computeTally({ pollId: f.pollId }))!;
    expect(tally.warnings).toEqual([]);
    expect(tally.ballots).toEqual({
      collected: 34,
      valid: 33,
      invalid: 1,
      byChannel: { online: { collected: 6, valid: 6, invalid: 0 }, paper: { collected: 28, valid: 27, invalid: 1 } },
    });
    expect(tally.slips).toEqual({ issued: 10, handedOut: 8, used: 6, voided: 0 });
    // 34 collected over 8 slips handed out + 32 paper ballots issued.
    expect(tally.turnoutPercent).toBe(85);
    expect(tally.invariant).toEqual({ receipts: 6, credentialsUsed: 6, ballotsCounted: 6, holds: true });
    expect(
      tally.subjects.map((s) => ({
        byChannel: s.byChannel,
        counts: s.counts,
        invalid: s.invalid,
        denominator: s.denominator,
      }))
    ).toEqual([
      {
        byChannel: {
          online: { counts: { high_confidence: 3, confidence: 2, low_confidence: 1 }, invalid: 0 },
          paper: { counts: { high_confidence: 12, confidence: 7, low_confidence: 7 }, invalid: 1 },
        },
        counts: { high_confidence: 15, confidence: 9, low_confidence: 8 },
        invalid: 1,
        denominator: 34,
      },
      {
        byChannel: {
          online: { counts: { high_confidence: 2, confidence: 1, low_confidence: 2 }, invalid: 1 },
          paper: { counts: { high_confidence: 4, confidence: 6, low_confidence: 16 }, invalid: 1 },
        },
        counts: { high_confidence: 6, confidence: 7, low_confidence: 18 },
        invalid: 2,
        denominator: 34,
      },
      {
        byChannel: {
          online: { counts: { high_confidence: 1, confidence: 3, low_confidence: 1 }, invalid: 1 },
          paper: { counts: { high_confidence: 18, confidence: 5, low_confidence: 1 }, invalid: 3 },
        },
        counts: { high_confidence: 19, confidence: 8, low_confidence: 2 },
        invalid: 4,
        denominator: 34,
      },
    ]);
    // Subject 2: 18 of 34 low (52.94%) is above one half but short of two thirds: review, not dismissal. Online
    // alone (2 of 6) would flag nothing.
    expect(tally.subjects[1].percentages).toEqual({ high_confidence: 17.65, confidence: 20.59, low_confidence: 52.94 });
    expect(tally.subjects.map((s) => s.flags)).toEqual([[], ["review"], []]);
    expect(tally.groups.map((g) => [g.name, g.ballotsCollected, g.totalCollected])).toEqual([
      ["Tổ dân phố số 1", 6, 24],
      ["Tổ dân phố số 2", 0, 10],
    ]);
    expect(tally.paper).toEqual([
      {
        unitId: f.group1.id,
        name: "Tổ dân phố số 1",
        summoned: 30,
        present: 24,
        quorumMet: true,
        issued: 20,
        collected: 18,
        valid: 17,
        invalid: 1,
        confirmed: true,
      },
      {
        unitId: f.group2.id,
        name: "Tổ dân phố số 2",
        summoned: 15,
        present: 12,
        quorumMet: true,
        issued: 12,
        collected: 10,
        valid: 10,
        invalid: 0,
        confirmed: true,
      },
    ]);
    // The confirmations are bound to a hash that takes the paper figures in.
    expect(tallyHash(tally)).not.toBe(tallyHash(partial));
  });
});

describe("reconciliation warnings", () => {
  it("block publication until each is acknowledged with a reason, and travel with the frozen tally", async () => {
    const f = await createPollFixture();
    const { slips, batchId } = await f.issue(f.group1.id, 6);
    await recordHandedOut({ actor: f.actor, pollId: f.pollId, batchId, handedOut: 4 });
    await f.open();
    // 5 online ballots from group 1, one more than the 4 slips recorded as handed out.
    for (const slip of slips.slice(0, 5)) {
      expect((await castBallot({ code: slip.code, levels: [1, 2, 3] })).status).toBe("counted");
    }
    await closePoll({ actor: f.actor, pollId: f.pollId });
    const ids = await subjectIdsOf(f.pollId);
    const m1 = await countingMember(f, "kiemphieu1", "Trần Văn Bình");
    const m2 = await countingMember(f, "kiemphieu2", "Lê Thị Mai");
    // Group 1: 2 of 3 present (the quorum, exactly), 2 paper ballots: 5 online + 2 > 2 present.
    await savePaperEntry({
      actor: m1,
      pollId: f.pollId,
      scope: f.group1.id,
      expectedVersion: null,
      figures: figures(ids, { summoned: 3, present: 2, issued: 2, collected: 2, valid: 2, invalid: 0 }, [
        [[1, 1, 0], 0],
        [[0, 2, 0], 0],
        [[0, 0, 2], 0],
      ]),
    });
    await confirmPaperEntry({ actor: m2, pollId: f.pollId, scope: f.group1.id, version: 1 });
    // Group 2: 1 of 2 present, short of 2/3.
    await savePaperEntry({
      actor: m2,
      pollId: f.pollId,
      scope: f.group2.id,
      expectedVersion: null,
      figures: figures(ids, { summoned: 2, present: 1, issued: 1, collected: 1, valid: 1, invalid: 0 }, [
        [[1, 0, 0], 0],
        [[1, 0, 0], 0],
        [[1, 0, 0], 0],
      ]),
    });
    await confirmPaperEntry({ actor: m1, pollId: f.pollId, scope: f.group2.id, version: 1 });

    const tally = (await computeTally({ pollId: f.pollId }))!;
    expect(tally.paper!.map((p) => [p.name, p.quorumMet])).toEqual([
      ["Tổ dân phố số 1", true],
      ["Tổ dân phố số 2", false],
    ]);
    const g1 = { unitId: f.group1.id, unitName: "Tổ dân phố số 1", acknowledgement: null };
    const g2 = { unitId: f.group2.id, unitName: "Tổ dân phố số 2", acknowledgement: null };
    expect(tally.warnings).toEqual([
      {
        id: `onlineOverHandedOut:${f.group1.id}`,
        kind: "onlineOverHandedOut",
        ...g1,
        figures: { online: 5, handedOut: 4 },
      },
      { id: `overPresent:${f.group1.id}`, kind: "overPresent", ...g1, figures: { online: 5, paper: 2, present: 2 } },
      { id: `quorumNotMet:${f.group2.id}`, kind: "quorumNotMet", ...g2, figures: { present: 1, summoned: 2 } },
    ]);

    const requiredConfirmations = (
      await db.selectFrom("polls").select("required_confirmations").where("id", "=", f.pollId).executeTakeFirstOrThrow()
    ).required_confirmations;
    expect(requiredConfirmations).toBe(2);
    const firstHash = tallyHash(tally);
    for (const member of [m1, m2]) await confirmTally({ actor: member, pollId: f.pollId, shownHash: firstHash });
    const publish = () => publishPoll({ actor: f.actor, pollId: f.pollId });
    const publishError = async () => {
      const error = await publish().then(
        () => null,
        (e: unknown) => e
      );
      expect(error).toBeInstanceOf(PublishError);
      return (error as PublishError).reason;
    };
    expect(await publishError()).toBe("unresolvedWarnings");

    const acknowledge = async (warningId: string, reason: string, fingerprint?: string) => {
      const current = (await computeTally({ pollId: f.pollId }))!.warnings!;
      const warning = current.find((w) => w.id === warningId)!;
      await acknowledgeWarning({
        actor: m1,
        pollId: f.pollId,
        warningId,
        fingerprint: fingerprint ?? warningFingerprint(warning),
        reason,
        current,
      });
    };
    // A fingerprint of the warning as it no longer stands (other figures) is refused.
    const [overHandedOut, overPresent, quorum] = tally.warnings!;
    const stale = warningFingerprint({ ...overHandedOut, figures: { online: 5, handedOut: 3 } });
    const staleError = await acknowledge(overHandedOut.id, "Lý do", stale).then(
      () => null,
      (e: unknown) => e
    );
    expect(staleError).toBeInstanceOf(WarningAckError);
    expect((staleError as WarningAckError).reason).toBe("stale");

    const reasons = {
      [overHandedOut.id]: "Tổ trưởng phát thêm 1 phiếu QR nhưng chưa ghi vào sổ.",
      [overPresent.id]: "Có 5 cử tri bỏ phiếu trực tuyến trước cuộc họp, không có mặt tại hội trường.",
      [quorum.id]: "Tổ dân phố số 2 chỉ có 2 hộ, đã được Ủy ban MTTQ phường chấp thuận.",
    };
    await acknowledge(overHandedOut.id, reasons[overHandedOut.id]);
    // The acknowledgement is part of the tally: the confirmations given before it no longer match.
    const afterOne = (await computeTally({ pollId: f.pollId }))!;
    expect(tallyHash(afterOne)).not.toBe(firstHash);
    expect(afterOne.warnings!.map((w) => [w.id, w.acknowledgement?.reason ?? null])).toEqual([
      [overHandedOut.id, reasons[overHandedOut.id]],
      [overPresent.id, null],
      [quorum.id, null],
    ]);
    expect(afterOne.warnings![0].acknowledgement!.by).toBe("Trần Văn Bình");
    expect(await publishError()).toBe("unresolvedWarnings");
    await acknowledge(overPresent.id, reasons[overPresent.id]);
    expect(await publishError()).toBe("unresolvedWarnings");
    await acknowledge(quorum.id, reasons[quorum.id]);

    expect(await publishError()).toBe("notEnoughConfirmations");
    const resolved = (await computeTally({ pollId: f.pollId }))!;
    expect(resolved.warnings!.every((w) => w.acknowledgement !== null)).toBe(true);
    const staleConfirmation = await confirmTally({ actor: m1, pollId: f.pollId, shownHash: firstHash }).then(
      () => null,
      (e: unknown) => e
    );
    expect((staleConfirmation as PublishError).reason).toBe("staleTally");
    const hash = tallyHash(resolved);
    for (const member of [m1, m2]) await confirmTally({ actor: member, pollId: f.pollId, shownHash: hash });
    expect(await publish()).toEqual({ tallyHash: hash });

    const poll = await db
      .selectFrom("polls")
      .select(["status", "tally", "tally_hash"])
      .where("id", "=", f.pollId)
      .executeTakeFirstOrThrow();
    expect(poll.status).toBe("published");
    expect(poll.tally_hash).toBe(hash);
    const frozen = poll.tally as PollTally;
    expect(frozen.warnings!.map((w) => [w.id, w.figures, w.acknowledgement!.reason, w.acknowledgement!.by])).toEqual([
      [overHandedOut.id, { online: 5, handedOut: 4 }, reasons[overHandedOut.id], "Trần Văn Bình"],
      [overPresent.id, { online: 5, paper: 2, present: 2 }, reasons[overPresent.id], "Trần Văn Bình"],
      [quorum.id, { present: 1, summoned: 2 }, reasons[quorum.id], "Trần Văn Bình"],
    ]);
    expect(frozen.paper!.map((p) => [p.unitId, p.present, p.collected, p.confirmed])).toEqual([
      [f.group1.id, 2, 2, true],
      [f.group2.id, 1, 1, true],
    ]);
    expect(frozen.ballots.collected).toBe(8);
    const acks = await db.selectFrom("audit_log").select("details").where("action", "=", "poll.warning_ack").execute();
    expect(acks.map((a) => (a.details as { warningId: string }).warningId)).toEqual([
      overHandedOut.id,
      overPresent.id,
      quorum.id,
    ]);
  });
});

describe("paper entries under concurrency", () => {
  it.runIf(usingPostgres())(
    "20 members confirming one version at once: one confirms; 20 first entries of one scope: one is stored",
    async () => {
      const f = await createPollFixture();
      await f.open();
      const ids = await subjectIdsOf(f.pollId);
      const fig = figures(ids, { summoned: 10, present: 9, issued: 9, collected: 9, valid: 9, invalid: 0 }, [
        [[5, 4, 0], 0],
        [[9, 0, 0], 0],
        [[3, 3, 3], 0],
      ]);
      const entrant = await countingMember(f, "kiemphieu", "Trần Văn Bình");
      const members = [];
      for (let i = 0; i < 20; i++) members.push(await countingMember(f, `kiemphieu${i}`, `Thành viên ${i}`));
      const reasons = (results: PromiseSettledResult<unknown>[]) =>
        results.map((r) => (r.status === "fulfilled" ? "ok" : (r.reason as PaperError).reason)).sort();
      const expected = ["ok", ...Array(19).fill("alreadyConfirmed")].sort();

      await savePaperEntry({
        actor: entrant,
        pollId: f.pollId,
        scope: f.group1.id,
        figures: fig,
        expectedVersion: null,
      });
      const confirms = await Promise.allSettled(
        members.map((actor) => confirmPaperEntry({ actor, pollId: f.pollId, scope: f.group1.id, version: 1 }))
      );
      expect(reasons(confirms)).toEqual(expected);
      const winner = members[confirms.findIndex((r) => r.status === "fulfilled")];
      const [entry] = await listPaperEntries({ pollId: f.pollId });
      expect(entry.confirmedBy!.id).toBe(winner.userId);
      expect((await paperAudit()).filter((a) => a.action === "paper.confirm")).toEqual([
        expect.objectContaining({ by: winner.userId, version: 1 }),
      ]);

      const saves = await Promise.allSettled(
        members.map((actor) =>
          savePaperEntry({ actor, pollId: f.pollId, scope: f.group2.id, figures: fig, expectedVersion: null })
        )
      );
      expect(reasons(saves)).toEqual(["ok", ...Array(19).fill("staleVersion")].sort());
      const rows = await db
        .selectFrom("paper_tallies")
        .select(["entered_by", "version"])
        .where("poll_id", "=", f.pollId)
        .where("group_id", "=", f.group2.id)
        .execute();
      const saver = members[saves.findIndex((r) => r.status === "fulfilled")];
      expect(rows).toEqual([{ entered_by: saver.userId, version: 1 }]);
      const subjectRows = await db
        .selectFrom("paper_tally_subjects as s")
        .innerJoin("paper_tallies as p", "p.id", "s.paper_tally_id")
        .select("s.subject_id")
        .where("p.group_id", "=", f.group2.id)
        .execute();
      expect(subjectRows).toHaveLength(3);
      expect((await paperAudit()).filter((a) => a.action === "paper.enter" && a.groupId === f.group2.id)).toHaveLength(
        1
      );
    }
  );
});
