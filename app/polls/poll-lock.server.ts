import { sql, type Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { LOCKS } from "~/db-locks.server";

// Casting holds this lock shared, closing holds it exclusive: a close waits for the casts in flight, and a cast
// that starts after the close sees the poll closed. Advisory, so casting writes nothing to the poll's row.
const POLL_LOCK_CLASS = LOCKS.poll;

export async function lockPollShared(tx: Transaction<Database>, pollId: number) {
  await sql`select pg_advisory_xact_lock_shared(${POLL_LOCK_CLASS}, ${pollId})`.execute(tx);
}

export async function lockPollExclusive(tx: Transaction<Database>, pollId: number) {
  await sql`select pg_advisory_xact_lock(${POLL_LOCK_CLASS}, ${pollId})`.execute(tx);
}

/** The poll's own partition of the ballot box. */
export function boxPartition(pollId: number) {
  if (!Number.isSafeInteger(pollId) || pollId <= 0) throw new Error("bad poll id");
  return `ballot_box_p${pollId}`;
}
