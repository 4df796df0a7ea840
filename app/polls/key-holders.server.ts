// The counting committee's keys, by enrolment: while the poll is a draft each key holder (a committee member with an
// account) has the server make an X25519 key pair for them and this poll, sees its private half once, and the
// server keeps only the public half. Opening splits the poll's private key k of n and seals each share to its
// holder's public key; nothing stored opens a share without the member's own key. See
// docs/decisions/015-keys-outside-the-database.md.
import { createHash } from "node:crypto";
import type { Transaction } from "kysely";
import { split } from "shamir-secret-sharing";
import { db } from "~/db.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { generatePollKeyPair, sealTo } from "~/ballots/seal.server";
import type { Database } from "../../db/schema";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const CHECK = 2;

/** What a holder's share is sealed under: bound to the poll and the member, so it opens for no other. */
export function shareInfo(pollId: number, userId: number): Buffer {
  return Buffer.from(`phieu-key-share-v2|poll:${pollId}|user:${userId}`);
}

export class KeyHolderError extends Error {
  constructor(public reason: "notFound" | "notMember" | "wrongState") {
    super(reason);
  }
}

function checksum(bytes: Uint8Array): Buffer {
  return createHash("sha256").update(bytes).digest().subarray(0, CHECK);
}

/** A member's key as they write it down: base32 without padding, a 2-byte checksum appended, in groups of 4. */
export function encodeKeyCode(key: Uint8Array): string {
  const bytes = Buffer.concat([Buffer.from(key), checksum(key)]);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  bytes.fill(0);
  return out.match(/.{1,4}/g)!.join("-");
}

/** The key back from what a member typed (spaces, dashes and case ignored); null when mistyped. */
export function decodeKeyCode(code: string): Buffer | null {
  // The alphabet has no 0, 1 or 8: read as the letters they are mistaken for on paper (RFC 4648's advice).
  const clean = code
    .toUpperCase()
    .replace(/[\s-]/g, "")
    .replace(/0/g, "O")
    .replace(/1/g, "I")
    .replace(/8/g, "B");
  if (clean.length === 0) return null;
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of clean) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) return null;
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  if (bytes.length <= CHECK + 1) return null;
  const key = Buffer.from(bytes.slice(0, -CHECK));
  const valid = checksum(key).equals(Buffer.from(bytes.slice(-CHECK)));
  bytes.fill(0);
  if (!valid) key.fill(0);
  return valid ? key : null;
}

/** The poll's key holders: its committee rows linked to an account, with their enrolment if any. */
async function holdersOf(executor: Transaction<Database> | typeof db, pollId: number) {
  return executor
    .selectFrom("poll_committee_members as m")
    .leftJoin("poll_key_holders as h", (j) => j.onRef("h.poll_id", "=", "m.poll_id").onRef("h.user_id", "=", "m.user_id"))
    .select(["m.user_id", "m.full_name", "m.role", "h.public_key", "h.enrolled_at"])
    .where("m.poll_id", "=", pollId)
    .where("m.user_id", "is not", null)
    .orderBy("m.sort_order")
    .execute();
}

/**
 * Makes this member's key pair for the poll and keeps its public half: only while the poll is a draft (enrolling
 * again replaces the key, for a member who lost theirs before the opening). Returns the private half as the code to
 * keep, once; the server keeps no copy of it.
 */
export async function enrolKeyHolder({ actor, pollId, userId }: { actor: AuditActor; pollId: number; userId: number }) {
  const pair = generatePollKeyPair();
  try {
    return await db.transaction().execute(async (tx) => {
      const poll = await tx
        .selectFrom("polls")
        .select(["unit_id", "status", "key_mode"])
        .where("id", "=", pollId)
        .forUpdate()
        .executeTakeFirst();
      if (!poll) throw new KeyHolderError("notFound");
      const member = await tx
        .selectFrom("poll_committee_members")
        .select("id")
        .where("poll_id", "=", pollId)
        .where("user_id", "=", userId)
        .executeTakeFirst();
      if (!member) throw new KeyHolderError("notMember");
      if (poll.status !== "draft" || poll.key_mode !== "committee") throw new KeyHolderError("wrongState");
      const previous = await tx
        .deleteFrom("poll_key_holders")
        .where("poll_id", "=", pollId)
        .where("user_id", "=", userId)
        .returning("user_id")
        .executeTakeFirst();
      await tx
        .insertInto("poll_key_holders")
        .values({ poll_id: pollId, user_id: userId, public_key: pair.publicKey, enrolled_at: new Date() })
        .execute();
      await appendAudit(tx, {
        actor,
        unitId: poll.unit_id,
        action: "poll.key_enrol",
        details: { pollId, again: Boolean(previous) },
      });
      return { code: encodeKeyCode(pair.privateKey) };
    });
  } finally {
    pair.privateKey.fill(0);
  }
}

/**
 * At the opening, in its transaction: splits the poll's private key into one share per key holder, k of them
 * needed to rebuild it, and stores each share sealed to its holder's enrolled public key. Nothing is stored, and
 * the refusal says why, when the committee cannot reach k or a holder has not enrolled (named, for the officer).
 */
export async function sealSharesToHolders(
  tx: Transaction<Database>,
  { pollId, k, privateKey }: { pollId: number; k: number | null; privateKey: Uint8Array }
): Promise<{ refused: null } | { refused: "committeeIncomplete" | "committeeNotEnrolled"; names: string[] }> {
  const holders = await holdersOf(tx, pollId);
  if (k === null || k < 2 || holders.length < k) return { refused: "committeeIncomplete", names: [] };
  const missing = holders.filter((h) => !h.public_key).map((h) => h.full_name);
  if (missing.length > 0) return { refused: "committeeNotEnrolled", names: missing };
  // Enrolments of accounts taken off the committee since: they get no share.
  await tx
    .deleteFrom("poll_key_holders")
    .where("poll_id", "=", pollId)
    .where(
      "user_id",
      "not in",
      holders.map((h) => h.user_id!)
    )
    .execute();
  const shares = await split(new Uint8Array(privateKey), holders.length, k);
  try {
    for (const [i, holder] of holders.entries()) {
      await tx
        .updateTable("poll_key_holders")
        .set({ sealed_share: sealTo(shares[i], holder.public_key!, shareInfo(pollId, holder.user_id!)) })
        .where("poll_id", "=", pollId)
        .where("user_id", "=", holder.user_id!)
        .execute();
    }
  } finally {
    for (const share of shares) share.fill(0);
  }
  return { refused: null };
}

/**
 * The key's state as a poll's pages show it: who holds it, k of n, who has enrolled (by name, for the officer who
 * waits on them), and this user's own enrolment.
 */
export async function keySummary({ pollId, userId }: { pollId: number; userId?: number }) {
  const poll = await db
    .selectFrom("polls")
    .select(["key_mode", "shares_required", "status", "counted_at"])
    .where("id", "=", pollId)
    .executeTakeFirst();
  if (!poll) return null;
  const holders = poll.key_mode === "committee" ? await holdersOf(db, pollId) : [];
  const mine = userId === undefined ? undefined : holders.find((h) => h.user_id === userId);
  return {
    keyMode: poll.key_mode,
    required: poll.shares_required,
    holders: holders.length,
    enrolled: holders.filter((h) => h.public_key).length,
    notEnrolled: holders.filter((h) => !h.public_key).map((h) => h.full_name),
    /** Closed, its key still in the committee's hands: nothing is counted yet. */
    awaitingShares: poll.key_mode === "committee" && poll.status === "closed" && !poll.counted_at,
    /** This user's key: "none" (not a holder), "notEnrolled", "enrolled". */
    myKey: !mine ? ("none" as const) : mine.public_key ? ("enrolled" as const) : ("notEnrolled" as const),
    draft: poll.status === "draft",
  };
}
export type KeySummary = NonNullable<Awaited<ReturnType<typeof keySummary>>>;

/** This user's committee row on the poll, with their enrolment. */
export async function memberKey({ pollId, userId }: { pollId: number; userId: number }) {
  return db
    .selectFrom("poll_committee_members as m")
    .leftJoin("poll_key_holders as h", (j) => j.onRef("h.poll_id", "=", "m.poll_id").onRef("h.user_id", "=", "m.user_id"))
    .select(["m.full_name", "m.role", "h.enrolled_at"])
    .where("m.poll_id", "=", pollId)
    .where("m.user_id", "=", userId)
    .executeTakeFirst();
}
