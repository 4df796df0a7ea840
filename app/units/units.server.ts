import { sql, type Kysely, type Transaction } from "kysely";
import { db } from "~/db.server";
import type { Database, UnitKind } from "../../db/schema";
import type { SessionUser } from "~/auth/session.server";
import { PERMISSIONS } from "~/auth/permissions";

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
    query = query.where("units.id", "in", grants.map((g) => g.unit_id as number));
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
  executor: Executor = db,
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
