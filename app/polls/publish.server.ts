// Publishing: each required counting member confirms the tally once, bound to its hash (a later change voids the
// confirmation); with enough confirmations the tally is frozen into the poll and every page and export reads that.
import { db } from "~/db.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { computeTally, tallyHash } from "~/results/tally.server";
import type { PollTally } from "~/results/tally";
import { lockPollExclusive } from "./poll-lock.server";

export class PublishError extends Error {
  constructor(
    public reason:
      | "notFound"
      | "wrongState"
      | "creatorCannotConfirm"
      | "alreadyConfirmed"
      | "staleTally"
      | "notEnoughConfirmations",
  ) {
    super(reason);
  }
}

export async function listConfirmations({ pollId }: { pollId: number }) {
  return db
    .selectFrom("poll_confirmations")
    .innerJoin("users", "users.id", "poll_confirmations.user_id")
    .select(["users.id as user_id", "users.full_name", "poll_confirmations.tally_hash", "poll_confirmations.confirmed_at"])
    .where("poll_id", "=", pollId)
    .orderBy("poll_confirmations.confirmed_at")
    .execute();
}

/**
 * A counting member confirms the tally they were shown (its hash); the poll's creator never can. Once per tally: a
 * member whose confirmation a later change voided confirms the new tally afresh.
 */
export async function confirmTally({
  actor,
  pollId,
  shownHash,
}: {
  actor: AuditActor & { userId: number };
  pollId: number;
  shownHash: string;
}) {
  const currentHash = await currentTallyHash(pollId);
  await db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx.selectFrom("polls").select(["status", "created_by", "unit_id"]).where("id", "=", pollId).executeTakeFirst();
    if (!poll) throw new PublishError("notFound");
    if (poll.status !== "closed" || currentHash === null) throw new PublishError("wrongState");
    if (poll.created_by === actor.userId) throw new PublishError("creatorCannotConfirm");
    if (currentHash !== shownHash) throw new PublishError("staleTally");
    const inserted = await tx
      .insertInto("poll_confirmations")
      .values({ poll_id: pollId, user_id: actor.userId, tally_hash: currentHash })
      // A confirmation of an older tally (voided by a later change) gives way to one of the current tally.
      .onConflict((oc) =>
        oc
          .columns(["poll_id", "user_id"])
          .doUpdateSet({ tally_hash: currentHash, confirmed_at: new Date() })
          .where("poll_confirmations.tally_hash", "!=", currentHash),
      )
      .returning("user_id")
      .executeTakeFirst();
    if (!inserted) throw new PublishError("alreadyConfirmed");
    await appendAudit(tx, { actor, unitId: poll.unit_id, action: "poll.confirm", details: { pollId, tallyHash: currentHash } });
  });
}

/**
 * Publishes once enough confirmations match the current tally; freezes that tally.
 *
 * The tally is computed before the transaction: computeTally reads through the shared `db`, which on the embedded
 * database is the one connection the transaction would be holding (computing inside would wait for itself). What
 * is frozen is still exactly a tally that the required members confirmed, because the confirmations are counted
 * against its hash under the lock.
 */
export async function publishPoll({ actor, pollId }: { actor: AuditActor; pollId: number }) {
  const tally = await computeTally({ pollId });
  return db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx
      .selectFrom("polls")
      .select(["status", "unit_id", "required_confirmations"])
      .where("id", "=", pollId)
      .forUpdate()
      .executeTakeFirst();
    if (!poll) throw new PublishError("notFound");
    if (poll.status !== "closed" || !tally) throw new PublishError("wrongState");
    const hash = tallyHash(tally);
    const valid = await tx
      .selectFrom("poll_confirmations")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("poll_id", "=", pollId)
      .where("tally_hash", "=", hash)
      .executeTakeFirstOrThrow();
    if (Number(valid.n) < poll.required_confirmations) throw new PublishError("notEnoughConfirmations");
    await tx
      .updateTable("polls")
      .set({ status: "published", published_at: new Date(), tally: JSON.stringify(tally), tally_hash: hash })
      .where("id", "=", pollId)
      .execute();
    await appendAudit(tx, { actor, unitId: poll.unit_id, action: "poll.publish", details: { pollId, tallyHash: hash } });
    return { tallyHash: hash };
  });
}

/** The hash of the tally as it stands, computed outside any transaction (see publishPoll); null before close. */
async function currentTallyHash(pollId: number): Promise<string | null> {
  const tally = await computeTally({ pollId });
  return tally ? tallyHash(tally) : null;
}

/** The tally pages show: frozen once published, computed live while closed, none before. */
export async function readTally({ pollId }: { pollId: number }): Promise<{ tally: PollTally; hash: string; frozen: boolean } | null> {
  const poll = await db.selectFrom("polls").select(["status", "tally", "tally_hash"]).where("id", "=", pollId).executeTakeFirst();
  if (!poll) return null;
  if ((poll.status === "published" || poll.status === "archived") && poll.tally && poll.tally_hash) {
    return { tally: poll.tally as PollTally, hash: poll.tally_hash, frozen: true };
  }
  const tally = await computeTally({ pollId });
  return tally ? { tally, hash: tallyHash(tally), frozen: false } : null;
}
