import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "~/audit/audit.server";
import { attemptLogin } from "~/auth/login.server";
import { can } from "~/auth/permissions.server";
import { createSession, getUser } from "~/auth/session.server";
import { db } from "~/db.server";
import { translate } from "~/i18n/i18n";
import { loader as homeLoader } from "~/routes/_index";
import { action as accountAction, loader as accountLoader } from "~/routes/admin.users.$userId";
import { action as accountsAction, loader as accountsLoader } from "~/routes/admin.users._index";
import {
  TEST_PASSWORD,
  createUser,
  createWards,
  dataOf,
  makeRequest,
  run,
  sessionCookie,
  statusOf,
} from "../../tests/setup/fixtures";

const TEMP_PASSWORD = "mat-khau-tam-2026";

function listAccounts(cookie: string) {
  return run(() => accountsLoader({ request: makeRequest("/admin/users", { cookie }), params: {}, context: {} }));
}

function createAccount(cookie: string, form: Record<string, string>) {
  return run(() => accountsAction({ request: makeRequest("/admin/users", { cookie, form }), params: {}, context: {} }));
}

function showAccount(cookie: string, userId: number | string) {
  return run(() =>
    accountLoader({
      request: makeRequest(`/admin/users/${userId}`, { cookie }),
      params: { userId: String(userId) },
      context: {},
    })
  );
}

function changeAccount(cookie: string, userId: number | string, form: Record<string, string>) {
  return run(() =>
    accountAction({
      request: makeRequest(`/admin/users/${userId}`, { cookie, form }),
      params: { userId: String(userId) },
      context: {},
    })
  );
}

async function grantsOf(userId: number) {
  return db.selectFrom("grants").select(["role", "unit_id"]).where("user_id", "=", userId).orderBy("id").execute();
}

async function count(table: "users" | "grants" | "audit_log" | "sessions") {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function isLoggedIn(cookie: string) {
  return (await getUser(makeRequest("/", { cookie }))) !== null;
}

/** A global administrator with a session, and the two wards of the fixtures. */
async function setup() {
  const units = await createWards();
  const admin = await createUser("quantri", [{ role: "admin", unitId: null }], "Quản trị hệ thống");
  return { ...units, admin, adminCookie: await sessionCookie(admin.id) };
}

describe("creating accounts", () => {
  it("a global admin creates an officer who can then log in and reach their ward", async () => {
    const { ward, group1, otherWard, adminCookie } = await setup();
    const result = await createAccount(adminCookie, {
      username: "  Le.Van-An ",
      fullName: "Lê  Văn An".normalize("NFD"),
      password: TEMP_PASSWORD,
      role: "front_officer",
      unitId: String(ward.id),
    });
    expect(statusOf(result)).toBe(302);
    const created = await db
      .selectFrom("users")
      .select(["id", "username", "full_name", "password_hash"])
      .where("username", "=", "le.van-an")
      .executeTakeFirstOrThrow();
    expect((result as Response).headers.get("Location")).toBe(`/admin/users/${created.id}?done=created`);
    expect(created.full_name).toBe("Lê Văn An".normalize("NFC"));
    expect(created.password_hash).not.toContain(TEMP_PASSWORD);
    expect(await grantsOf(created.id)).toEqual([{ role: "front_officer", unit_id: ward.id }]);

    const login = await attemptLogin({ username: "le.van-an", password: TEMP_PASSWORD });
    expect(login).toEqual({ ok: true, userId: created.id });
    const cookie = (await createSession(created.id)).split(";")[0];
    const officer = (await getUser(makeRequest("/", { cookie })))!;
    expect(await can(officer, "cadre.manage", group1.id)).toBe(true);
    expect(await can(officer, "cadre.manage", otherWard.id)).toBe(false);
    const home = dataOf(
      await run(() => homeLoader({ request: makeRequest("/", { cookie }), params: {}, context: {} }))
    );
    expect(home.units.map((u: { id: number }) => u.id)).toEqual([ward.id]);

    const list = dataOf(await listAccounts(adminCookie));
    const row = list.accounts.find((a: { username: string }) => a.username === "le.van-an");
    expect(row.grants).toEqual([
      { id: expect.any(Number), role: "front_officer", unit_id: ward.id, unit_name: ward.name },
    ]);
    expect(row.disabled_at).toBeNull();
  });

  it("refuses a username that exists, whatever its case, keeping what was typed", async () => {
    const { ward, adminCookie } = await setup();
    await createUser("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const before = await count("users");
    const result = await createAccount(adminCookie, {
      username: "MatTran",
      fullName: "Nguyễn Thị Hồng Vân",
      password: TEMP_PASSWORD,
      role: "front_officer",
      unitId: String(ward.id),
    });
    expect(statusOf(result)).toBe(400);
    expect(dataOf(result).errors).toEqual({ username: "users.usernameTaken" });
    expect(translate("vi", "users.usernameTaken")).toBe("Tên đăng nhập đã tồn tại");
    expect(dataOf(result).values).toMatchObject({ username: "MatTran", fullName: "Nguyễn Thị Hồng Vân" });
    expect(dataOf(result).values.password).toBeUndefined();
    expect(await count("users")).toBe(before);
    expect(await count("audit_log")).toBe(0);
  });

  it("refuses bad input with field errors and stores nothing", async () => {
    const { ward, adminCookie } = await setup();
    const result = await createAccount(adminCookie, {
      username: "nguyễn văn",
      fullName: "A".repeat(121),
      password: "ngan",
      role: "",
      unitId: String(ward.id),
    });
    expect(statusOf(result)).toBe(400);
    expect(dataOf(result).errors).toEqual({
      username: "auth.usernameInvalid",
      fullName: { key: "errors.tooLong", params: { max: 120 } },
      password: "auth.passwordTooShort",
      role: "users.roleRequired",
    });
    const tooShort = await createAccount(adminCookie, {
      username: "ab",
      fullName: "   ",
      password: TEMP_PASSWORD,
      role: "committee_reader",
      unitId: "",
    });
    expect(dataOf(tooShort).errors).toEqual({
      username: "auth.usernameInvalid",
      fullName: "errors.required",
      unitId: "users.unitRequired",
    });
    const everyUnit = await createAccount(adminCookie, {
      username: "danguy",
      fullName: "Phạm Quốc Hùng",
      password: TEMP_PASSWORD,
      role: "committee_reader",
      unitId: "all",
    });
    expect(statusOf(everyUnit)).toBe(400);
    expect(dataOf(everyUnit).errors).toEqual({ unitId: "users.globalAdminOnly" });
    expect(await count("users")).toBe(1);
    expect(await count("grants")).toBe(1);
    expect(await count("audit_log")).toBe(0);
  });

  it("lets a global admin create another global admin", async () => {
    const { adminCookie } = await setup();
    const result = await createAccount(adminCookie, {
      username: "quantri2",
      fullName: "Quản trị quận",
      password: TEMP_PASSWORD,
      role: "admin",
      unitId: "all",
    });
    expect(statusOf(result)).toBe(302);
    const user = await db.selectFrom("users").select("id").where("username", "=", "quantri2").executeTakeFirstOrThrow();
    expect(await grantsOf(user.id)).toEqual([{ role: "admin", unit_id: null }]);
  });
});

describe("who manages which accounts", () => {
  it("gives a front officer 403 on the accounts pages", async () => {
    const { ward, admin } = await setup();
    const officer = await createUser("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const cookie = await sessionCookie(officer.id);
    expect(statusOf(await listAccounts(cookie))).toBe(403);
    const post = await createAccount(cookie, {
      username: "moi",
      fullName: "Người Mới",
      password: TEMP_PASSWORD,
      role: "front_officer",
      unitId: String(ward.id),
    });
    expect(statusOf(post)).toBe(403);
    expect(statusOf(await showAccount(cookie, admin.id))).toBe(403);
    expect(statusOf(await changeAccount(cookie, admin.id, { intent: "disable" }))).toBe(403);
    expect(await count("users")).toBe(2);
  });

  it("shows a ward admin only the accounts and units of their ward", async () => {
    const { ward, group1, otherWard, otherGroup } = await setup();
    const wardAdmin = await createUser("qt.thanhxuan", [{ role: "admin", unitId: ward.id }]);
    await createUser("cb.thanhxuan", [{ role: "counting_member", unitId: group1.id }]);
    const outsider = await createUser("cb.khuongdinh", [{ role: "front_officer", unitId: otherWard.id }]);
    await createUser("chua.giao", []);
    const cookie = await sessionCookie(wardAdmin.id);

    const list = dataOf(await listAccounts(cookie));
    expect(list.accounts.map((a: { username: string }) => a.username)).toEqual(["cb.thanhxuan", "qt.thanhxuan"]);
    expect(list.canGrantGlobal).toBe(false);
    const unitIds = list.units.map((u: { id: number }) => u.id);
    expect(unitIds).toContain(group1.id);
    expect(unitIds).not.toContain(otherWard.id);
    expect(unitIds).not.toContain(otherGroup.id);

    expect(statusOf(await showAccount(cookie, outsider.id))).toBe(404);
    expect(statusOf(await showAccount(cookie, 999_999))).toBe(404);
    expect(statusOf(await showAccount(cookie, "abc"))).toBe(404);
    const tampered = await changeAccount(cookie, outsider.id, { intent: "password.reset", newPassword: TEMP_PASSWORD });
    expect(statusOf(tampered)).toBe(404);
    expect(await attemptLogin({ username: "cb.khuongdinh", password: TEST_PASSWORD })).toMatchObject({ ok: true });

    // A global admin sees every account, those without grants too.
    const global = await createUser("quantri.tinh", [{ role: "admin", unitId: null }]);
    const all = dataOf(await listAccounts(await sessionCookie(global.id)));
    expect(all.accounts).toHaveLength(6);
    expect(all.canGrantGlobal).toBe(true);
  });

  it("refuses a ward admin's grant on another ward or over every unit, and stores nothing", async () => {
    const { ward, otherWard, otherGroup } = await setup();
    const wardAdmin = await createUser("qt.thanhxuan", [{ role: "admin", unitId: ward.id }]);
    const officer = await createUser("cb.thanhxuan", [{ role: "front_officer", unitId: ward.id }]);
    const cookie = await sessionCookie(wardAdmin.id);

    const otherWardGrant = await changeAccount(cookie, officer.id, {
      intent: "grant.add",
      role: "front_officer",
      unitId: String(otherWard.id),
    });
    expect(statusOf(otherWardGrant)).toBe(403);
    const globalGrant = await changeAccount(cookie, officer.id, { intent: "grant.add", role: "admin", unitId: "all" });
    expect(statusOf(globalGrant)).toBe(403);
    const noSuchUnit = await changeAccount(cookie, officer.id, {
      intent: "grant.add",
      role: "front_officer",
      unitId: "999999",
    });
    expect(statusOf(noSuchUnit)).toBe(404);
    const created = await createAccount(cookie, {
      username: "nguoi.moi",
      fullName: "Người Mới",
      password: TEMP_PASSWORD,
      role: "front_officer",
      unitId: String(otherGroup.id),
    });
    expect(statusOf(created)).toBe(403);
    const createdGlobal = await createAccount(cookie, {
      username: "nguoi.moi",
      fullName: "Người Mới",
      password: TEMP_PASSWORD,
      role: "admin",
      unitId: "all",
    });
    expect(statusOf(createdGlobal)).toBe(403);

    expect(await grantsOf(officer.id)).toEqual([{ role: "front_officer", unit_id: ward.id }]);
    expect(await count("users")).toBe(3);
    expect(await count("audit_log")).toBe(0);
  });

  it("lets a ward admin change only the grants in their ward of an account that also works elsewhere", async () => {
    const { ward, group1, otherWard } = await setup();
    const wardAdmin = await createUser("qt.thanhxuan", [{ role: "admin", unitId: ward.id }]);
    const shared = await createUser("cb.haiphuong", [
      { role: "front_officer", unitId: ward.id },
      { role: "admin", unitId: otherWard.id },
    ]);
    const cookie = await sessionCookie(wardAdmin.id);

    const shown = dataOf(await showAccount(cookie, shared.id));
    expect(shown.account.grants.map((g: { unit_id: number }) => g.unit_id)).toEqual([ward.id]);
    expect(shown.account.hiddenGrants).toBe(1);
    expect(shown.account.fullyManaged).toBe(false);

    // Taking over the account (its password, its status, its name) would reach into the other ward.
    const takeovers: Record<string, string>[] = [
      { intent: "password.reset", newPassword: TEMP_PASSWORD },
      { intent: "disable" },
      { intent: "update", fullName: "Tên Khác" },
    ];
    for (const form of takeovers) {
      expect(statusOf(await changeAccount(cookie, shared.id, form))).toBe(403);
    }
    expect(await attemptLogin({ username: "cb.haiphuong", password: TEST_PASSWORD })).toMatchObject({ ok: true });

    const otherGrant = await db
      .selectFrom("grants")
      .select("id")
      .where("user_id", "=", shared.id)
      .where("unit_id", "=", otherWard.id)
      .executeTakeFirstOrThrow();
    const tampered = await changeAccount(cookie, shared.id, { intent: "grant.remove", grantId: String(otherGrant.id) });
    expect(statusOf(tampered)).toBe(404);

    const added = await changeAccount(cookie, shared.id, {
      intent: "grant.add",
      role: "counting_member",
      unitId: String(group1.id),
    });
    expect(statusOf(added)).toBe(302);
    expect((added as Response).headers.get("Location")).toBe(`/admin/users/${shared.id}?done=grantAdded`);
    expect(await grantsOf(shared.id)).toHaveLength(3);

    // Once its grants in this ward are gone, the account leaves the ward admin's view.
    for (const grant of dataOf(await showAccount(cookie, shared.id)).account.grants) {
      const removed = await changeAccount(cookie, shared.id, { intent: "grant.remove", grantId: String(grant.id) });
      expect(statusOf(removed)).toBe(302);
    }
    expect(await grantsOf(shared.id)).toEqual([{ role: "admin", unit_id: otherWard.id }]);
    expect(statusOf(await showAccount(cookie, shared.id))).toBe(404);
  });
});

describe("changing accounts", () => {
  it("edits the full name, refusing a name too long", async () => {
    const { ward, adminCookie } = await setup();
    const officer = await createUser("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const tooLong = await changeAccount(adminCookie, officer.id, { intent: "update", fullName: "Ư".repeat(121) });
    expect(statusOf(tooLong)).toBe(400);
    expect(dataOf(tooLong)).toMatchObject({
      intent: "update",
      errors: { fullName: { key: "errors.tooLong", params: { max: 120 } } },
    });
    const saved = await changeAccount(adminCookie, officer.id, {
      intent: "update",
      fullName: " Nguyễn Thị  Hồng Vân ".normalize("NFD"),
    });
    expect((saved as Response).headers.get("Location")).toBe(`/admin/users/${officer.id}?done=updated`);
    const row = await db.selectFrom("users").select("full_name").where("id", "=", officer.id).executeTakeFirstOrThrow();
    expect(row.full_name).toBe("Nguyễn Thị Hồng Vân".normalize("NFC"));
    expect(statusOf(await changeAccount(adminCookie, officer.id, { intent: "nonsense" }))).toBe(400);
  });

  it("refuses the same grant twice with a clear message", async () => {
    const { ward, adminCookie } = await setup();
    const officer = await createUser("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const again = await changeAccount(adminCookie, officer.id, {
      intent: "grant.add",
      role: "front_officer",
      unitId: String(ward.id),
    });
    expect(statusOf(again)).toBe(400);
    expect(dataOf(again)).toMatchObject({ intent: "grant.add", formError: "users.grantDuplicate" });
    expect(await grantsOf(officer.id)).toHaveLength(1);
    expect(await count("audit_log")).toBe(0);
  });

  it("disables an account: it cannot log in and its open sessions stop at once; re-enabling restores it", async () => {
    const { ward, adminCookie } = await setup();
    const officer = await createUser("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const officerCookie = await sessionCookie(officer.id);
    expect(await isLoggedIn(officerCookie)).toBe(true);

    const disabled = await changeAccount(adminCookie, officer.id, { intent: "disable" });
    expect((disabled as Response).headers.get("Location")).toBe(`/admin/users/${officer.id}?done=disabled`);
    expect(await isLoggedIn(officerCookie)).toBe(false);
    expect(await attemptLogin({ username: "mattran", password: TEST_PASSWORD })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await db.selectFrom("sessions").where("user_id", "=", officer.id).select("user_id").execute()).toEqual([]);
    const shown = dataOf(await showAccount(adminCookie, officer.id));
    expect(shown.account.disabled_at).not.toBeNull();

    const enabled = await changeAccount(adminCookie, officer.id, { intent: "enable" });
    expect(statusOf(enabled)).toBe(302);
    expect(await attemptLogin({ username: "mattran", password: TEST_PASSWORD })).toMatchObject({ ok: true });
  });

  it("resets a password: the old one fails, the new one works, the sessions are gone", async () => {
    const { ward, adminCookie } = await setup();
    const officer = await createUser("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const officerCookie = await sessionCookie(officer.id);

    const short = await changeAccount(adminCookie, officer.id, { intent: "password.reset", newPassword: "ngan" });
    expect(statusOf(short)).toBe(400);
    expect(dataOf(short)).toMatchObject({ intent: "password.reset", errors: { newPassword: "auth.passwordTooShort" } });
    expect(dataOf(short).values.newPassword).toBeUndefined();
    expect(await isLoggedIn(officerCookie)).toBe(true);

    const reset = await changeAccount(adminCookie, officer.id, {
      intent: "password.reset",
      newPassword: TEMP_PASSWORD,
    });
    expect((reset as Response).headers.get("Location")).toBe(`/admin/users/${officer.id}?done=passwordReset`);
    expect(await isLoggedIn(officerCookie)).toBe(false);
    expect(await attemptLogin({ username: "mattran", password: TEST_PASSWORD })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await attemptLogin({ username: "mattran", password: TEMP_PASSWORD })).toMatchObject({ ok: true });
  });

  it("does not let an admin disable themselves, reset their own password or drop their own last admin grant", async () => {
    const { ward, admin, adminCookie } = await setup();
    const disable = await changeAccount(adminCookie, admin.id, { intent: "disable" });
    expect(statusOf(disable)).toBe(400);
    expect(dataOf(disable).formError).toBe("users.disableSelf");
    expect(await isLoggedIn(adminCookie)).toBe(true);

    const reset = await changeAccount(adminCookie, admin.id, { intent: "password.reset", newPassword: TEMP_PASSWORD });
    expect(dataOf(reset).formError).toBe("users.resetSelf");
    expect(await attemptLogin({ username: "quantri", password: TEST_PASSWORD })).toMatchObject({ ok: true });

    const [own] = dataOf(await showAccount(adminCookie, admin.id)).account.grants;
    const remove = await changeAccount(adminCookie, admin.id, { intent: "grant.remove", grantId: String(own.id) });
    expect(statusOf(remove)).toBe(400);
    expect(dataOf(remove).formError).toBe("users.lastOwnAdmin");
    expect(await grantsOf(admin.id)).toEqual([{ role: "admin", unit_id: null }]);

    // With a second admin grant, the first one can go.
    await changeAccount(adminCookie, admin.id, { intent: "grant.add", role: "admin", unitId: String(ward.id) });
    const removed = await changeAccount(adminCookie, admin.id, { intent: "grant.remove", grantId: String(own.id) });
    expect(statusOf(removed)).toBe(302);
    expect(await grantsOf(admin.id)).toEqual([{ role: "admin", unit_id: ward.id }]);
    expect(await count("audit_log")).toBe(3);
  });
});

describe("audit of account changes", () => {
  it("writes one entry per change, with no password or hash, and the chain verifies", async () => {
    const { ward, group1, adminCookie } = await setup();
    await createAccount(adminCookie, {
      username: "mattran",
      fullName: "Nguyễn Thị Hồng Vân",
      password: TEMP_PASSWORD,
      role: "front_officer",
      unitId: String(ward.id),
    });
    const officer = await db
      .selectFrom("users")
      .select("id")
      .where("username", "=", "mattran")
      .executeTakeFirstOrThrow();
    await changeAccount(adminCookie, officer.id, { intent: "update", fullName: "Nguyễn Hồng Vân" });
    await changeAccount(adminCookie, officer.id, {
      intent: "grant.add",
      role: "counting_member",
      unitId: String(group1.id),
    });
    const grant = await db
      .selectFrom("grants")
      .select("id")
      .where("user_id", "=", officer.id)
      .where("role", "=", "counting_member")
      .executeTakeFirstOrThrow();
    await changeAccount(adminCookie, officer.id, { intent: "grant.remove", grantId: String(grant.id) });
    await changeAccount(adminCookie, officer.id, { intent: "disable" });
    await changeAccount(adminCookie, officer.id, { intent: "enable" });
    const newPassword = "mat-khau-moi-cua-van";
    await changeAccount(adminCookie, officer.id, { intent: "password.reset", newPassword });

    const entries = await db
      .selectFrom("audit_log")
      .select(["action", "actor_label", "unit_id", "details"])
      .orderBy("id")
      .execute();
    expect(entries.map((e) => e.action)).toEqual([
      "user.create",
      "user.update",
      "grant.add",
      "grant.remove",
      "user.disable",
      "user.enable",
      "user.password_reset",
    ]);
    expect(entries.every((e) => e.actor_label === "quantri")).toBe(true);
    expect(entries.find((e) => e.action === "grant.add")?.unit_id).toBe(group1.id);
    expect(entries.find((e) => e.action === "user.disable")?.unit_id).toBe(ward.id);
    const hashes = await db.selectFrom("users").select("password_hash").execute();
    const details = JSON.stringify(entries.map((e) => e.details));
    for (const secret of [TEMP_PASSWORD, newPassword, "$argon2", ...hashes.map((h) => h.password_hash)]) {
      expect(details).not.toContain(secret);
    }
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 7 });
  });
});
