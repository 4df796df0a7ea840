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
      | "notEnoughConfirmations"
      | "unresolvedWarnings",
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
  await db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx.selectFrom("polls").select(["status", "created_by", "unit_id"]).where("id", "=", pollId).executeTakeFirst();
    if (!poll) throw new PublishError("notFound");
    const tally = poll.status === "closed" ? await computeTally({ pollId }, tx) : null;
    const currentHash = tally ? tallyHash(tally) : null;
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
 * Publishes once enough confirmations match the current tally and every reconciliation warning is acknowledged;
 * freezes that tally. It is computed inside the transaction, under the poll's lock, so that no paper entry or
 * acknowledgement can change between the check and the freeze.
 */
export async function publishPoll({ actor, pollId }: { actor: AuditActor; pollId: number }) {
  return db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx
      .selectFrom("polls")
      .select(["status", "unit_id", "required_confirmations"])
      .where("id", "=", pollId)
      .forUpdate()
      .executeTakeFirst();
    if (!poll) throw new PublishError("notFound");
    const tally = poll.status === "closed" ? await computeTally({ pollId }, tx) : null;
    if (!tally) throw new PublishError("wrongState");
    if (tally.warnings?.some((w) => !w.acknowledgement)) throw new PublishError("unresolvedWarnings");
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
