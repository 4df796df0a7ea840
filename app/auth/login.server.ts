import { sql } from "kysely";
import { db } from "~/db.server";
import { appendAudit } from "~/audit/audit.server";
import { dummyPasswordHash, verifyPassword } from "./password.server";

export const MAX_FAILURES = 5;
export const WINDOW_MINUTES = 15;
export const LOCK_MINUTES = 15;

export type LoginResult =
  | { ok: true; userId: number }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; retryAt: Date };

/**
 * Checks a username and password under a row lock on the username's throttle, so that the limit holds across
 * every app server: after MAX_FAILURES failures within WINDOW_MINUTES the username is locked for LOCK_MINUTES.
 * Keyed by username only: officers share office networks, and Phiếu keeps no addresses.
 */
export async function attemptLogin({
  username,
  password,
  now = new Date(),
}: {
  username: string;
  password: string;
  now?: Date;
}): Promise<LoginResult> {
  return db.transaction().execute(async (tx) => {
    await tx
      .insertInto("login_throttles")
      .values({ username, window_started_at: now })
      .onConflict((oc) => oc.column("username").doNothing())
      .execute();
    const throttle = await tx
      .selectFrom("login_throttles")
      .selectAll()
      .where("username", "=", username)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (throttle.locked_until && new Date(throttle.locked_until) > now) {
      return { ok: false as const, reason: "locked" as const, retryAt: new Date(throttle.locked_until) };
    }
    const user = await tx
      .selectFrom("users")
      .select(["id", "password_hash", "full_name"])
      .where("username", "=", username)
      .where("disabled_at", "is", null)
      .executeTakeFirst();
    const valid = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), password);
    if (user && valid) {
      await tx.deleteFrom("login_throttles").where("username", "=", username).execute();
      await appendAudit(tx, { actor: { userId: user.id, label: username }, unitId: null, action: "auth.login" });
      return { ok: true as const, userId: user.id };
    }
    const windowExpired =
      new Date(throttle.window_started_at).getTime() + WINDOW_MINUTES * 60_000 <= now.getTime() ||
      throttle.locked_until !== null;
    const failures = windowExpired ? 1 : throttle.failures + 1;
    const lockedUntil = failures >= MAX_FAILURES ? new Date(now.getTime() + LOCK_MINUTES * 60_000) : null;
    await tx
      .updateTable("login_throttles")
      .set({
        failures,
        window_started_at: windowExpired ? now : throttle.window_started_at,
        locked_until: lockedUntil,
      })
      .where("username", "=", username)
      .execute();
    if (lockedUntil) {
      // Only a real account's name goes in the log: what was typed may be a password in the wrong field.
      await appendAudit(tx, {
        actor: { userId: user?.id ?? null, label: user ? username : "(tên đăng nhập không tồn tại)" },
        unitId: null,
        action: "auth.locked",
        details: { failures },
      });
      return { ok: false as const, reason: "locked" as const, retryAt: lockedUntil };
    }
    return { ok: false as const, reason: "invalid" as const };
  });
}

/** Old throttle rows are dropped now and then; they hold only usernames and counters. */
export async function pruneThrottles(now = new Date()) {
  await db
    .deleteFrom("login_throttles")
    .where(sql<boolean>`coalesce(locked_until, window_started_at + interval '1 day') < ${now}`)
    .execute();
}
