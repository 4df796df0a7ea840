import { sql, type Kysely } from "kysely";

// Frozen once merged: never edit, add a new migration instead.
// The count writes a poll's counted ballots in one transaction that holds the poll's row locked, after checking every
// ballot's residential group against the poll's own groups; the two foreign keys checked both again for every row, a
// lookup each (about 4.7 s of CPU for a million ballots). They go; what they did on delete stays, by trigger: a
// poll's counted ballots go with it, on DELETE as on TRUNCATE (a unit that a poll lists cannot be deleted, so the
// ON DELETE SET NULL toward units could never act). See docs/decisions/011-counting-on-every-core.md.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table counted_ballots
    drop constraint counted_ballots_poll_id_fkey,
    drop constraint counted_ballots_group_id_fkey`.execute(db);
  await sql`
    create function counted_ballots_follow_polls() returns trigger language plpgsql as $$
    begin
      if tg_op = 'TRUNCATE' then
        truncate counted_ballots;
      else
        delete from counted_ballots where poll_id = old.id;
      end if;
      return null;
    end
    $$`.execute(db);
  await sql`create trigger polls_delete_counted_ballots after delete on polls
    for each row execute function counted_ballots_follow_polls()`.execute(db);
  await sql`create trigger polls_truncate_counted_ballots after truncate on polls
    for each statement execute function counted_ballots_follow_polls()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger polls_truncate_counted_ballots on polls`.execute(db);
  await sql`drop trigger polls_delete_counted_ballots on polls`.execute(db);
  await sql`drop function counted_ballots_follow_polls()`.execute(db);
  await sql`alter table counted_ballots
    add constraint counted_ballots_poll_id_fkey foreign key (poll_id) references polls (id) on delete cascade,
    add constraint counted_ballots_group_id_fkey foreign key (group_id) references units (id) on delete set null`.execute(
    db
  );
}
