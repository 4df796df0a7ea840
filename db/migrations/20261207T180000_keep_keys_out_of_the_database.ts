import { sql, type Kysely } from "kysely";

// Frozen once merged: never edit, add a new migration instead.
// Nothing that opens a ballot is written to the database any more (docs/decisions/015-keys-outside-the-database.md):
// the server-held poll key moves to a key file, and the committee's shares are sealed to each member's own public
// key, made at enrolment while the poll is a draft. The wrapped key and the wrapped shares go.
//
// A poll opened under the old scheme and not yet counted needs its wrapped key (or its claimed shares) to be counted:
// the upgrade refuses rather than strand it.
export async function up(db: Kysely<any>): Promise<void> {
  const stranded = await sql<{ id: number }>`
    select id from polls
    where counted_at is null and status in ('open', 'closed')
    order by id`.execute(db);
  if (stranded.rows.length > 0) {
    const ids = stranded.rows.map((r) => r.id).join(", ");
    throw new Error(
      `Không thể nâng cấp: cuộc lấy phiếu số ${ids} đang mở hoặc chờ kiểm phiếu với khóa theo cách cũ. ` +
        "Hãy đóng và kiểm phiếu các cuộc này bằng phiên bản trước, rồi nâng cấp."
    );
  }
  await db.schema.dropTable("poll_key_shares").execute();
  await db.schema.alterTable("polls").dropColumn("wrapped_private_key").execute();
  // One row per key holder of a committee-keyed poll: the member's public key from enrolment (the private half was
  // shown to the member once and never stored), and, once the poll is open, the member's share of the poll's key
  // sealed to that public key.
  await db.schema
    .createTable("poll_key_holders")
    .addColumn("poll_id", "integer", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("restrict"))
    .addColumn("public_key", "bytea", (c) => c.notNull().check(sql`octet_length(public_key) = 32`))
    .addColumn("enrolled_at", "timestamptz", (c) => c.notNull())
    .addColumn("sealed_share", "bytea")
    .addPrimaryKeyConstraint("poll_key_holders_pkey", ["poll_id", "user_id"])
    .addUniqueConstraint("poll_key_holders_public_key_key", ["poll_id", "public_key"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("poll_key_holders").execute();
  await db.schema.alterTable("polls").addColumn("wrapped_private_key", "bytea").execute();
  await db.schema
    .createTable("poll_key_shares")
    .addColumn("poll_id", "integer", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("member_id", "integer", (c) => c.notNull().references("poll_committee_members.id").onDelete("cascade"))
    .addColumn("share_wrapped", "bytea")
    .addColumn("claimed_at", "timestamptz")
    .addPrimaryKeyConstraint("poll_key_shares_pkey", ["poll_id", "member_id"])
    .execute();
}
