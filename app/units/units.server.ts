import { data } from "@remix-run/node";
import { sql, type Kysely, type Transaction } from "kysely";
import { db } from "~/db.server";
import type { Database, UnitKind } from "../../db/schema";
import type { SessionUser } from "~/auth/session.server";
import { PERMISSIONS } from "~/auth/permissions";
import { can, unitsCoveredBy } from "~/auth/permissions.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { nameKey } from "~/components/text";
import type { FieldErrors } from "~/components/forms";
import type { Message, MessageKey } from "~/i18n/i18n";
import { LOCKS } from "~/db-locks.server";

type Executor = Kysely<Database> | Transaction<Database>;

/** The units a user's home page lists: those their grants name (every ward for a global grant). */
export async function listGrantedUnits({ user }: { user: SessionUser }) {
  const readRoles: readonly string[] = PERMISSIONS["unit.read"];
  const grants = user.grants.filter((g) => readRoles.includes(g.role));
  if (grants.length === 0) return [];
  let query = db
    .selectFrom("units")
    .leftJoin("units as parent", "parent.id", "units.parent_id")
    .select([
      "units.id",
      "units.name",
      "units.kind",
      "parent.name as parent_name",
      (eb) =>
        eb
          .selectFrom("units as child")
          .select(eb.fn.countAll<string>().as("n"))
          .whereRef("child.parent_id", "=", "units.id")
          .as("children"),
    ])
    .orderBy("units.name");
  if (grants.some((g) => g.unit_id === null)) {
    query = query.where("units.kind", "=", "ward");
  } else {
    query = query.where(
      "units.id",
      "in",
      grants.map((g) => g.unit_id as number)
    );
  }
  const rows = await query.execute();
  return rows.map((r) => ({ ...r, children: Number(r.children ?? 0) }));
}

export async function getUnit({ unitId }: { unitId: number }) {
  return db
    .selectFrom("units")
    .leftJoin("units as parent", "parent.id", "units.parent_id")
    .select(["units.id", "units.name", "units.kind", "units.parent_id", "parent.name as parent_name"])
    .where("units.id", "=", unitId)
    .executeTakeFirst();
}

/** The ward a unit belongs to: itself for a ward, its nearest ward ancestor otherwise. */
export async function wardOf({ unitId }: { unitId: number }, executor: Executor = db) {
  const row = await sql<{ id: number; name: string }>`
    with recursive up(id, parent_id, kind, name, depth) as (
      select id, parent_id, kind, name, 0 from units where id = ${unitId}
      union all
      select u.id, u.parent_id, u.kind, u.name, up.depth + 1 from units u join up on u.id = up.parent_id
    )
    select id, name from up where kind = 'ward' order by depth limit 1`.execute(executor);
  return row.rows[0] ?? null;
}

export async function listChildUnits({ unitId }: { unitId: number }) {
  return db
    .selectFrom("units")
    .select(["id", "name", "kind"])
    .where("parent_id", "=", unitId)
    .orderBy(sql`lower(name)`)
    .execute();
}

export class DuplicateUnitNameError extends Error {}

/** Creates a unit under `parentId`; a name already used under that parent (any case) is refused. */
export async function createUnit(
  { parentId, kind, name }: { parentId: number | null; kind: UnitKind; name: string },
  executor: Executor = db
) {
  try {
    return await executor
      .insertInto("units")
      .values({ parent_id: parentId, kind, name: name.normalize("NFC") })
      .returning(["id", "name", "kind", "parent_id"])
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) throw new DuplicateUnitNameError(name);
    throw error;
  }
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "23505";
}

// ---------------------------------------------------------------------------------------------------------------
// The ward's units as officers manage them: residential groups, renaming, deleting; provinces and wards for admins.

// Any constant: serializes name checks under one parent (the unique index compares with lower(), which a C-collation
// database applies to ASCII only, so the Vietnamese-aware comparison happens here, under this lock).
export const UNIT_NAME_LOCK_KEY = LOCKS.unitNames;

/** A refused form post: field errors or one message for the whole form, and what the user typed. */
export function refusal(
  {
    intent,
    targetId = null,
    errors = {},
    formError,
    values = {},
  }: {
    intent: string;
    targetId?: number | null;
    errors?: FieldErrors;
    formError?: Message;
    values?: Record<string, string>;
  },
  status = 400
) {
  return data({ intent, targetId, errors, formError: formError ?? null, values }, { status });
}

export function notFound(): never {
  throw new Response("Not Found", { status: 404 });
}

/** The unit with its kind and its ward, or a 404 (the URL's unit id is checked for permission before this). */
export async function requireUnit({ unitId }: { unitId: number }) {
  const unit = await getUnit({ unitId });
  if (!unit) notFound();
  return unit;
}

/** The unit as a ward, or a 404 when it is a province or a residential group. */
export async function requireWard({ unitId }: { unitId: number }) {
  const unit = await requireUnit({ unitId });
  if (unit.kind !== "ward") notFound();
  return unit;
}

/** The unit and the units above it, from the top down, for breadcrumbs. */
export async function unitTrail({ unitId }: { unitId: number }) {
  const rows = await sql<{ id: number; name: string; kind: UnitKind; depth: number }>`
    with recursive up(id, parent_id, kind, name, depth) as (
      select id, parent_id, kind, name, 0 from units where id = ${unitId}
      union all
      select u.id, u.parent_id, u.kind, u.name, up.depth + 1 from units u join up on u.id = up.parent_id
    )
    select id, name, kind, depth from up order by depth desc`.execute(db);
  return rows.rows.map(({ id, name, kind }) => ({ id, name, kind }));
}

const collator = new Intl.Collator("vi", { numeric: true, sensitivity: "base" });

/** A ward's residential groups, with the cadres holding a current position in each and what refers to each. */
export async function listResidentialGroups({ wardId }: { wardId: number }) {
  const rows = await db
    .selectFrom("units")
    .select((eb) => [
      "units.id",
      "units.name",
      eb
        .selectFrom("positions")
        .select(sql<string>`count(distinct positions.cadre_id)`.as("n"))
        .whereRef("positions.unit_id", "=", "units.id")
        .where("positions.ended_on", "is", null)
        .as("current_cadres"),
      eb
        .selectFrom("positions")
        .select(eb.fn.countAll<string>().as("n"))
        .whereRef("positions.unit_id", "=", "units.id")
        .as("positions"),
    ])
    .where("units.parent_id", "=", wardId)
    .where("units.kind", "=", "residential_group")
    .execute();
  return rows
    .map((r) => ({
      id: r.id,
      name: r.name,
      currentCadres: Number(r.current_cadres ?? 0),
      positions: Number(r.positions ?? 0),
    }))
    .sort((a, b) => collator.compare(a.name, b.name));
}

/** The wards under a province, for its page. */
export async function listWards({ provinceId }: { provinceId: number }) {
  const rows = await db
    .selectFrom("units")
    .select(["id", "name"])
    .where("parent_id", "=", provinceId)
    .where("kind", "=", "ward")
    .execute();
  return rows.sort((a, b) => collator.compare(a.name, b.name));
}

/** The cadres holding a current position in a unit (a residential group's page). */
export async function listCurrentHolders({ unitId }: { unitId: number }) {
  const rows = await db
    .selectFrom("positions")
    .innerJoin("cadres", "cadres.id", "positions.cadre_id")
    .innerJoin("position_titles", "position_titles.id", "positions.title_id")
    .select([
      "positions.id",
      "positions.started_on",
      "cadres.id as cadre_id",
      "cadres.full_name",
      "position_titles.name as title",
      "position_titles.sort_order",
    ])
    .where("positions.unit_id", "=", unitId)
    .where("positions.ended_on", "is", null)
    .execute();
  return rows.sort((a, b) => a.sort_order - b.sort_order || collator.compare(a.full_name, b.full_name));
}

/** True when another unit under the same parent has this name (NFC, any case, folded spaces). */
async function nameTaken(
  tx: Transaction<Database>,
  { parentId, name, exceptId = null }: { parentId: number | null; name: string; exceptId?: number | null }
) {
  await sql`select pg_advisory_xact_lock(${UNIT_NAME_LOCK_KEY}::int, ${parentId ?? 0}::int)`.execute(tx);
  let query = tx.selectFrom("units").select(["id", "name"]);
  query = parentId === null ? query.where("parent_id", "is", null) : query.where("parent_id", "=", parentId);
  const siblings = await query.execute();
  const key = nameKey(name);
  return siblings.some((s) => s.id !== exceptId && nameKey(s.name) === key);
}

export type UnitChange = { ok: true; id: number } | { ok: false; error: MessageKey };

function duplicateMessage(kind: UnitKind): MessageKey {
  return kind === "residential_group" ? "units.groupExists" : "units.nameExists";
}

/**
 * Adds a unit under `parentId` (a residential group under a ward, a ward under a province, or a province) with
 * its audit entry. The audit entry is filed under the ward for a residential group, so that it stays in the
 * ward's log even if the group is later deleted.
 */
export async function addUnit({
  actor,
  parentId,
  kind,
  name,
}: {
  actor: AuditActor;
  parentId: number | null;
  kind: UnitKind;
  name: string;
}): Promise<UnitChange> {
  const clean = name.normalize("NFC").replace(/\s+/g, " ").trim();
  try {
    return await db.transaction().execute(async (tx) => {
      if (await nameTaken(tx, { parentId, name: clean })) return { ok: false, error: duplicateMessage(kind) } as const;
      const unit = await createUnit({ parentId, kind, name: clean }, tx);
      await appendAudit(tx, {
        actor,
        unitId: kind === "residential_group" ? parentId : unit.id,
        action: "unit.create",
        details: { unitId: unit.id, kind, name: unit.name, parentId },
      });
      return { ok: true, id: unit.id } as const;
    });
  } catch (error) {
    if (error instanceof DuplicateUnitNameError) return { ok: false, error: duplicateMessage(kind) };
    throw error;
  }
}

/** Renames a unit, refusing a name another unit under the same parent already has. */
export async function renameUnit({
  actor,
  unitId,
  name,
}: {
  actor: AuditActor;
  unitId: number;
  name: string;
}): Promise<UnitChange> {
  const clean = name.normalize("NFC").replace(/\s+/g, " ").trim();
  const unit = await requireUnit({ unitId });
  try {
    return await db.transaction().execute(async (tx) => {
      if (await nameTaken(tx, { parentId: unit.parent_id, name: clean, exceptId: unit.id })) {
        return { ok: false, error: duplicateMessage(unit.kind) } as const;
      }
      await tx.updateTable("units").set({ name: clean }).where("id", "=", unit.id).execute();
      const ward = await wardOf({ unitId: unit.id }, tx);
      await appendAudit(tx, {
        actor,
        unitId: ward?.id ?? unit.id,
        action: "unit.rename",
        details: { unitId: unit.id, kind: unit.kind, from: unit.name, to: clean },
      });
      return { ok: true, id: unit.id } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, error: duplicateMessage(unit.kind) };
    throw error;
  }
}

/** A residential group of the ward, or a 404 (a group id from a form may have been tampered with). */
export async function requireGroupOfWard(
  { wardId, groupId }: { wardId: number; groupId: number },
  executor: Executor = db
) {
  const group = await executor
    .selectFrom("units")
    .select(["id", "name"])
    .where("id", "=", groupId)
    .where("parent_id", "=", wardId)
    .where("kind", "=", "residential_group")
    .executeTakeFirst();
  if (!group) notFound();
  return group;
}

/**
 * Deletes a residential group that nothing refers to. Positions (current or ended) keep a cadre's history, and a
 * grant gives an officer access: a group with either stays, with a message saying why.
 */
export async function deleteResidentialGroup({
  actor,
  wardId,
  groupId,
}: {
  actor: AuditActor;
  wardId: number;
  groupId: number;
}): Promise<{ ok: true } | { ok: false; error: Message }> {
  return db.transaction().execute(async (tx) => {
    const group = await requireGroupOfWard({ wardId, groupId }, tx);
    // Locks the row so that no position is added to the group between the check and the delete.
    await tx.selectFrom("units").select("id").where("id", "=", group.id).forUpdate().execute();
    const positions = await tx
      .selectFrom("positions")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("unit_id", "=", group.id)
      .executeTakeFirstOrThrow();
    if (Number(positions.n) > 0) {
      return { ok: false, error: { key: "units.groupHasPositions", params: { count: Number(positions.n) } } } as const;
    }
    const grants = await tx
      .selectFrom("grants")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("unit_id", "=", group.id)
      .executeTakeFirstOrThrow();
    if (Number(grants.n) > 0) {
      return { ok: false, error: { key: "units.groupHasGrants", params: { count: Number(grants.n) } } } as const;
    }
    // A poll that the group runs or takes part in keeps it (its slips, ballots and results name it).
    const polls = await tx
      .selectFrom("polls")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where((eb) =>
        eb.or([
          eb("unit_id", "=", group.id),
          eb.exists(
            eb
              .selectFrom("poll_groups")
              .select("poll_groups.poll_id")
              .whereRef("poll_groups.poll_id", "=", "polls.id")
              .where("poll_groups.unit_id", "=", group.id)
          ),
        ])
      )
      .executeTakeFirstOrThrow();
    if (Number(polls.n) > 0) {
      return { ok: false, error: { key: "units.groupInPolls", params: { count: Number(polls.n) } } } as const;
    }
    await tx.deleteFrom("units").where("id", "=", group.id).execute();
    await appendAudit(tx, {
      actor,
      unitId: wardId,
      action: "unit.delete",
      details: { unitId: group.id, kind: "residential_group", name: group.name },
    });
    return { ok: true } as const;
  });
}

/** The units an administrator manages: those their admin grants name and everything under them. */
export function adminUnitIds({ user }: { user: SessionUser }): Promise<number[] | "all"> {
  return unitsCoveredBy(user, "ward.create");
}

export function isGlobalAdmin(user: SessionUser) {
  return user.grants.some((g) => g.role === "admin" && g.unit_id === null);
}

/** Provinces with their wards, as far as the administrator manages them (a province is listed for its wards). */
export async function listProvincesAndWards({ user }: { user: SessionUser }) {
  const scope = await adminUnitIds({ user });
  const rows = await db
    .selectFrom("units")
    .select(["id", "name", "kind", "parent_id"])
    .where("kind", "in", ["province", "ward"])
    .execute();
  const manages = (id: number) => scope === "all" || scope.includes(id);
  const wards = rows.filter((r) => r.kind === "ward" && manages(r.id));
  return rows
    .filter((r) => r.kind === "province")
    .map((province) => ({
      id: province.id,
      name: province.name,
      canManage: manages(province.id),
      wards: wards
        .filter((w) => w.parent_id === province.id)
        .map((w) => ({ id: w.id, name: w.name }))
        .sort((a, b) => collator.compare(a.name, b.name)),
    }))
    .filter((p) => p.canManage || p.wards.length > 0)
    .sort((a, b) => collator.compare(a.name, b.name));
}

/** The unit's trail for breadcrumbs, each unit marked with whether the user may open its page. */
export async function readableTrail({ user, unitId }: { user: SessionUser; unitId: number }) {
  const trail = await unitTrail({ unitId });
  return Promise.all(trail.map(async (unit) => ({ ...unit, readable: await can(user, "unit.read", unit.id) })));
}
