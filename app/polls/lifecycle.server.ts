// The poll's lifecycle: draft → open → closed (counted at once, or once k committee members enter their key shares)
// → published. Every transition is audited; a transition asked of a poll in the wrong state is refused with a
// reason the page can show.
import { randomInt } from "node:crypto";
import { sql, type Transaction } from "kysely";
import { db } from "~/db.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { split } from "shamir-secret-sharing";
import { ballotOpener, generatePollKeyPair, unwrapPrivateKey, wrapPrivateKey, wrapShare } from "~/ballots/seal.server";
import { decodeBallot } from "~/ballots/cast.server";
import { serverSecret } from "~/secret.server";
import type { Database, PollStatus } from "../../db/schema";
import { boxPartition, lockPollExclusive } from "./poll-lock.server";
import { DEFAULT_RULES, type PollRules } from "~/results/tally";

export class PollStateError extends Error {
  constructor(
    public reason: "notFound" | "wrongState" | "noSubjects" | "noGroups" | "committeeIncomplete",
    public status?: PollStatus
  ) {
    super(reason);
  }
}

export function pollRules(raw: unknown): PollRules {
  return { ...DEFAULT_RULES, ...(raw as Partial<PollRules>) };
}

/**
 * Splits the private key into one share per committee member with an account, k of them needed to rebuild it, each
 * stored wrapped with the server secret until its member claims it. Refused when the committee cannot reach k.
 */
async function splitKeyAmongCommittee(tx: Transaction<Database>, pollId: number, k: number | null, privateKey: Buffer) {
  const members = await tx
    .selectFrom("poll_committee_members")
    .select("id")
    .where("poll_id", "=", pollId)
    .where("user_id", "is not", null)
    .orderBy("sort_order")
    .execute();
  if (k === null || k < 2 || members.length < k) throw new PollStateError("committeeIncomplete");
  const shares = await split(new Uint8Array(privateKey), members.length, k);
  await tx
    .insertInto("poll_key_shares")
    .values(
      members.map((m, i) => ({
        poll_id: pollId,
        member_id: m.id,
        share_wrapped: wrapShare(shares[i], { secret: serverSecret(), pollId, memberId: m.id }),
      }))
    )
    .execute();
}

export async function openPoll({ actor, pollId }: { actor: AuditActor; pollId: number }) {
  await db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx
      .selectFrom("polls")
      .select(["status", "unit_id", "key_mode", "shares_required"])
      .where("id", "=", pollId)
      .forUpdate()
      .executeTakeFirst();
    if (!poll) throw new PollStateError("notFound");
    if (poll.status !== "draft") throw new PollStateError("wrongState", poll.status);
    const counts = await tx
      .selectFrom("polls")
      .select((eb) => [
        eb
          .selectFrom("poll_subjects")
          .select(eb.fn.countAll<string>().as("n"))
          .where("poll_id", "=", pollId)
          .as("subjects"),
        eb
          .selectFrom("poll_groups")
          .select(eb.fn.countAll<string>().as("n"))
          .where("poll_id", "=", pollId)
          .as("groups"),
      ])
      .where("id", "=", pollId)
      .executeTakeFirstOrThrow();
    if (Number(counts.subjects) === 0) throw new PollStateError("noSubjects");
    if (Number(counts.groups) === 0) throw new PollStateError("noGroups");
    const keys = generatePollKeyPair();
    await sql`create table if not exists ${sql.id(
      boxPartition(pollId)
    )} partition of ballot_box for values in (${sql.lit(pollId)})`.execute(tx);
    // Committee mode: the private key exists only as shares, each wrapped until its member claims it.
    const committee = poll.key_mode === "committee";
    if (committee) await splitKeyAmongCommittee(tx, pollId, poll.shares_required, keys.privateKey);
    await tx
      .updateTable("polls")
      .set({
        status: "open",
        opened_at: new Date(),
        public_key: keys.publicKey,
        wrapped_private_key: committee ? null : wrapPrivateKey(keys.privateKey, { secret: serverSecret(), pollId }),
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
 * Opens the poll's box and counts it, inside the caller's transaction and under its exclusive poll lock: every
 * ballot is opened, shuffled into counted_ballots, the box emptied with TRUNCATE (a new file: no dead rows left in
 * its pages). The caller stores counted_at and destroys the key.
 */
export async function countBox(
  tx: Transaction<Database>,
  {
    pollId,
    privateKey,
    publicKey,
    rules,
    mixing = "on",
  }: { pollId: number; privateKey: Uint8Array; publicKey: Uint8Array; rules: PollRules; mixing?: Mixing }
) {
  const partition = boxPartition(pollId);
  const open = ballotOpener({ publicKey, privateKey });
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
        }))
      )
      .execute();
  }
  await sql`truncate table ${sql.id(partition)}`.execute(tx);
  return { ballotsCounted: ballots.length };
}

/** "off-for-tests" skips the shuffle and counts in the box's physical order: the linkage test shows the attack. */
export type Mixing = "on" | "off-for-tests";

/**
 * Closes the poll in one transaction: no cast can slip in (the exclusive poll lock waits for casts in flight).
 * With the server holding the key, the box is counted at once and the key destroyed; with the committee holding
 * it, intake stops and the count waits for k members to enter their shares.
 */
export async function closePoll({
  actor,
  pollId,
  mixing = "on",
}: {
  actor: AuditActor;
  pollId: number;
  mixing?: Mixing;
}) {
  if (mixing !== "on" && process.env.NODE_ENV !== "test") throw new Error("mixing can only be switched off in tests");
  return db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx
      .selectFrom("polls")
      .select(["status", "unit_id", "public_key", "wrapped_private_key", "rules", "key_mode"])
      .where("id", "=", pollId)
      .forUpdate()
      .executeTakeFirst();
    if (!poll) throw new PollStateError("notFound");
    if (poll.status !== "open") throw new PollStateError("wrongState", poll.status);
    const now = new Date();
    if (poll.key_mode === "committee") {
      await tx.updateTable("polls").set({ status: "closed", closed_at: now }).where("id", "=", pollId).execute();
      await appendAudit(tx, {
        actor,
        unitId: poll.unit_id,
        action: "poll.close",
        details: { pollId, awaitingShares: true },
      });
      return { ballotsCounted: null };
    }
    const privateKey = unwrapPrivateKey(poll.wrapped_private_key!, { secret: serverSecret(), pollId });
    const { ballotsCounted } = await countBox(tx, {
      pollId,
      privateKey,
      publicKey: poll.public_key!,
      rules: pollRules(poll.rules),
      mixing,
    });
    await tx
      .updateTable("polls")
      .set({ status: "closed", closed_at: now, counted_at: now, wrapped_private_key: null })
      .where("id", "=", pollId)
      .execute();
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: "poll.close",
      details: { pollId, ballotsCounted },
    });
    return { ballotsCounted };
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
