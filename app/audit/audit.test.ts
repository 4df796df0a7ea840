import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { attemptLogin } from "~/auth/login.server";
import type { SessionUser } from "~/auth/session.server";
import { castBallot } from "~/ballots/cast.server";
import { recordHandedOut, voidCredential } from "~/credentials/credentials.server";
import { db } from "~/db.server";
import { translate } from "~/i18n/i18n";
import { closePoll } from "~/polls/lifecycle.server";
import { confirmTally, publishPoll, readTally } from "~/polls/publish.server";
import { action as logoutAction } from "~/routes/logout";
import { loader as auditLoader } from "~/routes/units.$unitId.audit";
import { addUnit } from "~/units/units.server";
import { changeOwnPassword, createAccount, getAccount, resetAccountPassword } from "~/users/users.server";
import type { Role } from "../../db/schema";
import {
  createUser,
  createWards,
  dataOf,
  makeRequest,
  run,
  sessionCookie,
  statusOf,
  TEST_PASSWORD,
} from "../../tests/setup/fixtures";
import { createPollFixture } from "../../tests/setup/poll-fixtures";
import { actorText, chainMessage, describeAuditEntry, type AuditEntryView, type AuditNames } from "./audit-log";
import { appendAudit, AUDIT_PAGE_SIZE, verifyAuditChain } from "./audit.server";

type Grant = { role: Role; unitId: number | null };

async function login(username: string, grants: Grant[]) {
  const user = await createUser(username, grants);
  return { ...user, cookie: await sessionCookie(user.id) };
}

function auditPage(unitId: number, cookie: string, query = "") {
  return run(() =>
    auditLoader({
      request: makeRequest(`/units/${unitId}/audit${query}`, { cookie }),
      params: { unitId: String(unitId) },
      context: {},
    })
  );
}

type Page = {
  entries: AuditEntryView[];
  names: AuditNames;
  nextBefore: string | null;
  chain: Parameters<typeof chainMessage>[0];
  includeUnitless: boolean;
};

async function readPage(unitId: number, cookie: string, query = ""): Promise<Page> {
  const result = await auditPage(unitId, cookie, query);
  expect(statusOf(result)).toBe(200);
  return dataOf<Page>(result);
}

/** What a Vietnamese reader sees for each entry of a page. */
function sentences(page: Page) {
  const t = (message: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) =>
    translate("vi", message, params);
  return page.entries.map((entry) => describeAuditEntry(entry, { t, locale: "vi", names: page.names }));
}

function banner(page: Page) {
  return translate("vi", chainMessage(page.chain));
}

async function auditCount() {
  const row = await db.selectFrom("audit_log").select(db.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function entryIds() {
  return (await db.selectFrom("audit_log").select("id").orderBy("id").execute()).map((r) => String(r.id));
}

/** `n` plain entries on a unit, as an officer's actions would write them. */
async function appendMany(unitId: number, n: number, action = "poll.open") {
  for (let i = 1; i <= n; i++) {
    await db
      .transaction()
      .execute((tx) =>
        appendAudit(tx, { actor: { userId: null, label: "mattran" }, unitId, action, details: { pollId: i } })
      );
  }
}

describe("the audit page of a unit", () => {
  it("lists the ward's entries and its residential groups', newest first, and not another ward's", async () => {
    const { ward, group1, otherWard } = await createWards();
    const officer = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const actor = { userId: officer.id, label: officer.username };
    await addUnit({ actor, parentId: ward.id, kind: "residential_group", name: "Tổ dân phố số 3" });
    await addUnit({ actor, parentId: otherWard.id, kind: "residential_group", name: "Tổ dân phố số 9" });
    await db.transaction().execute((tx) =>
      appendAudit(tx, {
        actor,
        unitId: group1.id,
        action: "grant.add",
        details: { userId: officer.id, username: "totruong", grantId: 9, role: "front_officer", unitId: group1.id },
      })
    );
    await attemptLogin({ username: "mattran", password: TEST_PASSWORD });

    const page = await readPage(ward.id, officer.cookie);
    expect(page.entries.map((e) => e.action)).toEqual(["grant.add", "unit.create"]);
    expect(sentences(page)).toEqual([
      "Giao vai trò Cán bộ Mặt trận trên Tổ dân phố số 1 cho tài khoản totruong",
      "Thêm tổ dân phố “Tổ dân phố số 3”",
    ]);
    expect(page.entries[0]).toMatchObject({ actor_label: "mattran", unit_name: "Tổ dân phố số 1" });
    expect(page.entries[0].hashPrefix).toMatch(/^[0-9a-f]{8}$/);
    const hashes = await db.selectFrom("audit_log").select(["id", "hash"]).execute();
    const hashOf = (id: string) => hashes.find((h) => String(h.id) === id)!.hash;
    expect(hashOf(page.entries[0].id).startsWith(page.entries[0].hashPrefix)).toBe(true);
    // Another ward's group and the login (tied to no unit) are not in the ward's log.
    expect(JSON.stringify(page.entries)).not.toContain("Tổ dân phố số 9");
    expect(page.entries.some((e) => e.action === "auth.login")).toBe(false);
    expect(page.includeUnitless).toBe(false);
    const other = await login("khuongdinh", [{ role: "front_officer", unitId: otherWard.id }]);
    expect(sentences(await readPage(otherWard.id, other.cookie))).toEqual(["Thêm tổ dân phố “Tổ dân phố số 9”"]);
  });

  it("refuses another ward's officer and a counting member (403), an unknown unit (404) and a stranger", async () => {
    const { ward, group1, otherWard } = await createWards();
    const other = await login("khuongdinh", [{ role: "front_officer", unitId: otherWard.id }]);
    const counting = await login("kiemphieu", [{ role: "counting_member", unitId: ward.id }]);
    const reader = await login("danguy", [{ role: "committee_reader", unitId: ward.id }]);
    expect(statusOf(await auditPage(ward.id, other.cookie))).toBe(403);
    expect(statusOf(await auditPage(ward.id, counting.cookie))).toBe(403);
    expect(statusOf(await auditPage(ward.id, reader.cookie))).toBe(403);
    expect(statusOf(await auditPage(999_999, other.cookie))).toBe(404);
    const anonymous = await auditPage(ward.id, "");
    expect(statusOf(anonymous)).toBe(302);
    expect((anonymous as Response).headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    // The ward's own admin reads it, and the officer of a residential group reads only the group's.
    const admin = await login("quantri", [{ role: "admin", unitId: ward.id }]);
    expect(statusOf(await auditPage(ward.id, admin.cookie))).toBe(200);
    const groupOfficer = await login("totruong", [{ role: "front_officer", unitId: group1.id }]);
    expect(statusOf(await auditPage(group1.id, groupOfficer.cookie))).toBe(200);
    expect(statusOf(await auditPage(ward.id, groupOfficer.cookie))).toBe(403);
  });

  it("pages 50 entries at a time with ?before=, and filters by family without changing anything", async () => {
    const { ward } = await createWards();
    const officer = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    await appendMany(ward.id, 60, "poll.open");
    await appendMany(ward.id, 60, "credentials.void_batch");
    const ids = await entryIds();
    const newestFirst = [...ids].reverse();

    const first = await readPage(ward.id, officer.cookie);
    expect(first.entries.map((e) => e.id)).toEqual(newestFirst.slice(0, AUDIT_PAGE_SIZE));
    expect(first.nextBefore).toBe(newestFirst[AUDIT_PAGE_SIZE - 1]);
    const second = await readPage(ward.id, officer.cookie, `?before=${first.nextBefore}`);
    expect(second.entries.map((e) => e.id)).toEqual(newestFirst.slice(50, 100));
    const third = await readPage(ward.id, officer.cookie, `?before=${second.nextBefore}`);
    expect(third.entries.map((e) => e.id)).toEqual(newestFirst.slice(100));
    expect(third.nextBefore).toBeNull();

    const polls = await readPage(ward.id, officer.cookie, "?family=polls");
    expect(polls.entries).toHaveLength(50);
    expect(new Set(polls.entries.map((e) => e.action))).toEqual(new Set(["poll.open"]));
    const pollsNext = await readPage(ward.id, officer.cookie, `?family=polls&before=${polls.nextBefore}`);
    expect(pollsNext.entries.map((e) => e.action)).toEqual(Array(10).fill("poll.open"));
    expect(pollsNext.nextBefore).toBeNull();
    expect((await readPage(ward.id, officer.cookie, "?family=auth")).entries).toEqual([]);
    // An unknown family shows everything; a cursor that is not an entry id is a bad request.
    expect((await readPage(ward.id, officer.cookie, "?family=nope")).entries).toHaveLength(50);
    expect(statusOf(await auditPage(ward.id, officer.cookie, "?before=abc"))).toBe(400);
    expect(statusOf(await auditPage(ward.id, officer.cookie, "?before=-1"))).toBe(400);
    expect(await auditCount()).toBe(120);
  });

  it("shows entries tied to no unit to a reader of every unit, on the province's page", async () => {
    const { province, ward } = await createWards();
    const admin = await login("quantri", [{ role: "admin", unitId: null }]);
    const officer = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    await attemptLogin({ username: "mattran", password: TEST_PASSWORD });
    await appendMany(ward.id, 1);
    const page = await readPage(province.id, admin.cookie);
    expect(page.includeUnitless).toBe(true);
    expect(page.entries.map((e) => [e.action, e.unit_name])).toEqual([
      ["poll.open", "Phường Thanh Xuân"],
      ["auth.login", null],
    ]);
    expect((await readPage(ward.id, admin.cookie)).entries.map((e) => e.action)).toEqual(["poll.open"]);
    expect(statusOf(await auditPage(province.id, officer.cookie))).toBe(403);
  });
});

describe("the chain's banner", () => {
  it("says the log is intact when the chain verifies", async () => {
    const { ward } = await createWards();
    const officer = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    expect(banner(await readPage(ward.id, officer.cookie))).toBe("Nhật ký toàn vẹn: chưa có mục nào.");
    await appendMany(ward.id, 3);
    const page = await readPage(ward.id, officer.cookie);
    expect(page.chain).toEqual({ ok: true, entries: 3 });
    expect(banner(page)).toContain("toàn vẹn");
    expect(banner(page)).toContain("3 mục");
  });

  it("names an entry whose details were changed by hand (reason hash), in the chain and on the page", async () => {
    const { ward } = await createWards();
    const officer = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    await appendMany(ward.id, 5);
    const n = (await entryIds())[2];
    await sql`update audit_log set details = '{"x":1}' where id = ${n}`.execute(db);

    expect(await verifyAuditChain(db)).toEqual({ ok: false, entries: 3, brokenId: n, reason: "hash" });
    const page = await readPage(ward.id, officer.cookie);
    expect(page.chain).toMatchObject({ ok: false, brokenId: n, reason: "hash" });
    expect(banner(page)).toContain(`mục #${n}`);
    expect(banner(page)).not.toContain("toàn vẹn");
    // The edited entry still shows, with what it now says.
    expect(page.entries.find((e) => e.id === n)!.details).toEqual({ x: 1 });
  });

  it("names the entry after a deleted one (reason link)", async () => {
    const { ward } = await createWards();
    const officer = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    await appendMany(ward.id, 5);
    const ids = await entryIds();
    await sql`delete from audit_log where id = ${ids[2]}`.execute(db);

    expect(await verifyAuditChain(db)).toEqual({ ok: false, entries: 3, brokenId: ids[3], reason: "link" });
    const page = await readPage(ward.id, officer.cookie);
    expect(page.chain).toMatchObject({ ok: false, brokenId: ids[3], reason: "link" });
    expect(banner(page)).toContain(`mục #${ids[3]}`);
  });
});

describe("what the log records", () => {
  it("writes nothing when residents cast ballots", async () => {
    const f = await createPollFixture();
    const { slips } = await f.issue(f.group1.id, 10);
    await f.open();
    const before = await auditCount();
    for (const slip of slips) {
      expect((await castBallot({ code: slip.code, levels: [1, 2, 3] })).status).toBe("counted");
    }
    expect(await auditCount()).toBe(before);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: before });
  });

  it("records every official action of a full poll run, and no code, receipt, password or answer", async () => {
    const f = await createPollFixture();
    const admin = await createUser("quantri", [{ role: "admin", unitId: null }]);
    const adminSession: SessionUser = { ...admin, full_name: "Quản trị", grants: [{ role: "admin", unit_id: null }] };
    const member1 = await createUser("kiemphieu1", [{ role: "counting_member", unitId: f.ward.id }]);
    const member2 = await createUser("kiemphieu2", [{ role: "counting_member", unitId: f.ward.id }]);

    // Accounts and sessions: every password typed goes through a domain function that audits.
    const newPassword = "mat-khau-moi-cua-mattran";
    const accountPassword = "mat-khau-tam-thoi-123";
    const resetPassword = "mat-khau-dat-lai-456";
    expect((await attemptLogin({ username: "mattran", password: TEST_PASSWORD })).ok).toBe(true);
    for (let i = 0; i < 5; i++) await attemptLogin({ username: "kiemphieu2", password: `sai-mat-khau-${i}` });
    await changeOwnPassword({
      userId: f.officer.id,
      username: "mattran",
      currentPassword: TEST_PASSWORD,
      newPassword,
    });
    const created = await createAccount({
      actor: adminSession,
      username: "totruong",
      fullName: "Tổ Trưởng",
      password: accountPassword,
      role: "front_officer",
      unitId: f.group1.id,
    });
    expect(created.ok).toBe(true);
    const account = (await getAccount({ scope: "all", userId: created.ok ? created.userId : 0 }))!;
    await resetAccountPassword({
      actor: adminSession,
      account,
      password: resetPassword,
    });
    const cookie = await sessionCookie(f.officer.id);
    await logoutAction({ request: makeRequest("/logout", { cookie, method: "POST" }), params: {}, context: {} });

    // The poll: slips issued, one voided by its code, the others cast, then closed, confirmed and published.
    const { slips, batchId } = await f.issue(f.group1.id, 12);
    await f.open();
    await voidCredential({ actor: f.actor, pollId: f.pollId, code: slips[11].code });
    const answers = [
      [1, 2, 3],
      [3, 1, 2],
      [2, 3, 1],
      [1, 1, 0],
      [3, 2, 2],
    ];
    const receipts: string[] = [];
    for (let i = 0; i < 10; i++) {
      const cast = await castBallot({ code: slips[i].code, levels: answers[i % answers.length] });
      expect(cast.status).toBe("counted");
      if (cast.status === "counted") receipts.push(cast.receipt);
    }
    await recordHandedOut({ actor: f.actor, pollId: f.pollId, batchId, handedOut: 11 });
    await closePoll({ actor: f.actor, pollId: f.pollId });
    const { hash } = (await readTally({ pollId: f.pollId }))!;
    await confirmTally({ actor: { userId: member1.id, label: "kiemphieu1" }, pollId: f.pollId, shownHash: hash });
    await confirmTally({ actor: { userId: member2.id, label: "kiemphieu2" }, pollId: f.pollId, shownHash: hash });
    await publishPoll({ actor: f.actor, pollId: f.pollId });

    const log = await db.selectFrom("audit_log").selectAll().orderBy("id").execute();
    expect(log.map((e) => e.action)).toEqual([
      "poll.create",
      "auth.login",
      "auth.locked",
      "user.password_change",
      "user.create",
      "user.password_reset",
      "auth.logout",
      "credentials.issue",
      "poll.open",
      "credentials.void_code",
      "credentials.handed_out",
      "poll.close",
      "poll.confirm",
      "poll.confirm",
      "poll.publish",
    ]);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: log.length });

    const everything = JSON.stringify(log);
    const secrets = [
      TEST_PASSWORD,
      newPassword,
      accountPassword,
      resetPassword,
      "sai-mat-khau",
      ...slips.flatMap((s) => [s.code, s.code.replace(/-/g, "")]),
      ...receipts.flatMap((r) => [r, r.replace(/-/g, "")]),
    ];
    for (const secret of secrets) expect(everything, secret).not.toContain(secret);
    const details = JSON.stringify(log.map((e) => e.details));
    for (const answer of answers) expect(details).not.toContain(JSON.stringify(answer));
    const keys = log.flatMap((e) => Object.keys(e.details));
    expect(keys.filter((k) => /level|answer|choice|ballots?$|code|receipt|password/i.test(k))).toEqual([]);

    // The officers' page reads the run as sentences.
    const officer = await login("pho", [{ role: "front_officer", unitId: f.ward.id }]);
    const page = await readPage(f.ward.id, officer.cookie);
    const said = sentences(page);
    expect(said).toContain(`Mở cuộc lấy phiếu #${f.pollId}`);
    expect(said).toContain(`Cấp 12 mã cho Tổ dân phố số 1 (lô ${batchId}), cuộc lấy phiếu #${f.pollId}`);
    expect(said).toContain(`Đóng cuộc lấy phiếu #${f.pollId} và kiểm 10 phiếu`);
    expect(said).toContain(`Hủy phiếu số ${slips[11].seq} của lô ${batchId}, cuộc lấy phiếu #${f.pollId}`);
    expect(said).toContain(`Công bố kết quả cuộc lấy phiếu #${f.pollId} (mã kết quả ${hash.slice(0, 8)})`);
    expect(said).toContain("Tạo tài khoản totruong (Cán bộ Mặt trận — Tổ dân phố số 1)");
    expect(said.some((s) => s.startsWith("Tạo cuộc lấy phiếu") && s.includes("3 người được lấy phiếu"))).toBe(true);
    // Logins, logouts and own password changes are tied to no unit: not in the ward's log.
    expect(page.entries.some((e) => e.action.startsWith("auth."))).toBe(false);
  });

  it("writes a logout to the chain", async () => {
    const officer = await login("mattran", []);
    const response = await logoutAction({
      request: makeRequest("/logout", { cookie: officer.cookie, method: "POST" }),
      params: {},
      context: {},
    });
    expect(response.status).toBe(302);
    const entries = await db.selectFrom("audit_log").select(["action", "actor_user_id", "actor_label"]).execute();
    expect(entries).toEqual([{ action: "auth.logout", actor_user_id: officer.id, actor_label: "mattran" }]);
    // A second logout with the same, now ended, session writes nothing.
    await logoutAction({
      request: makeRequest("/logout", { cookie: officer.cookie, method: "POST" }),
      params: {},
      context: {},
    });
    expect(await auditCount()).toBe(1);
  });
});

describe("an entry as a sentence", () => {
  const t = (message: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) =>
    translate("vi", message, params);
  const names: AuditNames = { units: { "4": "Tổ dân phố số 1" }, cadres: { "2": "Lê Minh Đức" } };
  const say = (action: string, details: Record<string, unknown> = {}) =>
    describeAuditEntry({ action, actor_label: "mattran", details }, { t, locale: "vi", names });

  it("reads each known action with its details, and falls back to the raw name", () => {
    expect(say("poll.open", { pollId: 3 })).toBe("Mở cuộc lấy phiếu #3");
    expect(say("credentials.issue", { pollId: 3, groupId: 4, batchId: 7, count: 50 })).toBe(
      "Cấp 50 mã cho Tổ dân phố số 1 (lô 7), cuộc lấy phiếu #3"
    );
    expect(say("credentials.void_unhanded", { pollId: 3, groupId: 4, voided: 8 })).toBe(
      "Hủy 8 mã chưa phát của Tổ dân phố số 1, cuộc lấy phiếu #3"
    );
    expect(say("position.end", { cadreId: 2, positionId: 5, startedOn: "2021-07-01", endedOn: "2026-03-05" })).toBe(
      "Kết thúc chức vụ của cán bộ Lê Minh Đức ngày 05/03/2026"
    );
    expect(say("grant.add", { username: "tinh", role: "admin", unitId: null })).toBe(
      "Giao vai trò Quản trị viên trên Mọi đơn vị cho tài khoản tinh"
    );
    expect(say("auth.locked", { failures: 5 })).toBe("Tên đăng nhập “mattran” bị tạm khóa sau 5 lần nhập sai mật khẩu");
    expect(say("credentials.issue", { pollId: 3, groupId: 99, batchId: 7, count: 50 })).toContain("đơn vị #99");
    expect(say("poll.shares_entered", { pollId: 3 })).toBe("poll.shares_entered");
    expect(say("import.commit", { kind: "something_else" })).toBe("import.commit");
    // Details edited by hand no longer fit the sentence: the raw name, never a half-filled template.
    expect(say("credentials.issue", { x: 1 })).toBe("credentials.issue");
  });

  it("names the schedule and the command line, which have no account", () => {
    expect(actorText({ actor_user_id: null, actor_label: "schedule", action: "poll.open" }, t)).toBe("Lịch tự động");
    expect(actorText({ actor_user_id: null, actor_label: "cli", action: "user.create" }, t)).toBe("Dòng lệnh quản trị");
    expect(actorText({ actor_user_id: 5, actor_label: "cli", action: "poll.open" }, t)).toBe("cli");
  });
});
