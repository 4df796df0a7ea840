import { createHash } from "node:crypto";
import { sql, type Kysely, type Transaction } from "kysely";
import { db } from "~/db.server";
import { wardOf } from "~/units/units.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import type { Database } from "../../db/schema";
import { lockPollExclusive } from "~/polls/poll-lock.server";
import { generateCode, normalizeCode } from "./code";

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
  actor: AuditActor;
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
export async function credentialSummary({ pollId }: { pollId: number }, executor: Kysely<Database> = db) {
  return (await credentialCounts({ pollId }, executor)).groups;
}

/**
 * `credentialSummary`'s figures per residential group, and the poll's credentials used (those whose row names the
 * poll and that have a use: one side of the invariant receipts = credentials used = ballots counted).
 *
 * Every credential is joined to its use once, grouped by batch: a million slips are one pass over each table (a
 * query per group read them once per group). A credential is taken when its batch belongs to the poll, for the
 * groups, or when its own row names the poll, for the total; the two always agree, but each figure keeps its own
 * definition.
 */
export async function credentialCounts({ pollId }: { pollId: number }, executor: Kysely<Database> = db) {
  const [uses, batches] = await Promise.all([
    sql<{ batch_id: number; own: boolean; used: string; unused: string; unused_voided: string }>`
      select c.batch_id, c.poll_id = ${pollId} as own,
        count(cu.code_hash) as used,
        count(*) filter (where cu.code_hash is null) as unused,
        count(*) filter (where cu.code_hash is null and c.voided_at is not null) as unused_voided
      from credentials c
      left join credential_uses cu on cu.code_hash = c.code_hash
      where c.poll_id = ${pollId} or c.batch_id in (select id from credential_batches where poll_id = ${pollId})
      group by c.batch_id, own`.execute(executor),
    sql<{
      group_id: number;
      name: string;
      batch_id: number | null;
      size: number | null;
      handed_out: number | null;
      batch_voided: boolean | null;
    }>`
      select g.unit_id as group_id, u.name, b.id as batch_id, b.size, b.handed_out,
        b.voided_at is not null as batch_voided
      from poll_groups g
      join units u on u.id = g.unit_id
      left join credential_batches b on b.poll_id = g.poll_id and b.group_id = g.unit_id
      where g.poll_id = ${pollId}
      order by lower(u.name), g.unit_id, b.id`.execute(executor),
  ]);

  // Per batch of the poll: used, and voided (unused, and voided on its own or with its whole batch).
  const ofBatch = new Map<number, { used: number; unused: number; unusedVoided: number }>();
  let used = 0;
  for (const row of uses.rows) {
    const figures = ofBatch.get(row.batch_id) ?? { used: 0, unused: 0, unusedVoided: 0 };
    figures.used += Number(row.used);
    figures.unused += Number(row.unused);
    figures.unusedVoided += Number(row.unused_voided);
    ofBatch.set(row.batch_id, figures);
    if (row.own) used += Number(row.used);
  }
  const groups: { groupId: number; name: string; issued: number; handedOut: number; used: number; voided: number }[] =
    [];
  for (const row of batches.rows) {
    let group = groups.at(-1);
    if (group?.groupId !== row.group_id) {
      group = { groupId: row.group_id, name: row.name, issued: 0, handedOut: 0, used: 0, voided: 0 };
      groups.push(group);
    }
    if (row.batch_id === null) continue;
    const figures = ofBatch.get(row.batch_id) ?? { used: 0, unused: 0, unusedVoided: 0 };
    group.issued += Number(row.size);
    if (!row.batch_voided) group.handedOut += Number(row.handed_out);
    group.used += figures.used;
    group.voided += row.batch_voided ? figures.unused : figures.unusedVoided;
  }
  return { groups, used };
}

// ---------------------------------------------------------------------------------------------------------------
// Managing issued slips: how many were handed out, and voiding a batch, one slip or every slip not handed out.
// Each change is one audited transaction. Voids take the poll's exclusive lock, so that no cast is half-way through
// a credential while it is voided; a used credential is never voided (its ballot is already in the box).

export type CredentialChangeReason =
  | "pollNotFound"
  | "pollFinished"
  | "batchNotFound"
  | "groupNotInPoll"
  | "batchVoided"
  | "tooMany"
  | "belowUsed"
  | "invalidCode"
  | "unknownCode"
  | "codeUsed"
  | "alreadyVoided";

export class CredentialChangeError extends Error {
  constructor(public reason: CredentialChangeReason, public params: Record<string, number> = {}) {
    super(reason);
  }
}

/** The poll's row, locked, when its slips may still be changed: `statuses` lists where that is allowed. */
async function lockPollFor(tx: Executor, pollId: number, statuses: readonly string[]) {
  const poll = await tx
    .selectFrom("polls")
    .select(["id", "status", "unit_id"])
    .where("id", "=", pollId)
    .forUpdate()
    .executeTakeFirst();
  if (!poll) throw new CredentialChangeError("pollNotFound");
  if (!statuses.includes(poll.status)) throw new CredentialChangeError("pollFinished");
  return poll;
}

async function batchOfPoll(tx: Executor, { pollId, batchId }: { pollId: number; batchId: number }) {
  const batch = await tx
    .selectFrom("credential_batches")
    .select(["id", "group_id", "size", "handed_out", "voided_at"])
    .where("id", "=", batchId)
    .where("poll_id", "=", pollId)
    .forUpdate()
    .executeTakeFirst();
  if (!batch) throw new CredentialChangeError("batchNotFound");
  return batch;
}

async function usedInBatch(tx: Executor, batchId: number) {
  const row = await tx
    .selectFrom("credentials")
    .innerJoin("credential_uses", "credential_uses.code_hash", "credentials.code_hash")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("credentials.batch_id", "=", batchId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Records how many slips of a batch were handed out to residents (the turnout is taken over this). Allowed until
 * the results are published; never more than the batch holds nor fewer than its slips already used.
 */
export async function recordHandedOut({
  actor,
  pollId,
  batchId,
  handedOut,
}: {
  actor: AuditActor;
  pollId: number;
  batchId: number;
  handedOut: number;
}) {
  return db.transaction().execute(async (tx) => {
    const poll = await lockPollFor(tx, pollId, ["draft", "open", "closed"]);
    const batch = await batchOfPoll(tx, { pollId, batchId });
    if (batch.voided_at) throw new CredentialChangeError("batchVoided");
    if (!Number.isSafeInteger(handedOut) || handedOut < 0 || handedOut > batch.size) {
      throw new CredentialChangeError("tooMany", { size: batch.size });
    }
    const used = await usedInBatch(tx, batch.id);
    if (handedOut < used) throw new CredentialChangeError("belowUsed", { used });
    await tx.updateTable("credential_batches").set({ handed_out: handedOut }).where("id", "=", batch.id).execute();
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: "credentials.handed_out",
      details: { pollId, batchId: batch.id, groupId: batch.group_id, from: batch.handed_out, to: handedOut },
    });
    return { handedOut };
  });
}

/** Voids a whole batch: none of its unused slips opens a ballot any more. */
export async function voidBatch({ actor, pollId, batchId }: { actor: AuditActor; pollId: number; batchId: number }) {
  return db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await lockPollFor(tx, pollId, ["draft", "open"]);
    const batch = await batchOfPoll(tx, { pollId, batchId });
    if (batch.voided_at) throw new CredentialChangeError("alreadyVoided");
    await tx.updateTable("credential_batches").set({ voided_at: new Date() }).where("id", "=", batch.id).execute();
    const used = await usedInBatch(tx, batch.id);
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: "credentials.void_batch",
      details: { pollId, batchId: batch.id, groupId: batch.group_id, voided: batch.size - used },
    });
    return { voided: batch.size - used };
  });
}

/** Voids one slip by the code typed from it (normalized: case, spaces, hyphens, accents a keyboard added). */
export async function voidCredential({ actor, pollId, code }: { actor: AuditActor; pollId: number; code: string }) {
  const canonical = normalizeCode(code);
  if (!canonical) throw new CredentialChangeError("invalidCode");
  return db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await lockPollFor(tx, pollId, ["draft", "open"]);
    const credential = await tx
      .selectFrom("credentials")
      .innerJoin("credential_batches as b", "b.id", "credentials.batch_id")
      .leftJoin("credential_uses as u", "u.code_hash", "credentials.code_hash")
      .select([
        "credentials.code_hash",
        "credentials.seq",
        "credentials.voided_at",
        "b.id as batch_id",
        "b.voided_at as batch_voided_at",
        "u.receipt",
      ])
      .where("credentials.code_hash", "=", hashCode(canonical))
      .where("credentials.poll_id", "=", pollId)
      .executeTakeFirst();
    if (!credential) throw new CredentialChangeError("unknownCode");
    if (credential.receipt) throw new CredentialChangeError("codeUsed");
    if (credential.voided_at || credential.batch_voided_at) throw new CredentialChangeError("alreadyVoided");
    await tx
      .updateTable("credentials")
      .set({ voided_at: new Date() })
      .where("code_hash", "=", credential.code_hash)
      .execute();
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: "credentials.void_code",
      details: { pollId, batchId: credential.batch_id, seq: credential.seq },
    });
    return { batchId: credential.batch_id, seq: credential.seq };
  });
}

/**
 * Voids every slip not handed out, of a residential group (all its batches) or of one batch: slips are handed out
 * in the order of their numbers, so those numbered above the batch's handed-out count that were not used.
 */
export async function voidUnhanded({
  actor,
  pollId,
  scope,
}: {
  actor: AuditActor;
  pollId: number;
  scope: { groupId: number } | { batchId: number };
}) {
  return db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await lockPollFor(tx, pollId, ["draft", "open"]);
    if ("batchId" in scope) {
      const batch = await batchOfPoll(tx, { pollId, batchId: scope.batchId });
      if (batch.voided_at) throw new CredentialChangeError("alreadyVoided");
    } else {
      const group = await tx
        .selectFrom("poll_groups")
        .select("unit_id")
        .where("poll_id", "=", pollId)
        .where("unit_id", "=", scope.groupId)
        .executeTakeFirst();
      if (!group) throw new CredentialChangeError("groupNotInPoll");
    }
    const voided = await tx
      .updateTable("credentials")
      .from("credential_batches as b")
      .set({ voided_at: new Date() })
      .whereRef("b.id", "=", "credentials.batch_id")
      .where("b.poll_id", "=", pollId)
      .where("b.voided_at", "is", null)
      .where("credentials.voided_at", "is", null)
      .whereRef("credentials.seq", ">", "b.handed_out")
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("credential_uses as u")
              .select("u.code_hash")
              .whereRef("u.code_hash", "=", "credentials.code_hash")
          )
        )
      )
      .where((eb) => ("batchId" in scope ? eb("b.id", "=", scope.batchId) : eb("b.group_id", "=", scope.groupId)))
      .returning("credentials.seq")
      .execute();
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: "credentials.void_unhanded",
      details: { pollId, ...scope, voided: voided.length },
    });
    return { voided: voided.length };
  });
}

/** A poll's batches, oldest first, with what became of their slips. */
export async function listBatches({ pollId }: { pollId: number }) {
  const rows = await db
    .selectFrom("credential_batches as b")
    .innerJoin("units", "units.id", "b.group_id")
    .leftJoin("users", "users.id", "b.created_by")
    .select((eb) => [
      "b.id",
      "b.group_id",
      "units.name as group_name",
      "b.size",
      "b.handed_out",
      "b.created_at",
      "b.voided_at",
      "users.full_name as created_by_name",
      eb
        .selectFrom("credentials as c")
        .innerJoin("credential_uses as u", "u.code_hash", "c.code_hash")
        .select(eb.fn.countAll<string>().as("n"))
        .whereRef("c.batch_id", "=", "b.id")
        .as("used"),
      eb
        .selectFrom("credentials as c")
        .select(eb.fn.countAll<string>().as("n"))
        .whereRef("c.batch_id", "=", "b.id")
        .where("c.voided_at", "is not", null)
        .where((w) =>
          w.not(
            w.exists(
              w.selectFrom("credential_uses as u").select("u.code_hash").whereRef("u.code_hash", "=", "c.code_hash")
            )
          )
        )
        .as("voided_codes"),
    ])
    .where("b.poll_id", "=", pollId)
    .orderBy("b.id")
    .execute();
  return rows.map(({ voided_codes, ...r }) => {
    const used = Number(r.used ?? 0);
    return {
      ...r,
      used,
      // A voided batch voids every slip of it that was not used.
      voided: r.voided_at ? r.size - used : Number(voided_codes ?? 0),
    };
  });
}

/** Where residents reach Phiếu, for the QR codes: PHIEU_PUBLIC_URL when set, else the origin the officer used. */
export function publicBaseUrl(request: Request): string {
  const configured = process.env.PHIEU_PUBLIC_URL?.trim();
  return configured ? configured : new URL(request.url).origin;
}

export type Executor = Transaction<Database>;

/** What every slip of a batch prints above its code: the ward, the poll's title and the residential group. */
export async function slipsHeading({ pollId, groupId }: { pollId: number; groupId: number }) {
  const poll = await db.selectFrom("polls").select(["title", "unit_id"]).where("id", "=", pollId).executeTakeFirstOrThrow();
  const group = await db.selectFrom("units").select("name").where("id", "=", groupId).executeTakeFirstOrThrow();
  const ward = await wardOf({ unitId: poll.unit_id });
  return { wardName: ward?.name ?? "", pollTitle: poll.title, groupName: group.name };
}
