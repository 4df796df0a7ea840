import { type Kysely, type Transaction } from "kysely";
import { db } from "~/db.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { hashPassword, verifyPassword } from "~/auth/password.server";
import { isUniqueViolation } from "~/units/units.server";
import type { Database, Role } from "../../db/schema";

type Executor = Kysely<Database> | Transaction<Database>;

export class DuplicateUsernameError extends Error {}

export async function createUser(
  {
    actor,
    username,
    fullName,
    password,
    grants = [],
  }: {
    actor: AuditActor;
    username: string;
    fullName: string;
    password: string;
    grants?: { role: Role; unitId: number | null }[];
  },
  executor: Executor = db,
) {
  const passwordHash = await hashPassword(password);
  const run = async (tx: Transaction<Database>) => {
    const user = await tx
      .insertInto("users")
      .values({ username, full_name: fullName.normalize("NFC"), password_hash: passwordHash })
      .returning(["id", "username"])
      .executeTakeFirstOrThrow();
    for (const grant of grants) {
      await tx.insertInto("grants").values({ user_id: user.id, role: grant.role, unit_id: grant.unitId }).execute();
    }
    await appendAudit(tx, {
      actor,
      unitId: grants[0]?.unitId ?? null,
      action: "user.create",
      details: { username, grants: grants.map((g) => ({ role: g.role, unitId: g.unitId })) },
    });
    return user;
  };
  try {
    return "isTransaction" in executor && executor.isTransaction
      ? await run(executor as Transaction<Database>)
      : await executor.transaction().execute(run);
  } catch (error) {
    if (isUniqueViolation(error)) throw new DuplicateUsernameError(username);
    throw error;
  }
}

export type ChangePasswordResult = { ok: true } | { ok: false; reason: "wrongCurrent" };

export async function changeOwnPassword({
  userId,
  username,
  currentPassword,
  newPassword,
}: {
  userId: number;
  username: string;
  currentPassword: string;
  newPassword: string;
}): Promise<ChangePasswordResult> {
  const user = await db.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirst();
  if (!user || !(await verifyPassword(user.password_hash, currentPassword))) {
    return { ok: false, reason: "wrongCurrent" };
  }
  const passwordHash = await hashPassword(newPassword);
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable("users")
      .set({ password_hash: passwordHash, password_changed_at: new Date() })
      .where("id", "=", userId)
      .execute();
    await appendAudit(tx, { actor: { userId, label: username }, unitId: null, action: "user.password_change" });
  });
  return { ok: true };
}
