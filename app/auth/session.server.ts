import { createHash, randomBytes } from "node:crypto";
import { createCookie, redirect } from "@remix-run/node";
import { appendAudit } from "~/audit/audit.server";
import { db } from "~/db.server";
import { env } from "~/env.server";
import { serverSecret } from "~/secret.server";
import type { Role } from "../../db/schema";
import { safeRedirect } from "./safe-redirect";

const SESSION_DAYS = 7;

export interface SessionUser {
  id: number;
  username: string;
  full_name: string;
  grants: { role: Role; unit_id: number | null }[];
}

let cookie: ReturnType<typeof createCookie> | null = null;
function sessionCookie() {
  const secure = env().PHIEU_COOKIE_SECURE
    ? env().PHIEU_COOKIE_SECURE === "true"
    : env().NODE_ENV === "production";
  return (cookie ??= createCookie("phieu_session", {
    httpOnly: true,
    sameSite: "lax",
    secure,
    path: "/",
    secrets: [serverSecret()],
    maxAge: SESSION_DAYS * 24 * 3600,
  }));
}

/** For tests that change the environment. */
export function resetSessionCookie() {
  cookie = null;
}

function hashToken(token: string) {
  return createHash("sha256").update(token).digest("hex");
}

export async function createSession(userId: number): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db
    .insertInto("sessions")
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      expires_at: new Date(Date.now() + SESSION_DAYS * 24 * 3600 * 1000),
    })
    .execute();
  return sessionCookie().serialize(token);
}

async function readToken(request: Request): Promise<string | null> {
  const value = await sessionCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.length > 0 ? value : null;
}

export async function getUser(request: Request): Promise<SessionUser | null> {
  const token = await readToken(request);
  if (!token) return null;
  const user = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select(["users.id", "users.username", "users.full_name"])
    .where("sessions.token_hash", "=", hashToken(token))
    .where("sessions.expires_at", ">", new Date())
    .where("users.disabled_at", "is", null)
    .executeTakeFirst();
  if (!user) return null;
  const grants = await db.selectFrom("grants").select(["role", "unit_id"]).where("user_id", "=", user.id).execute();
  return { ...user, grants };
}

/** The logged-in officer, or a redirect to the login page that comes back here afterwards. */
export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getUser(request);
  if (!user) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(`/login?redirectTo=${encodeURIComponent(safeRedirect(back))}`);
  }
  return user;
}

export async function destroySession(request: Request): Promise<string> {
  const token = await readToken(request);
  if (token) {
    await db.transaction().execute(async (tx) => {
      const ended = await tx
        .deleteFrom("sessions")
        .using("users")
        .whereRef("users.id", "=", "sessions.user_id")
        .where("sessions.token_hash", "=", hashToken(token))
        .returning(["users.id", "users.username"])
        .executeTakeFirst();
      if (!ended) return;
      await appendAudit(tx, {
        actor: { userId: ended.id, label: ended.username },
        unitId: null,
        action: "auth.logout",
      });
    });
  }
  return sessionCookie().serialize("", { maxAge: 0 });
}

/** Ends every other session of the user (after a password change). */
export async function destroyOtherSessions(request: Request, userId: number) {
  const token = await readToken(request);
  let query = db.deleteFrom("sessions").where("user_id", "=", userId);
  if (token) query = query.where("token_hash", "!=", hashToken(token));
  await query.execute();
}
