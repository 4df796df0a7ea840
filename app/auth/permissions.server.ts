import { sql } from "kysely";
import { db } from "~/db.server";
import type { Role } from "../../db/schema";
import { PERMISSIONS, type Permission } from "./permissions";
import type { SessionUser } from "./session.server";

/** The unit and every unit above it, nearest first. */
export async function ancestorIds(unitId: number): Promise<number[]> {
  const rows = await sql<{ id: number }>`
    with recursive up(id, parent_id, depth) as (
      select id, parent_id, 0 from units where id = ${unitId}
      union all
      select u.id, u.parent_id, up.depth + 1 from units u join up on u.id = up.parent_id
    )
    select id from up order by depth`.execute(db);
  return rows.rows.map((r) => r.id);
}

function rolesFor(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission];
}

/** True when one of the user's grants allows `permission` on the unit (a grant covers the units under it). */
export async function can(user: SessionUser, permission: Permission, unitId: number): Promise<boolean> {
  const roles = rolesFor(permission);
  const grants = user.grants.filter((g) => roles.includes(g.role));
  if (grants.length === 0) return false;
  if (grants.some((g) => g.unit_id === null)) {
    return (await db.selectFrom("units").select("id").where("id", "=", unitId).executeTakeFirst()) !== undefined;
  }
  const chain = await ancestorIds(unitId);
  return grants.some((g) => g.unit_id !== null && chain.includes(g.unit_id));
}

/** Throws 404 for a unit that does not exist and 403 for one the user may not act on. */
export async function requirePermission(user: SessionUser, permission: Permission, unitId: number) {
  if (!Number.isSafeInteger(unitId) || unitId <= 0) throw new Response("Not Found", { status: 404 });
  const exists = await db.selectFrom("units").select("id").where("id", "=", unitId).executeTakeFirst();
  if (!exists) throw new Response("Not Found", { status: 404 });
  if (!(await can(user, permission, unitId))) throw new Response("Forbidden", { status: 403 });
}

export function hasAnyGrant(user: SessionUser, permission: Permission): boolean {
  const roles = rolesFor(permission);
  return user.grants.some((g) => roles.includes(g.role));
}

/** Every unit where the user holds `permission`, as ids: the units their grants name and everything under them. */
export async function unitsCoveredBy(user: SessionUser, permission: Permission): Promise<number[] | "all"> {
  const roles = rolesFor(permission);
  const grants = user.grants.filter((g) => roles.includes(g.role));
  if (grants.some((g) => g.unit_id === null)) return "all";
  const roots = grants.map((g) => g.unit_id as number);
  if (roots.length === 0) return [];
  const rows = await sql<{ id: number }>`
    with recursive down(id) as (
      select id from units where id in (${sql.join(roots)})
      union
      select u.id from units u join down on u.parent_id = down.id
    )
    select id from down`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** Every unit the user may read. */
export function readableUnitIds(user: SessionUser): Promise<number[] | "all"> {
  return unitsCoveredBy(user, "unit.read");
}
