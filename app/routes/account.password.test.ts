import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "~/audit/audit.server";
import { attemptLogin } from "~/auth/login.server";
import { getUser } from "~/auth/session.server";
import { db } from "~/db.server";
import { action, loader } from "~/routes/account.password";
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

const NEW_PASSWORD = "mot-mat-khau-moi-2026";

function changePassword(cookie: string | undefined, form: Record<string, string>) {
  return run(() => action({ request: makeRequest("/account/password", { cookie, form }), params: {}, context: {} }));
}

async function officer() {
  const { ward } = await createWards();
  const user = await createUser("mattran", [{ role: "front_officer", unitId: ward.id }]);
  return { user, cookie: await sessionCookie(user.id), otherCookie: await sessionCookie(user.id) };
}

describe("change of one's own password", () => {
  it("sends a visitor without a session to the login page", async () => {
    const result = await run(() => loader({ request: makeRequest("/account/password"), params: {}, context: {} }));
    expect(statusOf(result)).toBe(302);
    expect((result as Response).headers.get("Location")).toBe("/login?redirectTo=%2Faccount%2Fpassword");
    const post = await changePassword(undefined, {
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(statusOf(post)).toBe(302);
  });

  it("changes the password, keeps this session and ends the others", async () => {
    const { cookie, otherCookie } = await officer();
    const result = await changePassword(cookie, {
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(statusOf(result)).toBe(302);
    expect((result as Response).headers.get("Location")).toBe("/account/password?changed=1");
    expect(await getUser(makeRequest("/", { cookie }))).not.toBeNull();
    expect(await getUser(makeRequest("/", { cookie: otherCookie }))).toBeNull();
    expect(await attemptLogin({ username: "mattran", password: TEST_PASSWORD })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await attemptLogin({ username: "mattran", password: NEW_PASSWORD })).toMatchObject({ ok: true });

    const entries = await db.selectFrom("audit_log").select(["action", "details"]).orderBy("id").execute();
    expect(entries.map((e) => e.action)).toEqual(["user.password_change", "auth.login"]);
    expect(JSON.stringify(entries)).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(entries)).not.toContain(TEST_PASSWORD);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 2 });
  });

  it("refuses a wrong current password, a mismatch or a short password, and changes nothing", async () => {
    const { cookie, otherCookie } = await officer();
    const wrong = await changePassword(cookie, {
      currentPassword: "khong-dung-mat-khau",
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(statusOf(wrong)).toBe(400);
    expect(dataOf(wrong).errors).toEqual({ currentPassword: "auth.currentPasswordWrong" });

    const mismatch = await changePassword(cookie, {
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: `${NEW_PASSWORD}x`,
    });
    expect(statusOf(mismatch)).toBe(400);
    expect(dataOf(mismatch).errors).toEqual({ confirmPassword: "auth.passwordMismatch" });

    const short = await changePassword(cookie, {
      currentPassword: TEST_PASSWORD,
      newPassword: "ngan",
      confirmPassword: "ngan",
    });
    expect(statusOf(short)).toBe(400);
    expect(dataOf(short).errors).toEqual({ newPassword: "auth.passwordTooShort" });

    const same = await changePassword(cookie, {
      currentPassword: TEST_PASSWORD,
      newPassword: TEST_PASSWORD,
      confirmPassword: TEST_PASSWORD,
    });
    expect(dataOf(same).errors).toEqual({ newPassword: "auth.passwordSame" });

    expect(await getUser(makeRequest("/", { cookie: otherCookie }))).not.toBeNull();
    expect(await attemptLogin({ username: "mattran", password: TEST_PASSWORD })).toMatchObject({ ok: true });
    expect(await db.selectFrom("audit_log").select("action").execute()).toEqual([{ action: "auth.login" }]);
  });
});
