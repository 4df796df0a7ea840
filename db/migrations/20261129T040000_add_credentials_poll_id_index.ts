import type { Kysely } from "kysely";

// Frozen once merged: never edit, add a new migration instead.
// The tally counts a poll's credentials used (credentials whose row names the poll, joined to their uses): with
// slips of many polls in the table, this index reads only the poll's own.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("credentials_poll_id_idx").on("credentials").column("poll_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("credentials_poll_id_idx").execute();
}
