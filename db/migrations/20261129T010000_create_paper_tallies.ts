import { sql, type Kysely } from "kysely";

// Frozen once merged: never edit, add a new migration instead.
// Paper ballots counted at a meeting, entered as totals per residential group (or for the whole meeting) and
// counted only once a second counting member confirms them; the warnings the reconciliation raises, acknowledged
// with a written reason. See docs/decisions/010-paper-tallies.md.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("paper_tallies")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("poll_id", "integer", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    // Null: the whole meeting, not one residential group.
    .addColumn("group_id", "integer")
    .addColumn("summoned", "integer", (c) => c.notNull().check(sql`summoned >= 0`))
    .addColumn("present", "integer", (c) => c.notNull().check(sql`present >= 0`))
    .addColumn("ballots_issued", "integer", (c) => c.notNull().check(sql`ballots_issued >= 0`))
    .addColumn("ballots_collected", "integer", (c) => c.notNull().check(sql`ballots_collected >= 0`))
    .addColumn("ballots_valid", "integer", (c) => c.notNull().check(sql`ballots_valid >= 0`))
    .addColumn("ballots_invalid", "integer", (c) => c.notNull().check(sql`ballots_invalid >= 0`))
    // Raised by every change: a confirmation names the version its member saw.
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("entered_by", "integer", (c) => c.notNull().references("users.id").onDelete("restrict"))
    .addColumn("entered_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("confirmed_by", "integer", (c) => c.references("users.id").onDelete("restrict"))
    .addColumn("confirmed_at", "timestamptz")
    .addForeignKeyConstraint("paper_tallies_group_in_poll", ["poll_id", "group_id"], "poll_groups", [
      "poll_id",
      "unit_id",
    ])
    .addCheckConstraint("paper_tallies_present_le_summoned", sql`present <= summoned`)
    .addCheckConstraint("paper_tallies_collected_le_issued", sql`ballots_collected <= ballots_issued`)
    .addCheckConstraint("paper_tallies_valid_invalid", sql`ballots_valid + ballots_invalid = ballots_collected`)
    // The two-person rule: whoever entered the figures as they stand can never be the one who confirms them.
    .addCheckConstraint("paper_tallies_second_person", sql`confirmed_by is null or confirmed_by <> entered_by`)
    .addCheckConstraint("paper_tallies_confirmed_whole", sql`(confirmed_by is null) = (confirmed_at is null)`)
    .execute();
  // One entry per residential group of a poll, and one for the whole meeting.
  await sql`create unique index paper_tallies_poll_scope_key on paper_tallies (poll_id, coalesce(group_id, 0))`.execute(
    db
  );

  await db.schema
    .createTable("paper_tally_subjects")
    .addColumn("paper_tally_id", "integer", (c) => c.notNull().references("paper_tallies.id").onDelete("cascade"))
    .addColumn("subject_id", "integer", (c) => c.notNull().references("poll_subjects.id").onDelete("cascade"))
    // counts[i]: ballots marking the poll's level i + 1 for this subject (the same codes as counted ballots).
    .addColumn("counts", sql`integer[]`, (c) =>
      c.notNull().check(sql`0 <= all(counts) and cardinality(counts) between 2 and 3`)
    )
    // Ballots invalid for this subject (no level or more than one marked).
    .addColumn("invalid", "integer", (c) => c.notNull().check(sql`invalid >= 0`))
    .addPrimaryKeyConstraint("paper_tally_subjects_pkey", ["paper_tally_id", "subject_id"])
    .execute();

  await db.schema
    .createTable("poll_warning_acks")
    .addColumn("poll_id", "integer", (c) => c.notNull().references("polls.id").onDelete("cascade"))
    .addColumn("warning_id", "text", (c) => c.notNull().check(sql`char_length(warning_id) between 1 and 80`))
    // The warning as it was acknowledged: a warning whose figures change afterwards needs a new acknowledgement.
    .addColumn("fingerprint", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull().check(sql`char_length(reason) between 1 and 2000`))
    .addColumn("acknowledged_by", "integer", (c) => c.notNull().references("users.id").onDelete("restrict"))
    .addColumn("acknowledged_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("poll_warning_acks_pkey", ["poll_id", "warning_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["poll_warning_acks", "paper_tally_subjects", "paper_tallies"]) {
    await db.schema.dropTable(table).execute();
  }
}
