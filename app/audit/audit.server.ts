// The audit log is a hash chain: each entry carries the hash of the one before it, so an edit made by hand in the
// table is found by `npm run phieu -- audit verify`. Casting a ballot never writes here.
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical";
import { sql, type Kysely, type Transaction } from "kysely";
import type { AuditEntry, Database } from "../../db/schema";
import { LOCKS } from "~/db-locks.server";

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
  { unitIds, limit = 100 }: { unitIds: number[] | "all"; limit?: number },
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
