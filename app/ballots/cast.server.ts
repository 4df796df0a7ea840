// Casting a ballot: one transaction that checks the poll is open (under the lock closing also takes), consumes the
// credential exactly once (the primary key of credential_uses), writes the receipt, and drops the sealed ballot in
// the box. Nothing else is written: no counter, no audit entry, no time, nothing that carries the answers in clear.
import { randomInt } from "node:crypto";
import { db } from "~/db.server";
import { CODE_ALPHABET } from "~/credentials/code";
import { hashCode } from "~/credentials/credentials.server";
import { lockPollShared } from "~/polls/poll-lock.server";
import { sealBallot } from "./seal.server";

export type CastResult =
  | { status: "counted"; receipt: string; pollId: number }
  | { status: "already_used"; receipt: string; pollId: number }
  | { status: "unknown" }
  | { status: "voided"; pollId: number }
  | { status: "not_open"; pollId: number }
  | { status: "closed"; pollId: number }
  | { status: "invalid_answers"; pollId: number };

/** Characters in a receipt, printed in groups of four. */
export const RECEIPT_LENGTH = 12;

export function generateReceipt(): string {
  let receipt = "";
  for (let i = 0; i < RECEIPT_LENGTH; i++) receipt += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return receipt.match(/.{4}/g)!.join("-");
}

/** What the ballot box holds once opened: the residential group and one level index per subject (0 = blank). */
export interface BallotContent {
  g: number;
  l: number[];
}

export function encodeBallot(content: BallotContent): Buffer {
  return Buffer.from(JSON.stringify({ g: content.g, l: content.l }));
}

export function decodeBallot(bytes: Buffer): BallotContent {
  const parsed = JSON.parse(bytes.toString("utf8")) as BallotContent;
  if (!Number.isInteger(parsed.g) || !Array.isArray(parsed.l) || !parsed.l.every(Number.isInteger)) {
    throw new Error("malformed ballot");
  }
  return parsed;
}

/**
 * Casts the ballot of `code` (already normalized). `levels[i]` answers the poll's i-th subject: 0 for blank,
 * otherwise the 1-based index of the level among the poll kind's levels.
 */
export async function castBallot({ code, levels }: { code: string; levels: number[] }): Promise<CastResult> {
  const codeHash = hashCode(code);
  return db.transaction().execute(async (tx) => {
    const credential = await tx
      .selectFrom("credentials")
      .innerJoin("credential_batches as b", "b.id", "credentials.batch_id")
      .select(["credentials.poll_id", "credentials.voided_at", "b.voided_at as batch_voided_at", "b.group_id"])
      .where("credentials.code_hash", "=", codeHash)
      .executeTakeFirst();
    if (!credential) return { status: "unknown" as const };
    const pollId = credential.poll_id;

    await lockPollShared(tx, pollId);
    const used = await tx
      .selectFrom("credential_uses")
      .select("receipt")
      .where("code_hash", "=", codeHash)
      .executeTakeFirst();
    if (used) return { status: "already_used" as const, receipt: used.receipt, pollId };
    const poll = await tx
      .selectFrom("polls")
      .select(["status", "public_key", "kind", "scheduled_close_at"])
      .where("id", "=", pollId)
      .executeTakeFirstOrThrow();
    if (poll.status === "draft") return { status: "not_open" as const, pollId };
    if (poll.status !== "open" || !poll.public_key) return { status: "closed" as const, pollId };
    // Past its scheduled close the poll takes nothing, even before the scheduler has closed it.
    if (poll.scheduled_close_at && new Date(poll.scheduled_close_at) <= new Date()) {
      return { status: "closed" as const, pollId };
    }
    if (credential.voided_at || credential.batch_voided_at) return { status: "voided" as const, pollId };

    const subjects = await tx
      .selectFrom("poll_subjects")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("poll_id", "=", pollId)
      .executeTakeFirstOrThrow();
    const levelCount = poll.kind === "confidence_poll" ? 3 : 2;
    if (levels.length !== Number(subjects.n) || levels.some((l) => !Number.isInteger(l) || l < 0 || l > levelCount)) {
      return { status: "invalid_answers" as const, pollId };
    }

    const receipt = generateReceipt();
    // Concurrent replays of one code queue on this row; all but the first find it taken and insert nothing.
    const inserted = await tx
      .insertInto("credential_uses")
      .values({ code_hash: codeHash, poll_id: pollId, receipt })
      .onConflict((oc) => oc.column("code_hash").doNothing())
      .returning("receipt")
      .executeTakeFirst();
    if (!inserted) {
      const winner = await tx
        .selectFrom("credential_uses")
        .select("receipt")
        .where("code_hash", "=", codeHash)
        .executeTakeFirstOrThrow();
      return { status: "already_used" as const, receipt: winner.receipt, pollId };
    }
    await tx
      .insertInto("ballot_box")
      .values({ poll_id: pollId, sealed: sealBallot(encodeBallot({ g: credential.group_id, l: levels }), poll.public_key) })
      .execute();
    return { status: "counted" as const, receipt, pollId };
  });
}

/** What a resident's code says before voting: which poll, and whether it can still be used. */
export async function lookupCredential({ code }: { code: string }) {
  const codeHash = hashCode(code);
  const row = await db
    .selectFrom("credentials")
    .innerJoin("credential_batches as b", "b.id", "credentials.batch_id")
    .innerJoin("polls", "polls.id", "credentials.poll_id")
    .leftJoin("credential_uses as u", "u.code_hash", "credentials.code_hash")
    .select([
      "polls.id as poll_id",
      "polls.status",
      "polls.scheduled_close_at",
      "credentials.voided_at",
      "b.voided_at as batch_voided_at",
      "b.group_id",
      "u.receipt",
    ])
    .where("credentials.code_hash", "=", codeHash)
    .executeTakeFirst();
  if (!row) return { status: "unknown" as const };
  if (row.receipt) return { status: "already_used" as const, receipt: row.receipt, pollId: row.poll_id };
  if (row.voided_at || row.batch_voided_at) return { status: "voided" as const, pollId: row.poll_id };
  if (row.status === "draft") return { status: "not_open" as const, pollId: row.poll_id };
  if (row.status !== "open") return { status: "closed" as const, pollId: row.poll_id };
  if (row.scheduled_close_at && new Date(row.scheduled_close_at) <= new Date()) {
    return { status: "closed" as const, pollId: row.poll_id };
  }
  return { status: "open" as const, pollId: row.poll_id, groupId: row.group_id };
}
