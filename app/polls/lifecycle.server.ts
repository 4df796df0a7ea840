// The poll's lifecycle: draft → open → closed (counted at once) → published. Every transition is audited; a
// transition asked of a poll in the wrong state is refused with a reason the page can show.
import { randomInt } from "node:crypto";
import { sql } from "kysely";
import { db } from "~/db.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { ballotOpener, generatePollKeyPair, unwrapPrivateKey, wrapPrivateKey } from "~/ballots/seal.server";
import { decodeBallot } from "~/ballots/cast.server";
import { serverSecret } from "~/secret.server";
import type { PollStatus } from "../../db/schema";
import { boxPartition, lockPollExclusive } from "./poll-lock.server";
import { DEFAULT_RULES, type PollRules } from "~/results/tally";

export class PollStateError extends Error {
  constructor(
    public reason: "notFound" | "wrongState" | "noSubjects" | "noGroups",
    public status?: PollStatus,
  ) {
    super(reason);
  }
}

export function pollRules(raw: unknown): PollRules {
  return { ...DEFAULT_RULES, ...(raw as Partial<PollRules>) };
}

export async function openPoll({ actor, pollId }: { actor: AuditActor; pollId: number }) {
  await db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx.selectFrom("polls").select(["status", "unit_id"]).where("id", "=", pollId).forUpdate().executeTakeFirst();
    if (!poll) throw new PollStateError("notFound");
    if (poll.status !== "draft") throw new PollStateError("wrongState", poll.status);
    const counts = await tx
      .selectFrom("polls")
      .select((eb) => [
        eb.selectFrom("poll_subjects").select(eb.fn.countAll<string>().as("n")).where("poll_id", "=", pollId).as("subjects"),
        eb.selectFrom("poll_groups").select(eb.fn.countAll<string>().as("n")).where("poll_id", "=", pollId).as("groups"),
      ])
      .where("id", "=", pollId)
      .executeTakeFirstOrThrow();
    if (Number(counts.subjects) === 0) throw new PollStateError("noSubjects");
    if (Number(counts.groups) === 0) throw new PollStateError("noGroups");
    const keys = generatePollKeyPair();
    await sql`create table if not exists ${sql.id(boxPartition(pollId))} partition of ballot_box for values in (${sql.lit(pollId)})`.execute(tx);
    await tx
      .updateTable("polls")
      .set({
        status: "open",
        opened_at: new Date(),
        public_key: keys.publicKey,
        wrapped_private_key: wrapPrivateKey(keys.privateKey, { secret: serverSecret(), pollId }),
      })
      .where("id", "=", pollId)
      .execute();
    await appendAudit(tx, { actor, unitId: poll.unit_id, action: "poll.open", details: { pollId } });
  });
}

/** Fisher-Yates with a cryptographic generator: the counted order says nothing about the casting order. */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Closes the poll and counts it in one transaction: no cast can slip in (the exclusive poll lock waits for casts in
 * flight), the box is opened, shuffled into counted_ballots, emptied with TRUNCATE (a new file: no dead rows left in
 * its pages), and the poll's private key is destroyed.
 */
export async function closePoll({
  actor,
  pollId,
  mixing = "on",
}: {
  actor: AuditActor;
  pollId: number;
  /** "off-for-tests" skips the shuffle and counts in the box's physical order: the linkage test shows the attack. */
  mixing?: "on" | "off-for-tests";
}) {
  if (mixing !== "on" && process.env.NODE_ENV !== "test") throw new Error("mixing can only be switched off in tests");
  return db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx
      .selectFrom("polls")
      .select(["status", "unit_id", "public_key", "wrapped_private_key", "rules"])
      .where("id", "=", pollId)
      .forUpdate()
      .executeTakeFirst();
    if (!poll) throw new PollStateError("notFound");
    if (poll.status !== "open") throw new PollStateError("wrongState", poll.status);
    const rules = pollRules(poll.rules);
    const partition = boxPartition(pollId);

    const privateKey = unwrapPrivateKey(poll.wrapped_private_key!, { secret: serverSecret(), pollId });
    const open = ballotOpener({ publicKey: poll.public_key!, privateKey });
    const physicalOrder = mixing === "off-for-tests" ? sql` order by ctid` : sql``;
    const sealed = await sql<{ sealed: Buffer }>`select sealed from ${sql.id(partition)}${physicalOrder}`.execute(tx);
    const opened = sealed.rows.map((row) => decodeBallot(open(row.sealed)));
    const ballots = mixing === "off-for-tests" ? opened : shuffle(opened);
    const perGroup = new Map<number, number>();
    for (const b of ballots) perGroup.set(b.g, (perGroup.get(b.g) ?? 0) + 1);

    for (let start = 0; start < ballots.length; start += 2000) {
      await tx
        .insertInto("counted_ballots")
        .values(
          ballots.slice(start, start + 2000).map((b, i) => ({
            poll_id: pollId,
            ballot_no: start + i + 1,
            group_id: (perGroup.get(b.g) ?? 0) >= rules.k ? b.g : null,
            levels: b.l,
          })),
        )
        .execute();
    }
    await sql`truncate table ${sql.id(partition)}`.execute(tx);
    const now = new Date();
    await tx
      .updateTable("polls")
      .set({ status: "closed", closed_at: now, counted_at: now, wrapped_private_key: null })
      .where("id", "=", pollId)
      .execute();
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: "poll.close",
      details: { pollId, ballotsCounted: ballots.length },
    });
    return { ballotsCounted: ballots.length };
  });
}

const SCHEDULE_ACTOR: AuditActor = { userId: null, label: "schedule" };

/**
 * Opens the drafts whose scheduled opening has come and closes (and counts) the open polls whose scheduled closing
 * has come, each through the same transition an officer would make, audited as "schedule". A draft whose window
 * has already ended stays a draft for an officer to reschedule: opening it only to close it at once would count
 * an empty box. Safe to run from several places at once: a poll another run already moved is skipped.
 */
export async function applySchedules({ now = new Date() }: { now?: Date } = {}) {
  const dueToOpen = await db
    .selectFrom("polls")
    .select("id")
    .where("status", "=", "draft")
    .where("scheduled_open_at", "<=", now)
    .where((eb) => eb.or([eb("scheduled_close_at", "is", null), eb("scheduled_close_at", ">", now)]))
    .orderBy("id")
    .execute();
  const opened: number[] = [];
  for (const { id } of dueToOpen) {
    try {
      await openPoll({ actor: SCHEDULE_ACTOR, pollId: id });
      opened.push(id);
    } catch (error) {
      if (!(error instanceof PollStateError)) throw error;
    }
  }
  const dueToClose = await db
    .selectFrom("polls")
    .select("id")
    .where("status", "=", "open")
    .where("scheduled_close_at", "<=", now)
    .orderBy("id")
    .execute();
  const closed: number[] = [];
  for (const { id } of dueToClose) {
    try {
      await closePoll({ actor: SCHEDULE_ACTOR, pollId: id });
      closed.push(id);
    } catch (error) {
      if (!(error instanceof PollStateError)) throw error;
    }
  }
  return { opened, closed };
}
