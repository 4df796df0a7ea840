import { createHash } from "node:crypto";
import { sql, type Transaction } from "kysely";
import { db } from "~/db.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import type { Database } from "../../db/schema";
import { generateCode } from "./code";

/** Credentials are stored only as this hash; 114 random bits need no salt or stretching. */
export function hashCode(code: string): string {
  return createHash("sha256").update(code).digest("hex");
}

export class CredentialIssueError extends Error {
  constructor(public reason: "pollNotFound" | "pollClosed" | "groupNotInPoll") {
    super(reason);
  }
}

export const MAX_BATCH = 10_000;

/**
 * Issues a batch of fresh codes for one residential group of a poll. The plain codes are returned once, to be
 * turned into slips in the same response; only their hashes are stored.
 */
export async function issueBatch({
  actor,
  pollId,
  groupId,
  count,
}: {
  actor: AuditActor & { userId: number };
  pollId: number;
  groupId: number;
  count: number;
}) {
  return db.transaction().execute(async (tx) => {
    const poll = await tx
      .selectFrom("polls")
      .select(["id", "status", "unit_id"])
      .where("id", "=", pollId)
      .forUpdate()
      .executeTakeFirst();
    if (!poll) throw new CredentialIssueError("pollNotFound");
    if (poll.status !== "draft" && poll.status !== "open") throw new CredentialIssueError("pollClosed");
    const group = await tx
      .selectFrom("poll_groups")
      .select("unit_id")
      .where("poll_id", "=", pollId)
      .where("unit_id", "=", groupId)
      .executeTakeFirst();
    if (!group) throw new CredentialIssueError("groupNotInPoll");
    const batch = await tx
      .insertInto("credential_batches")
      .values({ poll_id: pollId, group_id: groupId, size: count, created_by: actor.userId })
      .returning("id")
      .executeTakeFirstOrThrow();
    const slips = Array.from({ length: count }, (_, i) => ({ code: generateCode(), seq: i + 1 }));
    for (let start = 0; start < slips.length; start += 1000) {
      await tx
        .insertInto("credentials")
        .values(
          slips.slice(start, start + 1000).map((s) => ({
            code_hash: hashCode(s.code),
            batch_id: batch.id,
            poll_id: pollId,
            seq: s.seq,
          })),
        )
        .execute();
    }
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: "credentials.issue",
      details: { pollId, groupId, batchId: batch.id, count },
    });
    return { batchId: batch.id, slips };
  });
}

/** Issued / handed out / used / voided per residential group of a poll. */
export async function credentialSummary({ pollId }: { pollId: number }) {
  const rows = await sql<{
    group_id: number;
    name: string;
    issued: string;
    handed_out: string;
    used: string;
    voided: string;
  }>`
    select g.unit_id as group_id, u.name,
      coalesce((select sum(b.size) from credential_batches b where b.poll_id = g.poll_id and b.group_id = g.unit_id), 0) as issued,
      coalesce((select sum(b.handed_out) from credential_batches b where b.poll_id = g.poll_id and b.group_id = g.unit_id and b.voided_at is null), 0) as handed_out,
      (select count(*) from credential_uses cu join credentials c on c.code_hash = cu.code_hash
         join credential_batches b on b.id = c.batch_id where b.poll_id = g.poll_id and b.group_id = g.unit_id) as used,
      (select count(*) from credentials c join credential_batches b on b.id = c.batch_id
         where b.poll_id = g.poll_id and b.group_id = g.unit_id
           and (c.voided_at is not null or b.voided_at is not null)
           and not exists (select 1 from credential_uses cu where cu.code_hash = c.code_hash)) as voided
    from poll_groups g join units u on u.id = g.unit_id
    where g.poll_id = ${pollId}
    order by lower(u.name)`.execute(db);
  return rows.rows.map((r) => ({
    groupId: r.group_id,
    name: r.name,
    issued: Number(r.issued),
    handedOut: Number(r.handed_out),
    used: Number(r.used),
    voided: Number(r.voided),
  }));
}

export type Executor = Transaction<Database>;
