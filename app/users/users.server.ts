import { sql, type ExpressionBuilder, type Kysely, type Transaction } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { db } from "~/db.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { hashPassword, verifyPassword } from "~/auth/password.server";
import { PERMISSIONS } from "~/auth/permissions";
import { hasAnyGrant, requirePermission, unitsCoveredBy } from "~/auth/permissions.server";
import type { SessionUser } from "~/auth/session.server";
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
  executor: Executor = db
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
      details: { userId: user.id, username, grants: grants.map((g) => ({ role: g.role, unitId: g.unitId })) },
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

// ---------------------------------------------------------------------------------------------------------------
// Administrators' management of accounts. An administrator's scope is the units under their admin grants (every
// unit for a global grant); they see an account when it holds at least one grant inside that scope, and only the
// grants inside it. Changing the account itself (name, status, password) needs a scope that covers every grant the
// account holds, so that a ward's administrator can never take over an account that also works elsewhere.

export type AdminScope = "all" | number[];

const ADMIN_ROLES: readonly Role[] = PERMISSIONS["user.manage"];

/** The units the user administers: "all" for a global admin grant, else their admin units and everything under them. */
export function adminScope({ user }: { user: SessionUser }): Promise<AdminScope> {
  return unitsCoveredBy(user, "user.manage");
}

/** 403 for anyone who administers no unit. */
export async function requireAccountAdmin(user: SessionUser): Promise<AdminScope> {
  if (!hasAnyGrant(user, "user.manage")) throw new Response("Forbidden", { status: 403 });
  return adminScope({ user });
}

/**
 * A grant the administrator may give or take: a unit they administer (404 for no such unit, 403 for another
 * ward's), or every unit, which only a global administrator may grant.
 */
export async function requireGrantableUnit({
  user,
  scope,
  unitId,
}: {
  user: SessionUser;
  scope: AdminScope;
  unitId: number | null;
}) {
  if (unitId === null) {
    if (scope !== "all") throw new Response("Forbidden", { status: 403 });
    return;
  }
  await requirePermission(user, "user.manage", unitId);
}

function inScope(scope: AdminScope, unitId: number | null): boolean {
  return scope === "all" || (unitId !== null && scope.includes(unitId));
}

/** The units an administrator can grant on, as a tree in reading order (depth for indentation). */
export async function listManageableUnits({ scope }: { scope: AdminScope }) {
  if (scope !== "all" && scope.length === 0) return [];
  const roots =
    scope === "all"
      ? sql`parent_id is null`
      : sql`id in (${sql.join(scope)}) and (parent_id is null or parent_id not in (${sql.join(scope)}))`;
  const rows = await sql<{ id: number; name: string; kind: string; depth: number }>`
    with recursive tree(id, name, kind, depth, path) as (
      select id, name, kind, 0, array[lower(name)] from units where ${roots}
      union all
      select u.id, u.name, u.kind, tree.depth + 1, tree.path || lower(u.name)
      from units u join tree on u.parent_id = tree.id
    )
    select id, name, kind, depth from tree order by path`.execute(db);
  return rows.rows.map((r) => ({ ...r, depth: Number(r.depth) }));
}

function grantsOf(eb: ExpressionBuilder<Database, "users">, scope: AdminScope) {
  let query = eb
    .selectFrom("grants")
    .leftJoin("units", "units.id", "grants.unit_id")
    .select(["grants.id", "grants.role", "grants.unit_id", "units.name as unit_name"])
    .whereRef("grants.user_id", "=", "users.id")
    .orderBy("grants.unit_id", (ob) => ob.nullsFirst())
    .orderBy("grants.role");
  if (scope !== "all") query = query.where("grants.unit_id", "in", scope);
  return jsonArrayFrom(query);
}

function visibleIn(eb: ExpressionBuilder<Database, "users">, scope: number[]) {
  return eb.exists(
    eb
      .selectFrom("grants")
      .select("grants.id")
      .whereRef("grants.user_id", "=", "users.id")
      .where("grants.unit_id", "in", scope)
  );
}

/** The accounts an administrator sees, with their grants inside the administrator's scope. */
export async function listAccounts({ scope }: { scope: AdminScope }) {
  if (scope !== "all" && scope.length === 0) return [];
  let query = db
    .selectFrom("users")
    .select((eb) => [
      "users.id",
      "users.username",
      "users.full_name",
      "users.disabled_at",
      grantsOf(eb, scope).as("grants"),
    ])
    .orderBy("users.username");
  if (scope !== "all") query = query.where((eb) => visibleIn(eb, scope));
  return query.execute();
}

/**
 * One account as an administrator sees it, or null when it is not theirs to see: its grants inside their scope, how
 * many others it holds, and whether their scope covers all of them (which account-level changes require).
 */
export async function getAccount({ scope, userId }: { scope: AdminScope; userId: number }) {
  if (scope !== "all" && scope.length === 0) return null;
  let query = db
    .selectFrom("users")
    .select((eb) => [
      "users.id",
      "users.username",
      "users.full_name",
      "users.disabled_at",
      "users.created_at",
      "users.password_changed_at",
      grantsOf(eb, scope).as("grants"),
      eb
        .selectFrom("grants")
        .select(eb.fn.countAll<string>().as("n"))
        .whereRef("grants.user_id", "=", "users.id")
        .as("grant_count"),
    ])
    .where("users.id", "=", userId);
  if (scope !== "all") query = query.where((eb) => visibleIn(eb, scope));
  const row = await query.executeTakeFirst();
  if (!row) return null;
  const hiddenGrants = Number(row.grant_count ?? 0) - row.grants.length;
  const { grant_count: _count, ...account } = row;
  return {
    ...account,
    hiddenGrants,
    fullyManaged: hiddenGrants === 0,
    // Account-level entries are filed under a unit the administrator reads, so that they find them in their log.
    auditUnitId: row.grants.find((g) => g.unit_id !== null)?.unit_id ?? null,
  };
}
export type AccountView = NonNullable<Awaited<ReturnType<typeof getAccount>>>;

function actorOf(user: SessionUser): AuditActor {
  return { userId: user.id, label: user.username };
}

export type CreateAccountResult = { ok: true; userId: number } | { ok: false; reason: "duplicateUsername" };

/** Creates an account with its first grant; the caller has checked the grant's unit with requireGrantableUnit. */
export async function createAccount({
  actor,
  username,
  fullName,
  password,
  role,
  unitId,
}: {
  actor: SessionUser;
  username: string;
  fullName: string;
  password: string;
  role: Role;
  unitId: number | null;
}): Promise<CreateAccountResult> {
  try {
    const user = await createUser({
      actor: actorOf(actor),
      username,
      fullName,
      password,
      grants: [{ role, unitId }],
    });
    return { ok: true, userId: user.id };
  } catch (error) {
    if (error instanceof DuplicateUsernameError) return { ok: false, reason: "duplicateUsername" };
    throw error;
  }
}

export async function updateAccount({
  actor,
  account,
  fullName,
}: {
  actor: SessionUser;
  account: AccountView;
  fullName: string;
}) {
  const clean = fullName.normalize("NFC");
  if (clean === account.full_name) return;
  await db.transaction().execute(async (tx) => {
    await tx.updateTable("users").set({ full_name: clean }).where("id", "=", account.id).execute();
    await appendAudit(tx, {
      actor: actorOf(actor),
      unitId: account.auditUnitId,
      action: "user.update",
      details: { userId: account.id, username: account.username, fullName: { from: account.full_name, to: clean } },
    });
  });
}

export type AddGrantResult = { ok: true } | { ok: false; reason: "duplicate" };

/** Adds a grant; the caller has checked its unit with requireGrantableUnit. The same grant twice is refused. */
export async function addGrant({
  actor,
  account,
  role,
  unitId,
}: {
  actor: SessionUser;
  account: AccountView;
  role: Role;
  unitId: number | null;
}): Promise<AddGrantResult> {
  try {
    await db.transaction().execute(async (tx) => {
      const grant = await tx
        .insertInto("grants")
        .values({ user_id: account.id, role, unit_id: unitId })
        .returning("id")
        .executeTakeFirstOrThrow();
      await appendAudit(tx, {
        actor: actorOf(actor),
        unitId,
        action: "grant.add",
        details: { userId: account.id, username: account.username, grantId: grant.id, role, unitId },
      });
    });
    return { ok: true };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: "duplicate" };
    throw error;
  }
}

export type RemoveGrantResult = { ok: true } | { ok: false; reason: "lastOwnAdmin" };

/** Removes one of the account's grants inside the administrator's scope (404 for any other grant id). */
export async function removeGrant({
  actor,
  scope,
  account,
  grantId,
}: {
  actor: SessionUser;
  scope: AdminScope;
  account: AccountView;
  grantId: number;
}): Promise<RemoveGrantResult> {
  return db.transaction().execute(async (tx) => {
    // One change to an account's grants at a time, so that two removals cannot both pass the last-admin check.
    await tx.selectFrom("users").select("id").where("id", "=", account.id).forUpdate().execute();
    const grant = await tx
      .selectFrom("grants")
      .select(["id", "role", "unit_id"])
      .where("id", "=", grantId)
      .where("user_id", "=", account.id)
      .executeTakeFirst();
    if (!grant || !inScope(scope, grant.unit_id)) throw new Response("Not Found", { status: 404 });
    if (account.id === actor.id && ADMIN_ROLES.includes(grant.role)) {
      const admin = await tx
        .selectFrom("grants")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("user_id", "=", actor.id)
        .where("role", "in", ADMIN_ROLES)
        .executeTakeFirstOrThrow();
      if (Number(admin.n) <= 1) return { ok: false as const, reason: "lastOwnAdmin" as const };
    }
    await tx.deleteFrom("grants").where("id", "=", grant.id).execute();
    await appendAudit(tx, {
      actor: actorOf(actor),
      unitId: grant.unit_id,
      action: "grant.remove",
      details: {
        userId: account.id,
        username: account.username,
        grantId: grant.id,
        role: grant.role,
        unitId: grant.unit_id,
      },
    });
    return { ok: true as const };
  });
}

export type AccountChangeResult = { ok: true } | { ok: false; reason: "self" };

/** Disables (the account's sessions end at once and it cannot log in) or re-enables an account; never one's own. */
export async function setAccountDisabled({
  actor,
  account,
  disabled,
}: {
  actor: SessionUser;
  account: AccountView;
  disabled: boolean;
}): Promise<AccountChangeResult> {
  if (account.id === actor.id) return { ok: false, reason: "self" };
  await db.transaction().execute(async (tx) => {
    const changed = await tx
      .updateTable("users")
      .set({ disabled_at: disabled ? new Date() : null })
      .where("id", "=", account.id)
      .where("disabled_at", disabled ? "is" : "is not", null)
      .returning("id")
      .executeTakeFirst();
    if (!changed) return;
    if (disabled) await tx.deleteFrom("sessions").where("user_id", "=", account.id).execute();
    await appendAudit(tx, {
      actor: actorOf(actor),
      unitId: account.auditUnitId,
      action: disabled ? "user.disable" : "user.enable",
      details: { userId: account.id, username: account.username },
    });
  });
  return { ok: true };
}

/**
 * Gives the account a new temporary password chosen by the administrator, ends its sessions and lifts a login
 * lock-out. Not for one's own account, which goes through the change-password page and its current password.
 */
export async function resetAccountPassword({
  actor,
  account,
  password,
}: {
  actor: SessionUser;
  account: AccountView;
  password: string;
}): Promise<AccountChangeResult> {
  if (account.id === actor.id) return { ok: false, reason: "self" };
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable("users")
      .set({ password_hash: passwordHash, password_changed_at: new Date() })
      .where("id", "=", account.id)
      .execute();
    await tx.deleteFrom("sessions").where("user_id", "=", account.id).execute();
    await tx.deleteFrom("login_throttles").where("username", "=", account.username).execute();
    await appendAudit(tx, {
      actor: actorOf(actor),
      unitId: account.auditUnitId,
      action: "user.password_reset",
      details: { userId: account.id, username: account.username },
    });
  });
  return { ok: true };
}
