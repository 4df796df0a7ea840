import { sql, type Kysely } from "kysely";

// Frozen once merged: never edit, add a new migration instead.
// Confidence polls, their credentials, the sealed ballot box (one partition per poll, created at opening and
// dropped at the count) and the counted ballots. See DESIGN.md, "Anonymity model".
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("polls")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("unit_id", "integer", (c) => c.notNull().references("units.id").onDelete("restrict"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('confidence_poll', 'confidence_vote')`))
    .addColumn("title", "text", (c) => c.notNull().check(sql`char_length(title) between 1 and 200`))
    .addColumn("place", "text", (c) => c.notNull().check(sql`char_length(place) <= 200`))
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .defaultTo("draft")
        .check(sql`status in ('draft', 'open', 'closed', 'published', 'archived')`),
    )
    .addColumn("rules", "jsonb", (c) => c.notNull())
    .addColumn("required_confirmations", "integer", (c) =>
      c.notNull().defaultTo(2).check(sql`required_confirmations between 1 and 9`),
    )
    .addColumn("scheduled_open_at", "timestamptz")
    .addColumn("scheduled_close_at", "timestamptz")
    .addColumn("summoned", "integer", (c) => c.check(sql`summoned >= 0`))
    .addColumn("present", "integer", (c) => c.check(sql`present >= 0`))
    .addColumn("complaints", "text")
    .addColumn("public_key", "bytea")
    .addColumn("wrapped_private_key", "bytea")
    .addColumn("created_by", "integer", (c) => c.notNull().references("users.id").onDelete("restrict"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("opened_at", "timestamptz")
    .addColumn("closed_at", "timestamptz")
    .addColumn("counted_at", "timestamptz")
    .addColumn("published_at", "timestamptz")
    .addColumn("tally", "jsonb")
    .addColumn("tally_hash", "text")
    .addCheckConstraint(
      "polls_window_ordered",
      sql`scheduled_close_at is null or scheduled_open_at is null or scheduled_close_at > scheduled_open_at`,
    )
    .addCheckConstraint("polls_present_le_summoned", sql`present is null or summoned is null or present <= summoned`)
    .execute();
  await db.schema.createIndex("polls_unit_id_idx").on("polls").column("unit_id").execute();

  await db.schema
    .createTable("poll_subjects")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("poll_id", "integer", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("position_id", "integer", (c) => c.references("positions.id").onDelete("set null"))
    .addColumn("cadre_id", "integer", (c) => c.references("cadres.id").onDelete("set null"))
    // Snapshots: the ballot shows the name and title as they were when the poll was set up.
    .addColumn("full_name", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("unit_name", "text", (c) => c.notNull())
    .addColumn("sort_order", "integer", (c) => c.notNull())
    .addUniqueConstraint("poll_subjects_poll_order_key", ["poll_id", "sort_order"])
    .execute();
  await sql`create unique index poll_subjects_poll_position_key on poll_subjects (poll_id, position_id) where position_id is not null`.execute(
    db,
  );

  await db.schema
    .createTable("poll_groups")
    .addColumn("poll_id", "integer", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("unit_id", "integer", (c) => c.notNull().references("units.id").onDelete("restrict"))
    .addPrimaryKeyConstraint("poll_groups_pkey", ["poll_id", "unit_id"])
    .execute();

  await db.schema
    .createTable("poll_committee_members")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("poll_id", "integer", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("full_name", "text", (c) => c.notNull().check(sql`char_length(full_name) between 1 and 120`))
    .addColumn("role", "text", (c) => c.notNull().check(sql`char_length(role) between 1 and 60`))
    .addColumn("sort_order", "integer", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("credential_batches")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("poll_id", "integer", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("group_id", "integer", (c) => c.notNull().references("units.id").onDelete("restrict"))
    .addColumn("size", "integer", (c) => c.notNull().check(sql`size between 1 and 20000`))
    .addColumn("handed_out", "integer", (c) => c.notNull().defaultTo(0))
    // Null when issued from the command line, which acts as no account.
    .addColumn("created_by", "integer", (c) => c.references("users.id").onDelete("restrict"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("voided_at", "timestamptz")
    .addCheckConstraint("credential_batches_handed_out", sql`handed_out between 0 and size`)
    .execute();

  await db.schema
    .createTable("credentials")
    // Only the SHA-256 of the code is kept; the code itself exists in the one download that issued it.
    .addColumn("code_hash", "text", (c) => c.primaryKey())
    .addColumn("batch_id", "integer", (c) => c.notNull().references("credential_batches.id").onDelete("cascade"))
    .addColumn("poll_id", "integer", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("voided_at", "timestamptz")
    .addUniqueConstraint("credentials_batch_seq_key", ["batch_id", "seq"])
    .execute();

  // A credential's use and its receipt: the primary key makes each credential usable exactly once. Tied to no
  // ballot: the ballot goes, sealed, into the box, and nothing links the two.
  await db.schema
    .createTable("credential_uses")
    .addColumn("code_hash", "text", (c) => c.primaryKey().references("credentials.code_hash").onDelete("cascade"))
    .addColumn("poll_id", "integer", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("receipt", "text", (c) => c.notNull().unique())
    .execute();
  await db.schema.createIndex("credential_uses_poll_id_idx").on("credential_uses").column("poll_id").execute();

  // The ballot box: sealed ballots only, no id, no time, no credential. Each poll gets its own partition at
  // opening, emptied by dropping it at the count, so no dead row of one poll survives in a shared table.
  await sql`create table ballot_box (poll_id integer not null, sealed bytea not null) partition by list (poll_id)`.execute(
    db,
  );

  // Counted ballots: answers only, in shuffled order, no time; the residential group only where it has at least k
  // ballots. levels[i] is the answer for the poll's i-th subject (0 = blank, else the level's index from 1).
  await db.schema
    .createTable("counted_ballots")
    .addColumn("poll_id", "integer", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("ballot_no", "integer", (c) => c.notNull())
    .addColumn("group_id", "integer", (c) => c.references("units.id").onDelete("set null"))
    .addColumn("levels", sql`smallint[]`, (c) => c.notNull())
    .addPrimaryKeyConstraint("counted_ballots_pkey", ["poll_id", "ballot_no"])
    .execute();

  await db.schema
    .createTable("poll_confirmations")
    .addColumn("poll_id", "integer", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("restrict"))
    .addColumn("tally_hash", "text", (c) => c.notNull())
    .addColumn("confirmed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("poll_confirmations_pkey", ["poll_id", "user_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "poll_confirmations",
    "counted_ballots",
    "ballot_box",
    "credential_uses",
    "credentials",
    "credential_batches",
    "poll_committee_members",
    "poll_groups",
    "poll_subjects",
    "polls",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
