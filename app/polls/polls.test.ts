import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { castBallot } from "~/ballots/cast.server";
import { recordHandedOut } from "~/credentials/credentials.server";
import { db } from "~/db.server";
import { action as newAction, loader as newLoader } from "~/routes/units.$unitId.polls.new";
import { loader as listLoader } from "~/routes/units.$unitId.polls._index";
import { action as pollAction, loader as pollLoader } from "~/routes/polls.$pollId._index";
import { action as editAction, loader as editLoader } from "~/routes/polls.$pollId.edit";
import { action as issueAction } from "~/routes/polls.$pollId.credentials";
import { action as resultsAction, loader as resultsLoader } from "~/routes/polls.$pollId.results";
import { loader as minutesLoader } from "~/routes/polls.$pollId.minutes";
import { action as meetingAction, loader as meetingLoader } from "~/routes/polls.$pollId.meeting";
import type { Role } from "../../db/schema";
import { createUser, dataOf, makeRequest, run, sessionCookie, statusOf } from "../../tests/setup/fixtures";
import { createPollFixture } from "../../tests/setup/poll-fixtures";
import { applySchedules, closePoll } from "./lifecycle.server";
import { fromVietnamLocal, parseShare, toVietnamLocal } from "./polls.schema";
import { createPoll, updateDraftPoll } from "./polls.server";

type Grant = { role: Role; unitId: number | null };

/** The text of a PDF as a reader's copy and paste gives it (poppler's pdftotext). */
function pdfText(pdf: Buffer): string {
  return execFileSync("pdftotext", ["-enc", "UTF-8", "-", "-"], { input: pdf }).toString("utf8").normalize("NFC");
}

async function login(username: string, grants: Grant[], fullName?: string) {
  const user = await createUser(username, grants, fullName);
  return { ...user, cookie: await sessionCookie(user.id) };
}

const pollParams = (pollId: number) => ({ pollId: String(pollId) });
const unitParams = (unitId: number) => ({ unitId: String(unitId) });

function get(loader: (args: any) => Promise<unknown>, path: string, cookie: string, params: Record<string, string>) {
  return run(() => loader({ request: makeRequest(path, { cookie }), params, context: {} }));
}

function post(
  action: (args: any) => Promise<unknown>,
  path: string,
  cookie: string,
  params: Record<string, string>,
  form: Record<string, string | string[]>
) {
  return run(() => action({ request: makeRequest(path, { cookie, form }), params, context: {} }));
}

async function positionIds() {
  return (await db.selectFrom("positions").select("id").orderBy("id").execute()).map((p) => String(p.id));
}

/** A complete, valid create form for the fixture's ward. */
async function validForm(f: Awaited<ReturnType<typeof createPollFixture>>): Promise<Record<string, string | string[]>> {
  return {
    kind: "confidence_poll",
    title: "  Lấy phiếu tín nhiệm   giữa nhiệm kỳ ",
    place: "Hội trường UBND phường",
    positionIds: (await positionIds()).slice(0, 2),
    groupIds: [String(f.group1.id), String(f.group2.id)],
    memberName1: "Trần Văn Bình",
    memberRole1: "Trưởng ban",
    memberName2: "",
    memberRole2: "",
    memberName3: "Lê Thị Mai",
    memberRole3: "Thành viên",
    denominator: "collected",
    reviewAbove: "1/2",
    dismissalAtLeast: "2/3",
    noConfidenceAbove: "50%",
    quorum: "2/3",
    k: "5",
    requiredConfirmations: "2",
    scheduledOpenAt: "2026-12-01T08:00",
    scheduledCloseAt: "2026-12-01T17:30",
  };
}

async function pollCount() {
  return Number((await db.selectFrom("polls").select(db.fn.countAll<string>().as("n")).executeTakeFirstOrThrow()).n);
}

/** A closed poll of the fixture with two counted ballots, and two counting members. */
async function closedPoll() {
  const f = await createPollFixture();
  const { slips, batchId } = await f.issue(f.group1.id, 3);
  // Every slip handed out, as the officer records it: nothing for the reconciliation to warn about.
  await recordHandedOut({ actor: f.actor, pollId: f.pollId, batchId, handedOut: 3 });
  await f.open();
  await castBallot({ code: slips[0].code, levels: [1, 2, 3] });
  await castBallot({ code: slips[1].code, levels: [3, 3, 0] });
  await closePoll({ actor: f.actor, pollId: f.pollId });
  const member1 = await login("kiemphieu1", [{ role: "counting_member", unitId: f.ward.id }], "Trần Văn Bình");
  const member2 = await login("kiemphieu2", [{ role: "counting_member", unitId: f.ward.id }], "Lê Thị Mai");
  const officer = { ...f.officer, cookie: await sessionCookie(f.officer.id) };
  return { ...f, member1, member2, officerSession: officer };
}

async function confirm(cookie: string, pollId: number) {
  const page = dataOf(await get(resultsLoader, `/polls/${pollId}/results`, cookie, pollParams(pollId)));
  return post(resultsAction, `/polls/${pollId}/results`, cookie, pollParams(pollId), {
    intent: "confirm",
    tallyHash: page.counted.hash,
  });
}

function publish(cookie: string, pollId: number) {
  return post(pollAction, `/polls/${pollId}`, cookie, pollParams(pollId), { intent: "publish" });
}

describe("the poll form's parsing", () => {
  it("reads shares and Việt Nam times as officers write them", () => {
    expect(parseShare("1/2")).toBe(0.5);
    expect(parseShare("2/3")).toBeCloseTo(2 / 3);
    expect(parseShare("66,67%")).toBeCloseTo(0.6667);
    expect(parseShare("0,5")).toBe(0.5);
    for (const bad of ["0", "3/2", "150%", "một nửa", "", "1/0"]) expect(parseShare(bad)).toBeNull();
    expect(fromVietnamLocal("2026-12-01T08:00")!.toISOString()).toBe("2026-12-01T01:00:00.000Z");
    expect(fromVietnamLocal("2026-02-31T08:00")).toBeNull();
    expect(toVietnamLocal(new Date("2026-12-01T01:00:00Z"))).toBe("2026-12-01T08:00");
  });
});

describe("creating a poll", () => {
  it("stores a draft with snapshots, committee, rules and the schedule in Việt Nam time", async () => {
    const f = await createPollFixture();
    const officer = await sessionCookie(f.officer.id);
    const page = dataOf(await get(newLoader, `/units/${f.ward.id}/polls/new`, officer, unitParams(f.ward.id)));
    expect(page.options.positions.map((p: { full_name: string }) => p.full_name)).toEqual([
      "Nguyễn Văn Thành",
      "Lê Minh Đức",
      "Vũ Thị Hương",
    ]);
    expect(page.values).toMatchObject({ reviewAbove: "1/2", dismissalAtLeast: "2/3", quorum: "2/3", k: "5" });
    const before = await pollCount();
    const response = (await post(
      newAction,
      `/units/${f.ward.id}/polls/new`,
      officer,
      unitParams(f.ward.id),
      await validForm(f)
    )) as Response;
    expect(response.status).toBe(302);
    const id = Number(/\/polls\/(\d+)\?notice=created$/.exec(response.headers.get("Location")!)![1]);
    expect(await pollCount()).toBe(before + 1);
    const poll = await db.selectFrom("polls").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(poll.title).toBe("Lấy phiếu tín nhiệm giữa nhiệm kỳ");
    expect(poll.status).toBe("draft");
    expect(poll.scheduled_open_at!.toISOString()).toBe("2026-12-01T01:00:00.000Z");
    expect(poll.scheduled_close_at!.toISOString()).toBe("2026-12-01T10:30:00.000Z");
    expect(poll.rules).toMatchObject({ denominator: "collected", reviewAbove: 0.5, noConfidenceAbove: 0.5, k: 5 });
    const committee = await db
      .selectFrom("poll_committee_members")
      .select(["full_name", "role"])
      .where("poll_id", "=", id)
      .orderBy("sort_order")
      .execute();
    expect(committee).toEqual([
      { full_name: "Trần Văn Bình", role: "Trưởng ban" },
      { full_name: "Lê Thị Mai", role: "Thành viên" },
    ]);
    const detail = dataOf(await get(pollLoader, `/polls/${id}`, officer, pollParams(id)));
    expect(detail.subjects.map((s: { full_name: string }) => s.full_name)).toEqual(["Nguyễn Văn Thành", "Lê Minh Đức"]);
    const list = dataOf(await get(listLoader, `/units/${f.ward.id}/polls`, officer, unitParams(f.ward.id)));
    expect(list.polls.map((p: { id: number }) => p.id)).toContain(id);
  });

  it("refuses bad input with 400 and a field error for each, keeping what was typed and storing nothing", async () => {
    const f = await createPollFixture();
    const officer = await sessionCookie(f.officer.id);
    const good = await validForm(f);
    const before = await pollCount();
    const cases: [Record<string, string | string[]>, string, string][] = [
      [{ title: "   " }, "title", "errors.required"],
      [{ positionIds: [] }, "positionIds", "polls.errors.noSubjects"],
      [{ groupIds: [] }, "groupIds", "polls.errors.noGroups"],
      [{ kind: "referendum" }, "kind", "polls.errors.kind"],
      [{ reviewAbove: "một nửa" }, "reviewAbove", "polls.errors.share"],
      [{ reviewAbove: "3/4" }, "reviewAbove", "polls.errors.reviewBelowDismissal"],
      [{ k: "2" }, "k", "polls.errors.kRange"],
      [{ requiredConfirmations: "0" }, "requiredConfirmations", "polls.errors.confirmationsRange"],
      [{ memberRole1: "" }, "memberRole1", "polls.errors.memberRoleRequired"],
      [{ memberName2: "", memberRole2: "Thư ký" }, "memberName2", "polls.errors.memberNameRequired"],
      [{ scheduledCloseAt: "2026-12-01T07:00" }, "scheduledCloseAt", "polls.errors.closeBeforeOpen"],
      [{ scheduledOpenAt: "2026-02-31T08:00" }, "scheduledOpenAt", "polls.errors.dateTime"],
      [{ positionIds: ["999999"] }, "positionIds", "polls.errors.subjectNotInWard"],
      [{ groupIds: [String(f.otherGroup.id)] }, "groupIds", "polls.errors.groupNotInUnit"],
    ];
    for (const [change, field, message] of cases) {
      const refused = await post(newAction, `/units/${f.ward.id}/polls/new`, officer, unitParams(f.ward.id), {
        ...good,
        ...change,
      });
      expect(statusOf(refused), field).toBe(400);
      expect(dataOf(refused).errors[field], field).toBe(message);
      expect(dataOf(refused).values.place).toBe("Hội trường UBND phường");
    }
    const kept = dataOf(
      await post(newAction, `/units/${f.ward.id}/polls/new`, officer, unitParams(f.ward.id), { ...good, k: "2" })
    );
    expect(kept.values.positionIds).toBe((good.positionIds as string[]).join(","));
    expect(await pollCount()).toBe(before);
  });

  it("lets a residential group's officer poll cadres of that group only, with that group only", async () => {
    const f = await createPollFixture();
    const head = await db
      .selectFrom("position_titles")
      .select("id")
      .where("ward_id", "is", null)
      .executeTakeFirstOrThrow();
    const cadre = await db
      .insertInto("cadres")
      .values({ ward_id: f.ward.id, full_name: "Phạm Văn Tổ", birth_year: 1960 })
      .returning("id")
      .executeTakeFirstOrThrow();
    const position = await db
      .insertInto("positions")
      .values({ cadre_id: cadre.id, unit_id: f.group1.id, title_id: head.id, started_on: "2022-01-01" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const groupOfficer = await login("to1", [{ role: "front_officer", unitId: f.group1.id }]);
    const page = dataOf(
      await get(newLoader, `/units/${f.group1.id}/polls/new`, groupOfficer.cookie, unitParams(f.group1.id))
    );
    expect(page.options.positions.map((p: { id: number }) => p.id)).toEqual([position.id]);
    expect(page.options.groups).toEqual([{ id: f.group1.id, name: f.group1.name }]);
    expect(page.values.groupIds).toBe(String(f.group1.id));
    const form = { ...(await validForm(f)), positionIds: [String(position.id)], groupIds: [String(f.group1.id)] };
    const wardSubject = await post(
      newAction,
      `/units/${f.group1.id}/polls/new`,
      groupOfficer.cookie,
      unitParams(f.group1.id),
      {
        ...form,
        positionIds: [(await positionIds())[0]],
      }
    );
    expect(dataOf(wardSubject).errors.positionIds).toBe("polls.errors.subjectNotInUnit");
    const created = (await post(
      newAction,
      `/units/${f.group1.id}/polls/new`,
      groupOfficer.cookie,
      unitParams(f.group1.id),
      form
    )) as Response;
    expect(created.status).toBe(302);
    // The group's officer cannot create a poll for the ward.
    expect(
      statusOf(await get(newLoader, `/units/${f.ward.id}/polls/new`, groupOfficer.cookie, unitParams(f.ward.id)))
    ).toBe(403);
  });

  it("edits a draft only, re-snapshotting, and never drops a group that has slips", async () => {
    const f = await createPollFixture();
    const officer = await sessionCookie(f.officer.id);
    const page = dataOf(await get(editLoader, `/polls/${f.pollId}/edit`, officer, pollParams(f.pollId)));
    expect(page.editable).toBe(true);
    expect(page.values).toMatchObject({
      title: "Lấy phiếu tín nhiệm cán bộ chủ chốt năm 2026",
      memberName2: "Lê Thị Mai",
    });
    await db
      .updateTable("cadres")
      .set({ full_name: "Nguyễn Văn Thành (mới)" })
      .where("full_name", "=", "Nguyễn Văn Thành")
      .execute();
    const form = {
      ...page.values,
      positionIds: page.values.positionIds.split(","),
      groupIds: page.values.groupIds.split(","),
      title: "Tên mới",
    };
    const saved = (await post(editAction, `/polls/${f.pollId}/edit`, officer, pollParams(f.pollId), form)) as Response;
    expect(saved.headers.get("Location")).toBe(`/polls/${f.pollId}?notice=updated`);
    const subjects = await db.selectFrom("poll_subjects").select("full_name").where("poll_id", "=", f.pollId).execute();
    expect(subjects.map((s) => s.full_name)).toContain("Nguyễn Văn Thành (mới)");

    await f.issue(f.group2.id, 2);
    const dropped = await post(editAction, `/polls/${f.pollId}/edit`, officer, pollParams(f.pollId), {
      ...form,
      groupIds: [String(f.group1.id)],
    });
    expect(dataOf(dropped).errors.groupIds).toBe("polls.errors.groupHasCredentials");

    await f.open();
    const late = await post(editAction, `/polls/${f.pollId}/edit`, officer, pollParams(f.pollId), form);
    expect(statusOf(late)).toBe(409);
    expect(dataOf(late).formError).toBe("polls.edit.notDraft");
    expect(dataOf(await get(editLoader, `/polls/${f.pollId}/edit`, officer, pollParams(f.pollId))).editable).toBe(
      false
    );
    const audit = await db.selectFrom("audit_log").select("action").where("action", "=", "poll.update").execute();
    expect(audit).toHaveLength(1);
  });
});

describe("who reaches a poll", () => {
  it("answers 403 to another ward's officer on every poll route, and 404 for a poll that does not exist", async () => {
    const f = await createPollFixture();
    const other = await login("khac", [{ role: "front_officer", unitId: f.otherWard.id }]);
    const id = f.pollId;
    const p = pollParams(id);
    const attempts: Promise<unknown>[] = [
      get(listLoader, `/units/${f.ward.id}/polls`, other.cookie, unitParams(f.ward.id)),
      get(newLoader, `/units/${f.ward.id}/polls/new`, other.cookie, unitParams(f.ward.id)),
      post(newAction, `/units/${f.ward.id}/polls/new`, other.cookie, unitParams(f.ward.id), await validForm(f)),
      get(pollLoader, `/polls/${id}`, other.cookie, p),
      post(pollAction, `/polls/${id}`, other.cookie, p, { intent: "open" }),
      get(editLoader, `/polls/${id}/edit`, other.cookie, p),
      post(editAction, `/polls/${id}/edit`, other.cookie, p, await validForm(f)),
      post(issueAction, `/polls/${id}/credentials`, other.cookie, p, { groupId: String(f.group1.id), count: "1" }),
      get(resultsLoader, `/polls/${id}/results`, other.cookie, p),
      post(resultsAction, `/polls/${id}/results`, other.cookie, p, { intent: "confirm", tallyHash: "0".repeat(64) }),
      get(minutesLoader, `/polls/${id}/minutes`, other.cookie, p),
      get(meetingLoader, `/polls/${id}/meeting`, other.cookie, p),
      post(meetingAction, `/polls/${id}/meeting`, other.cookie, p, { summoned: "10" }),
    ];
    for (const attempt of attempts) expect(statusOf(await attempt)).toBe(403);
    expect(statusOf(await get(pollLoader, `/polls/999999`, other.cookie, pollParams(999999)))).toBe(404);
    expect(statusOf(await get(pollLoader, `/polls/abc`, other.cookie, { pollId: "abc" }))).toBe(404);
    const poll = await db
      .selectFrom("polls")
      .select(["status", "summoned"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(poll).toEqual({ status: "draft", summoned: null });
    expect(await pollCount()).toBe(1);
  });

  it("shows nobody results before the close, and a committee reader only after publication", async () => {
    const f = await closedPoll();
    const reader = await login("danguy", [{ role: "committee_reader", unitId: f.ward.id }]);
    const results = () => get(resultsLoader, `/polls/${f.pollId}/results`, reader.cookie, pollParams(f.pollId));
    expect(statusOf(await results())).toBe(403);
    expect(statusOf(await get(minutesLoader, `/polls/${f.pollId}/minutes`, reader.cookie, pollParams(f.pollId)))).toBe(
      403
    );
    expect(
      statusOf(await get(resultsLoader, `/polls/${f.pollId}/results`, f.member1.cookie, pollParams(f.pollId)))
    ).toBe(200);

    await confirm(f.member1.cookie, f.pollId);
    await confirm(f.member2.cookie, f.pollId);
    expect(statusOf(await publish(f.officerSession.cookie, f.pollId))).toBe(302);
    const published = dataOf(await results());
    expect(published.counted.frozen).toBe(true);
    expect(published.counted.tally.ballots.collected).toBe(2);
    const minutes = (await get(
      minutesLoader,
      `/polls/${f.pollId}/minutes`,
      reader.cookie,
      pollParams(f.pollId)
    )) as Response;
    expect(minutes.headers.get("Content-Type")).toBe("application/pdf");
    expect(
      Buffer.from(await minutes.arrayBuffer())
        .subarray(0, 5)
        .toString()
    ).toBe("%PDF-");

    const draft = await createPoll({
      actor: f.actor,
      input: {
        unitId: f.ward.id,
        kind: "confidence_vote",
        title: "Bỏ phiếu",
        place: "Hội trường",
        positionIds: (await positionIds()).map(Number),
        groupIds: [f.group1.id],
        committee: [],
      },
    });
    const officerView = dataOf(
      await get(resultsLoader, `/polls/${draft.id}/results`, f.officerSession.cookie, pollParams(draft.id))
    );
    expect(officerView.counted).toBeNull();
    expect(
      statusOf(await get(minutesLoader, `/polls/${draft.id}/minutes`, f.officerSession.cookie, pollParams(draft.id)))
    ).toBe(409);
  });
});

describe("the lifecycle on the poll page", () => {
  it("opens, refuses a second open, asks before closing, then counts", async () => {
    const f = await createPollFixture();
    const officer = await sessionCookie(f.officer.id);
    const p = pollParams(f.pollId);
    const opened = (await post(pollAction, `/polls/${f.pollId}`, officer, p, { intent: "open" })) as Response;
    expect(opened.headers.get("Location")).toBe(`/polls/${f.pollId}?notice=opened`);
    const twice = await post(pollAction, `/polls/${f.pollId}`, officer, p, { intent: "open" });
    expect(statusOf(twice)).toBe(409);
    expect(dataOf(twice).formError).toBe("polls.lifecycle.wrongState.open");
    const unconfirmed = await post(pollAction, `/polls/${f.pollId}`, officer, p, { intent: "close" });
    expect(statusOf(unconfirmed)).toBe(400);
    expect(dataOf(unconfirmed).formError).toBe("polls.lifecycle.closeNotConfirmed");
    const closed = (await post(pollAction, `/polls/${f.pollId}`, officer, p, {
      intent: "close",
      confirm: "yes",
    })) as Response;
    expect(closed.headers.get("Location")).toBe(`/polls/${f.pollId}?notice=closed&count=0`);
    const again = await post(pollAction, `/polls/${f.pollId}`, officer, p, { intent: "close", confirm: "yes" });
    expect(dataOf(again).formError).toBe("polls.lifecycle.wrongState.close");
    const member = await login("kiemphieu", [{ role: "counting_member", unitId: f.ward.id }]);
    expect(statusOf(await post(pollAction, `/polls/${f.pollId}`, member.cookie, p, { intent: "publish" }))).toBe(403);
    const actions = await db
      .selectFrom("audit_log")
      .select(["action", "actor_label"])
      .where("action", "like", "poll.%")
      .orderBy("id")
      .execute();
    expect(actions).toEqual([
      { action: "poll.create", actor_label: "mattran" },
      { action: "poll.open", actor_label: "mattran" },
      { action: "poll.close", actor_label: "mattran" },
    ]);
  });

  it("takes confirmations from counting members, never the creator, and publishes with enough matching ones", async () => {
    const f = await closedPoll();
    const p = pollParams(f.pollId);
    const none = await publish(f.officerSession.cookie, f.pollId);
    expect(statusOf(none)).toBe(409);
    expect(dataOf(none).formError).toEqual({ key: "polls.publish.notEnough", params: { valid: 0, required: 2 } });

    // The creator, even holding a counting member's grant, is refused by the domain.
    await db
      .insertInto("grants")
      .values({ user_id: f.officer.id, role: "counting_member", unit_id: f.ward.id })
      .execute();
    const page = dataOf(await get(resultsLoader, `/polls/${f.pollId}/results`, f.officerSession.cookie, p));
    expect(page.counted.canConfirm).toBe(false);
    expect(page.counted.creatorNote).toBe(true);
    const byCreator = await confirm(f.officerSession.cookie, f.pollId);
    expect(statusOf(byCreator)).toBe(403);
    expect(dataOf(byCreator).formError).toBe("polls.confirm.creator");

    const memberPage = dataOf(await get(resultsLoader, `/polls/${f.pollId}/results`, f.member1.cookie, p));
    expect(memberPage.counted.canConfirm).toBe(true);
    const first = (await confirm(f.member1.cookie, f.pollId)) as Response;
    expect(first.headers.get("Location")).toBe(`/polls/${f.pollId}/results?notice=confirmed`);
    expect(dataOf(await confirm(f.member1.cookie, f.pollId)).formError).toBe("polls.confirm.already");
    const stale = await post(resultsAction, `/polls/${f.pollId}/results`, f.member2.cookie, p, {
      intent: "confirm",
      tallyHash: "a".repeat(64),
    });
    expect(dataOf(stale).formError).toBe("polls.confirm.stale");
    const one = await publish(f.officerSession.cookie, f.pollId);
    expect(dataOf(one).formError).toEqual({ key: "polls.publish.notEnough", params: { valid: 1, required: 2 } });

    // A later change voids the first confirmation: the second alone is not enough, and the page says why.
    const batch = await db.selectFrom("credential_batches").select("id").executeTakeFirstOrThrow();
    await recordHandedOut({ actor: f.actor, pollId: f.pollId, batchId: batch.id, handedOut: 2 });
    await confirm(f.member2.cookie, f.pollId);
    const staleOne = await publish(f.officerSession.cookie, f.pollId);
    expect(dataOf(staleOne).formError).toEqual({
      key: "polls.publish.stale",
      params: { valid: 1, required: 2, stale: 1 },
    });
    const pollPage = dataOf(await get(pollLoader, `/polls/${f.pollId}`, f.officerSession.cookie, p));
    expect(pollPage.confirmations).toHaveLength(2);
    expect(
      pollPage.confirmations.filter((c: { tally_hash: string }) => c.tally_hash === pollPage.currentHash)
    ).toHaveLength(1);
    // The member whose confirmation was voided confirms the new tally.
    await confirm(f.member1.cookie, f.pollId);

    const published = (await publish(f.officerSession.cookie, f.pollId)) as Response;
    expect(published.headers.get("Location")).toBe(`/polls/${f.pollId}?notice=published`);
    const frozen = dataOf(await get(resultsLoader, `/polls/${f.pollId}/results`, f.member1.cookie, p)).counted;
    expect(frozen.frozen).toBe(true);
    expect(frozen.canConfirm).toBe(false);
    expect(frozen.tally.slips.handedOut).toBe(2);

    // Whatever changes later, the results read the frozen tally.
    await db.updateTable("credential_batches").set({ handed_out: 1 }).execute();
    await db.deleteFrom("counted_ballots").where("poll_id", "=", f.pollId).execute();
    const later = dataOf(await get(resultsLoader, `/polls/${f.pollId}/results`, f.member1.cookie, p)).counted;
    expect(later.tally).toEqual(frozen.tally);
    expect(later.hash).toBe(frozen.hash);
    expect(dataOf(await publish(f.officerSession.cookie, f.pollId)).formError).toBe(
      "polls.lifecycle.wrongState.publish"
    );
  });

  it("records the meeting for the minutes, until publication", async () => {
    const f = await closedPoll();
    const p = pollParams(f.pollId);
    const bad = await post(meetingAction, `/polls/${f.pollId}/meeting`, f.member1.cookie, p, {
      summoned: "10",
      present: "12",
    });
    expect(statusOf(bad)).toBe(400);
    expect(dataOf(bad).errors.present).toBe("polls.errors.presentAboveSummoned");
    const saved = (await post(meetingAction, `/polls/${f.pollId}/meeting`, f.member1.cookie, p, {
      summoned: "30",
      present: "21",
      complaints: "Ông A phản ánh phiếu in mờ.\r\nĐã phát lại phiếu mới.",
    })) as Response;
    expect(saved.headers.get("Location")).toBe(`/polls/${f.pollId}?notice=meetingSaved`);
    const poll = await db
      .selectFrom("polls")
      .select(["summoned", "present", "complaints"])
      .where("id", "=", f.pollId)
      .executeTakeFirstOrThrow();
    expect(poll).toEqual({
      summoned: 30,
      present: 21,
      complaints: "Ông A phản ánh phiếu in mờ.\nĐã phát lại phiếu mới.",
    });
    const reader = await login("docgia", [{ role: "committee_reader", unitId: f.ward.id }]);
    expect(statusOf(await get(meetingLoader, `/polls/${f.pollId}/meeting`, reader.cookie, p))).toBe(403);
    const minutes = (await get(minutesLoader, `/polls/${f.pollId}/minutes`, f.member1.cookie, p)) as Response;
    expect(minutes.status).toBe(200);
    expect(minutes.headers.get("Content-Disposition")).toContain("attachment");
    const text = pdfText(Buffer.from(await minutes.arrayBuffer())).replace(/\s+/g, " ");
    for (const expected of ["Nguyễn Văn Thành", "Trần Văn Bình", "Ông A phản ánh phiếu in mờ.", "30", "21"]) {
      expect(text).toContain(expected);
    }

    await confirm(f.member1.cookie, f.pollId);
    await confirm(f.member2.cookie, f.pollId);
    await publish(f.officerSession.cookie, f.pollId);
    const locked = await post(meetingAction, `/polls/${f.pollId}/meeting`, f.officerSession.cookie, p, {
      summoned: "31",
    });
    expect(statusOf(locked)).toBe(409);
    expect(dataOf(locked).formError).toBe("polls.meeting.locked");
  });
});

describe("scheduled windows", () => {
  it("opens due drafts and closes due open polls, as 'schedule', and leaves a missed window alone", async () => {
    const f = await createPollFixture();
    const start = new Date("2026-12-01T01:00:00Z");
    const end = new Date("2026-12-01T10:00:00Z");
    const input = { ...(await draftInput(f)), scheduledOpenAt: start, scheduledCloseAt: end };
    await updateDraftPoll({ actor: f.actor, pollId: f.pollId, input });
    const missed = await createPoll({
      actor: f.actor,
      input: {
        ...input,
        unitId: f.ward.id,
        scheduledOpenAt: new Date("2026-11-01T01:00:00Z"),
        scheduledCloseAt: new Date("2026-11-02T01:00:00Z"),
      },
    });
    const { slips } = await f.issue(f.group1.id, 1);

    expect(await applySchedules({ now: new Date(start.getTime() - 60_000) })).toEqual({ opened: [], closed: [] });
    expect(await applySchedules({ now: start })).toEqual({ opened: [f.pollId], closed: [] });
    // Cast inside the window, whatever today's date is.
    const during = new Date(start.getTime() + 3600_000);
    expect((await castBallot({ code: slips[0].code, levels: [1, 1, 1], now: during })).status).toBe("counted");
    expect(await applySchedules({ now: new Date(end.getTime() - 1) })).toEqual({ opened: [], closed: [] });
    expect(await applySchedules({ now: end })).toEqual({ opened: [], closed: [f.pollId] });
    const polls = await db.selectFrom("polls").select(["id", "status"]).orderBy("id").execute();
    expect(polls).toEqual([
      { id: f.pollId, status: "closed" },
      { id: missed.id, status: "draft" },
    ]);
    const counted = await db.selectFrom("counted_ballots").select("poll_id").execute();
    expect(counted).toHaveLength(1);
    const audit = await db
      .selectFrom("audit_log")
      .select(["action", "actor_label", "actor_user_id"])
      .where("action", "in", ["poll.open", "poll.close"])
      .orderBy("id")
      .execute();
    expect(audit).toEqual([
      { action: "poll.open", actor_label: "schedule", actor_user_id: null },
      { action: "poll.close", actor_label: "schedule", actor_user_id: null },
    ]);
  });

  it("is never applied by a page load (no GET changes anything), and casting refuses once the close time passed", async () => {
    const f = await createPollFixture();
    const { slips } = await f.issue(f.group1.id, 1);
    await db
      .updateTable("polls")
      .set({ scheduled_open_at: new Date(Date.now() - 1000) })
      .where("id", "=", f.pollId)
      .execute();
    const officer = await sessionCookie(f.officer.id);
    const page = dataOf(await get(pollLoader, `/polls/${f.pollId}`, officer, pollParams(f.pollId)));
    expect(page.poll.status).toBe("draft");
    await applySchedules({ now: new Date() });
    await db
      .updateTable("polls")
      .set({ scheduled_close_at: new Date(Date.now() - 1) })
      .where("id", "=", f.pollId)
      .execute();
    expect((await castBallot({ code: slips[0].code, levels: [1, 1, 1] })).status).toBe("closed");
  });
});

async function draftInput(f: Awaited<ReturnType<typeof createPollFixture>>) {
  return {
    kind: "confidence_poll" as const,
    title: "Lấy phiếu tín nhiệm cán bộ chủ chốt năm 2026",
    place: "Hội trường UBND phường",
    positionIds: (await positionIds()).map(Number),
    groupIds: [f.group1.id, f.group2.id],
    committee: [{ fullName: "Trần Văn Bình", role: "Trưởng ban" }],
  };
}
