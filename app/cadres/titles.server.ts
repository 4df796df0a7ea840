import { sql, type Kysely, type Transaction } from "kysely";
import { db } from "~/db.server";
import { nameKey } from "~/components/text";
import type { Database } from "../../db/schema";

type Executor = Kysely<Database> | Transaction<Database>;

/** The titles a ward can use: the built-in key positions, then the ones its officers added. */
export async function listTitles({ wardId }: { wardId: number }, executor: Executor = db) {
  return executor
    .selectFrom("position_titles")
    .select(["id", "name", "ward_id"])
    .where((eb) => eb.or([eb("ward_id", "is", null), eb("ward_id", "=", wardId)]))
    .orderBy("sort_order")
    .orderBy(sql`lower(name)`)
    .execute();
}

/** Finds a title by name (NFC, any case, folded spaces) among the ward's titles. */
export async function findTitle({ wardId, name }: { wardId: number; name: string }, executor: Executor = db) {
  const key = nameKey(name);
  const titles = await listTitles({ wardId }, executor);
  return titles.find((t) => nameKey(t.name) === key) ?? null;
}

/** Finds a title by name, adding it to the ward's own titles when the ward has none of that name. */
export async function findOrCreateTitle({ wardId, name }: { wardId: number; name: string }, executor: Executor) {
  const found = await findTitle({ wardId, name }, executor);
  if (found) return found;
  const clean = name.normalize("NFC").replace(/\s+/g, " ").trim();
  // A concurrent import may add the same title first: then take that one.
  const inserted = await executor
    .insertInto("position_titles")
    .values({ ward_id: wardId, name: clean })
    .onConflict((oc) => oc.expression(sql`(coalesce(ward_id, 0)), (lower(name))`).doNothing())
    .returning(["id", "name", "ward_id"])
    .executeTakeFirst();
  return inserted ?? (await findTitle({ wardId, name }, executor))!;
}
