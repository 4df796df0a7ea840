// Acknowledging a reconciliation warning: a written reason, bound to the warning as it stood (its fingerprint), so
// that a warning whose figures change afterwards blocks publishing again until it is looked at afresh.
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import { canonicalJson } from "~/audit/canonical";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { db } from "~/db.server";
import { lockPollExclusive } from "~/polls/poll-lock.server";
import type { Database } from "../../db/schema";
import type { TallyWarning } from "./tally";

export function warningFingerprint(warning: Pick<TallyWarning, "id" | "kind" | "unitId" | "figures">): string {
  const { id, kind, unitId, figures } = warning;
  return createHash("sha256").update(canonicalJson({ id, kind, unitId, figures })).digest("hex");
}

/** Each warning with its acknowledgement, where one was given to the warning as it now stands. */
export async function attachAcknowledgements(
  pollId: number,
  warnings: TallyWarning[],
  executor: Kysely<Database> = db
): Promise<TallyWarning[]> {
  if (warnings.length === 0) return warnings;
  const acks = await executor
    .selectFrom("poll_warning_acks as a")
    .innerJoin("users as u", "u.id", "a.acknowledged_by")
    .select(["a.warning_id", "a.fingerprint", "a.reason", "u.full_name", "a.acknowledged_at"])
    .where("a.poll_id", "=", pollId)
    .execute();
  const byId = new Map(acks.map((a) => [a.warning_id, a]));
  return warnings.map((w) => {
    const ack = byId.get(w.id);
    if (!ack || ack.fingerprint !== warningFingerprint(w)) return w;
    return {
      ...w,
      acknowledgement: { reason: ack.reason, by: ack.full_name, at: new Date(ack.acknowledged_at).toISOString() },
    };
  });
}

export class WarningAckError extends Error {
  constructor(public reason: "wrongState" | "notFound" | "stale") {
    super(reason);
  }
}

/**
 * Records why a warning is accepted. `current` is the poll's warnings as computed now (outside the transaction:
 * see publishPoll); the fingerprint the user was shown must match one of them.
 */
export async function acknowledgeWarning({
  actor,
  pollId,
  warningId,
  fingerprint,
  reason,
  current,
}: {
  actor: AuditActor & { userId: number };
  pollId: number;
  warningId: string;
  fingerprint: string;
  reason: string;
  current: TallyWarning[] | null;
}) {
  if (!current) throw new WarningAckError("wrongState");
  const warning = current.find((w) => w.id === warningId);
  if (!warning) throw new WarningAckError("notFound");
  if (warningFingerprint(warning) !== fingerprint) throw new WarningAckError("stale");
  await db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx.selectFrom("polls").select(["status", "unit_id"]).where("id", "=", pollId).executeTakeFirst();
    if (!poll || poll.status !== "closed") throw new WarningAckError("wrongState");
    await tx
      .insertInto("poll_warning_acks")
      .values({ poll_id: pollId, warning_id: warningId, fingerprint, reason, acknowledged_by: actor.userId })
      .onConflict((oc) =>
        oc.columns(["poll_id", "warning_id"]).doUpdateSet({
          fingerprint,
          reason,
          acknowledged_by: actor.userId,
          acknowledged_at: new Date(),
        })
      )
      .execute();
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: "poll.warning_ack",
      details: { pollId, warningId, fingerprint, reason },
    });
  });
}
