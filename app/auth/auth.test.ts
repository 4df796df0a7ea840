import { describe, expect, it } from "vitest";
import { action as loginAction } from "~/routes/login";
import { loader as homeLoader } from "~/routes/_index";
import { attemptLogin, LOCK_MINUTES, MAX_FAILURES } from "./login.server";
import { can, requirePermission } from "./permissions.server";
import { getUser } from "./session.server";
import { safeRedirect } from "./safe-redirect";
import { verifyAuditChain } from "~/audit/audit.server";
import { db } from "~/db.server";
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

describe("login", () => {
  it("logs an officer in with a session cookie and sends them where they were going", async () => {
    const { ward } = await createWards();
    await createUser("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const response = (await run(() =>
      loginAction({
        request: makeRequest("/login", { form: { username: " MatTran ", password: TEST_PASSWORD, redirectTo: "/units/1" } }),
        params: {},
        context: {},
      }),
    )) as Response;
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/units/1");
    const cookie = response.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const user = await getUser(makeRequest("/", { cookie: cookie.split(";")[0] }));
    expect(user?.username).toBe("mattran");
  });

  it("refuses a wrong password with a Vietnamese message and no session", async () => {
    await createUser("mattran", []);
    const result = await run(() =>
      loginAction({ request: makeRequest("/login", { form: { username: "mattran", password: "sai mật khẩu" } }), params: {}, context: {} }),
    );
    expect(statusOf(result)).toBe(401);
    expect(dataOf(result).formError).toBe("auth.invalid");
  });

  it("never redirects to another site after login", () => {
    expect(safeRedirect("//evil.example/x")).toBe("/");
    expect(safeRedirect("https://evil.example")).toBe("/");
    expect(safeRedirect("/\\evil.example")).toBe("/");
    // Dot segments that the URL parser resolves into a protocol-relative path, plain and percent-encoded.
    for (const tricky of ["/.//evil.example/x", "/..//evil.example/x", "/%2e//evil.example/x", "/a/..//evil.example"]) {
      expect(safeRedirect(tricky), tricky).toBe("/");
    }
    expect(safeRedirect("/units/3?x=1")).toBe("/units/3?x=1");
    expect(safeRedirect("/units/./3")).toBe("/units/3");
  });

  it(`locks a username for ${LOCK_MINUTES} minutes after ${MAX_FAILURES} failures, even with the right password`, async () => {
    await createUser("mattran", []);
    const now = new Date("2026-11-28T08:00:00Z");
    for (let i = 0; i < MAX_FAILURES - 1; i++) {
      expect(await attemptLogin({ username: "mattran", password: "wrong", now })).toEqual({ ok: false, reason: "invalid" });
    }
    const locked = await attemptLogin({ username: "mattran", password: "wrong", now });
    expect(locked).toMatchObject({ ok: false, reason: "locked" });
    const stillLocked = await attemptLogin({ username: "mattran", password: TEST_PASSWORD, now: new Date(now.getTime() + 60_000) });
    expect(stillLocked).toMatchObject({ ok: false, reason: "locked" });
    const after = await attemptLogin({
      username: "mattran",
      password: TEST_PASSWORD,
      now: new Date(now.getTime() + (LOCK_MINUTES + 1) * 60_000),
    });
    expect(after.ok).toBe(true);
  });

  it("tells a locked-out officer when to retry, with status 429", async () => {
    await createUser("mattran", []);
    let result: unknown;
    for (let i = 0; i < MAX_FAILURES; i++) {
      result = await run(() =>
        loginAction({ request: makeRequest("/login", { form: { username: "mattran", password: "wrong" } }), params: {}, context: {} }),
      );
    }
    expect(statusOf(result)).toBe(429);
    expect(dataOf(result).formError.key).toBe("auth.locked");
    expect(dataOf(result).formError.params.minutes).toBe(LOCK_MINUTES);
  });

  it("writes logins to the audit chain, which verifies", async () => {
    await createUser("mattran", []);
    await attemptLogin({ username: "mattran", password: TEST_PASSWORD });
    const entries = await db.selectFrom("audit_log").select("action").execute();
    expect(entries.map((e) => e.action)).toEqual(["auth.login"]);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 1 });
  });
});

describe("permissions", () => {
  it("grants on a ward cover its residential groups and nothing in another ward", async () => {
    const { ward, group1, otherWard, otherGroup } = await createWards();
    const officer = await createUser("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const user = (await getUser(makeRequest("/", { cookie: await sessionCookie(officer.id) })))!;
    expect(await can(user, "cadre.manage", ward.id)).toBe(true);
    expect(await can(user, "cadre.manage", group1.id)).toBe(true);
    expect(await can(user, "cadre.manage", otherWard.id)).toBe(false);
    expect(await can(user, "cadre.manage", otherGroup.id)).toBe(false);
    expect(await can(user, "user.manage", ward.id)).toBe(false);
    const forbidden = await run(() => requirePermission(user, "unit.read", otherWard.id));
    expect(statusOf(forbidden)).toBe(403);
    const missing = await run(() => requirePermission(user, "unit.read", 999_999));
    expect(statusOf(missing)).toBe(404);
  });

  it("a residential group's grant does not reach up to its ward", async () => {
    const { ward, group1, group2 } = await createWards();
    const officer = await createUser("totruong", [{ role: "front_officer", unitId: group1.id }]);
    const user = (await getUser(makeRequest("/", { cookie: await sessionCookie(officer.id) })))!;
    expect(await can(user, "unit.read", group1.id)).toBe(true);
    expect(await can(user, "unit.read", group2.id)).toBe(false);
    expect(await can(user, "unit.read", ward.id)).toBe(false);
  });

  it("sends a visitor without a session to the login page", async () => {
    const result = await run(() => homeLoader({ request: makeRequest("/"), params: {}, context: {} }));
    expect(statusOf(result)).toBe(302);
    expect((result as Response).headers.get("Location")).toBe("/login?redirectTo=%2F");
  });
});
