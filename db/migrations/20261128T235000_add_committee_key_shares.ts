import { sql, type Kysely } from "kysely";

// Frozen once merged: never edit, add a new migration instead.
// The counting committee may hold a poll's key: the private key is split (Shamir, k of n) among the committee's
// members, each share kept wrapped with the server secret only until its member claims it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("polls")
    .addColumn("key_mode", "text", (c) =>
      c
        .notNull()
        .defaultTo("server")
        .check(sql`key_mode in ('server', 'committee')`)
    )
    .addColumn("shares_required", "integer", (c) => c.check(sql`shares_required >= 2`))
    .execute();
  await db.schema
    .alterTable("poll_committee_members")
    .addColumn("user_id", "integer", (c) => c.references("users.id").onDelete("restrict"))
    .execute();
  await db.schema
    .createTable("poll_key_shares")
    .addColumn("poll_id", "integer", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("member_id", "integer", (c) => c.notNull().references("poll_committee_members.id").onDelete("cascade"))
    .addColumn("share_wrapped", "bytea")
    .addColumn("claimed_at", "timestamptz")
    .addPrimaryKeyConstraint("poll_key_shares_pkey", ["poll_id", "member_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("poll_key_shares").execute();
  await db.schema.alterTable("poll_committee_members").dropColumn("user_id").execute();
  await db.schema.alterTable("polls").dropColumn("shares_required").dropColumn("key_mode").execute();
}
