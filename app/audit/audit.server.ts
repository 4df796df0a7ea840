// The audit log is a hash chain: each entry carries the hash of the one before it, so an edit made by hand in the
// table is found by `npm run phieu -- audit verify`. Casting a ballot never writes here.
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical";
import { sql, type Kysely, type Transaction } from "kysely";
import type { AuditEntry, Database } from "../../db/schema";
import { LOCKS } from "~/db-locks.server";
import { db } from "~/db.server";

export const GENESIS_HASH = "0".repeat(64);
// Any constant; every append takes this transaction-level lock so the chain has one order.
const AUDIT_LOCK_KEY = LOCKS.audit;

export interface AuditActor {
  userId: number | null;
  label: string;
}

export interface AuditInput {
  actor: AuditActor;
  unitId: number | null;
  action: string;
  details?: Record<string, unknown>;
}

export function entryHash(entry: {
  prev_hash: string;
  at: Date;
  actor_user_id: number | null;
  actor_label: string;
  unit_id: number | null;
  action: string;
  details: Record<string, unknown>;
}): string {
  const body = canonicalJson({
    prev: entry.prev_hash,
    at: entry.at.toISOString(),
    actor: entry.actor_user_id,
    label: entry.actor_label,
    unit: entry.unit_id,
    action: entry.action,
    details: entry.details,
  });
  return createHash("sha256").update(body).digest("hex");
}

/** Appends one entry; call it inside the transaction that makes the change it records. */
export async function appendAudit(tx: Transaction<Database> | Kysely<Database>, input: AuditInput) {
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(tx);
  const last = await tx.selectFrom("audit_log").select("hash").orderBy("id", "desc").limit(1).executeTakeFirst();
  const entry = {
    prev_hash: last?.hash ?? GENESIS_HASH,
    at: new Date(),
    actor_user_id: input.actor.userId,
    actor_label: input.actor.label,
    unit_id: input.unitId,
    action: input.action,
    details: input.details ?? {},
  };
  await tx
    .insertInto("audit_log")
    .values({ ...entry, details: JSON.stringify(entry.details), hash: entryHash(entry) })
    .execute();
}

export type AuditVerification =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenId: string; reason: "hash" | "link" };

/** Walks the whole chain in id order and names the first entry whose hash or link does not hold. */
export async function verifyAuditChain(database: Kysely<Database>): Promise<AuditVerification> {
  let prev = GENESIS_HASH;
  let count = 0;
  let afterId = "0";
  for (;;) {
    const page: AuditEntry[] = await database
      .selectFrom("audit_log")
      .selectAll()
      .where("id", ">", afterId)
      .orderBy("id")
      .limit(1000)
      .execute();
    if (page.length === 0) return { ok: true, entries: count };
    for (const row of page) {
      count++;
      if (row.prev_hash !== prev) return { ok: false, entries: count, brokenId: String(row.id), reason: "link" };
      const expected = entryHash({ ...row, at: new Date(row.at), details: row.details ?? {} });
      if (expected !== row.hash) return { ok: false, entries: count, brokenId: String(row.id), reason: "hash" };
      prev = row.hash;
      afterId = String(row.id);
    }
  }
}

export async function listAudit(
  database: Kysely<Database>,
  { unitIds, limit = 100 }: { unitIds: number[] | "all"; limit?: number }
) {
  let query = database
    .selectFrom("audit_log")
    .leftJoin("units", "units.id", "audit_log.unit_id")
    .select([
      "audit_log.id",
      "audit_log.at",
      "audit_log.actor_label",
      "audit_log.action",
      "audit_log.details",
      "units.name as unit_name",
    ])
    .orderBy("audit_log.id", "desc")
    .limit(limit);
  if (unitIds !== "all") {
    if (unitIds.length === 0) return [];
    query = query.where("audit_log.unit_id", "in", unitIds);
  }
  return query.execute();
}

// ---------------------------------------------------------------------------------------------------------------
// The officers' view of their unit's log (/units/:unitId/audit).

/** The families an officer can filter the log by, each with the prefixes of its action names. */
export const AUDIT_FAMILIES = {
  auth: ["auth."],
  users: ["user.", "grant."],
  units: ["unit."],
  cadres: ["cadre.", "position."],
  imports: ["import."],
  polls: ["poll."],
  credentials: ["credentials."],
} as const;
export type AuditFamily = keyof typeof AUDIT_FAMILIES;

export function isAuditFamily(value: unknown): value is AuditFamily {
  return typeof value === "string" && Object.hasOwn(AUDIT_FAMILIES, value);
}

export const AUDIT_PAGE_SIZE = 50;

/**
 * One page of the log of a unit and every unit under it, newest first. `before` is the id the previous page ended
 * at (keyset paging: a page stays the same while new entries arrive). Entries tied to no unit (logins, own password
 * changes) are added only when `includeUnitless` is set, for readers of every unit.
 */
export async function listUnitAudit({
  unitId,
  family = null,
  before = null,
  includeUnitless = false,
  limit = AUDIT_PAGE_SIZE,
}: {
  unitId: number;
  family?: AuditFamily | null;
  before?: string | null;
  includeUnitless?: boolean;
  limit?: number;
}) {
  let query = db
    .withRecursive("subtree(id)", (qb) =>
      qb
        .selectFrom("units")
        .select("id")
        .where("id", "=", unitId)
        .unionAll((union) =>
          union.selectFrom("units").innerJoin("subtree", "subtree.id", "units.parent_id").select("units.id")
        )
    )
    .selectFrom("audit_log")
    .leftJoin("units", "units.id", "audit_log.unit_id")
    .select([
      "audit_log.id",
      "audit_log.at",
      "audit_log.actor_user_id",
      "audit_log.actor_label",
      "audit_log.unit_id",
      "audit_log.action",
      "audit_log.details",
      "audit_log.hash",
      "units.name as unit_name",
    ])
    .where((eb) => {
      const inSubtree = eb("audit_log.unit_id", "in", eb.selectFrom("subtree").select("subtree.id"));
      return includeUnitless ? eb.or([inSubtree, eb("audit_log.unit_id", "is", null)]) : inSubtree;
    })
    .orderBy("audit_log.id", "desc")
    .limit(limit + 1);
  if (family) {
    const prefixes = AUDIT_FAMILIES[family];
    query = query.where((eb) => eb.or(prefixes.map((prefix) => eb("audit_log.action", "like", `${prefix}%`))));
  }
  if (before !== null) query = query.where("audit_log.id", "<", before);
  const rows = await query.execute();
  const entries = rows.slice(0, limit).map(({ hash, details, id, ...row }) => ({
    ...row,
    id: String(id),
    details: details ?? {},
    hashPrefix: hash.slice(0, 8),
  }));
  return { entries, nextBefore: rows.length > limit ? entries[entries.length - 1].id : null };
}

/** A positive entry id from a URL (`?before=`), or null when absent; anything else is not a page of the log. */
export function parseEntryId(value: string | null): string | null | undefined {
  if (value === null || value === "") return null;
  return /^[1-9]\d{0,17}$/.test(value) ? value : undefined;
}

function idsOf(values: unknown[]): number[] {
  return [...new Set(values.filter((v): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0))];
}

/** The unit and every unit under it, as ids. */
async function subtreeIds(unitId: number): Promise<number[]> {
  const rows = await db
    .withRecursive("subtree(id)", (qb) =>
      qb
        .selectFrom("units")
        .select("id")
        .where("id", "=", unitId)
        .unionAll((union) =>
          union.selectFrom("units").innerJoin("subtree", "subtree.id", "units.parent_id").select("units.id")
        )
    )
    .selectFrom("subtree")
    .select("subtree.id")
    .execute();
  return rows.map((r) => r.id);
}

/**
 * The names behind the ids that entries' details carry (residential groups, units of grants, cadres), so that each
 * entry reads as a sentence. Outside `allUnits`, only names inside the unit's subtree are looked up: a hand-edited
 * entry must not become a way to read another ward's names.
 */
export async function auditReferences({
  unitId,
  allUnits,
  entries,
}: {
  unitId: number;
  allUnits: boolean;
  entries: { details: Record<string, unknown> }[];
}) {
  const grantUnits = (grants: unknown) =>
    Array.isArray(grants)
      ? grants.map((g) => (g && typeof g === "object" ? (g as { unitId?: unknown }).unitId : null))
      : [];
  const unitIds = idsOf(
    entries.flatMap(({ details }) => [details.groupId, details.unitId, details.parentId, ...grantUnits(details.grants)])
  );
  const cadreIds = idsOf(entries.map(({ details }) => details.cadreId));
  const scope = allUnits || (unitIds.length === 0 && cadreIds.length === 0) ? null : await subtreeIds(unitId);
  const wantedUnits = scope ? unitIds.filter((id) => scope.includes(id)) : unitIds;
  const units =
    wantedUnits.length === 0
      ? []
      : await db.selectFrom("units").select(["id", "name"]).where("id", "in", wantedUnits).execute();
  const cadres =
    cadreIds.length === 0
      ? []
      : await db
          .selectFrom("cadres")
          .select(["id", "full_name"])
          .where("id", "in", cadreIds)
          .$if(scope !== null, (qb) => qb.where("ward_id", "in", scope!))
          .execute();
  return {
    units: Object.fromEntries(units.map((u) => [String(u.id), u.name])) as Record<string, string>,
    cadres: Object.fromEntries(cadres.map((c) => [String(c.id), c.full_name])) as Record<string, string>,
  };
}

/** The newest entry, whose hash stands for the whole chain (to be noted down outside the database). */
export async function latestAuditEntry(database: Kysely<Database>) {
  return database
    .selectFrom("audit_log")
    .select(["id", "at", "hash"])
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
}

/** One entry as `audit verify` names it when the chain breaks there. */
export async function auditEntry(database: Kysely<Database>, { id }: { id: string }) {
  return database
    .selectFrom("audit_log")
    .leftJoin("units", "units.id", "audit_log.unit_id")
    .select(["audit_log.id", "audit_log.at", "audit_log.actor_label", "audit_log.action", "units.name as unit_name"])
    .where("audit_log.id", "=", id)
    .executeTakeFirst();
}
