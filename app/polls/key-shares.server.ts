// The counting committee's key shares: each member claims their share once (the server then forgets it), and k
// members enter theirs after close to open, count and destroy the poll's key. See DESIGN.md, anonymity model.
import { createHash } from "node:crypto";
import { combine } from "shamir-secret-sharing";
import { db } from "~/db.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { publicKeyOf, unwrapShare } from "~/ballots/seal.server";
import { serverSecret } from "~/secret.server";
import { countBox, pollRules } from "./lifecycle.server";
import { lockPollExclusive } from "./poll-lock.server";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const CHECK = 2;

export class KeyShareError extends Error {
  constructor(
    public reason:
      | "notFound"
      | "notMember"
      | "alreadyClaimed"
      | "wrongState"
      | "tooFewShares"
      | "malformedShare"
      | "duplicateShare"
      | "wrongShares",
    public params: Record<string, number> = {}
  ) {
    super(reason);
  }
}

function checksum(bytes: Uint8Array): Buffer {
  return createHash("sha256").update(bytes).digest().subarray(0, CHECK);
}

/** A share as a member writes it down: base32 without padding, a 2-byte checksum appended, in groups of 4. */
export function encodeShare(share: Uint8Array): string {
  const bytes = Buffer.concat([Buffer.from(share), checksum(share)]);
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
  return out.match(/.{1,4}/g)!.join("-");
}

/** The share back from what a member typed (spaces, dashes and case ignored); null when mistyped. */
export function decodeShare(code: string): Buffer | null {
  const clean = code.toUpperCase().replace(/[\s-]/g, "");
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
  const share = Buffer.from(bytes.slice(0, -CHECK));
  return checksum(share).equals(Buffer.from(bytes.slice(-CHECK))) ? share : null;
}

/** The committee row of this poll linked to the user, with the state of its share. */
export async function memberShare({ pollId, userId }: { pollId: number; userId: number }) {
  return db
    .selectFrom("poll_committee_members as m")
    .leftJoin("poll_key_shares as s", (j) => j.onRef("s.member_id", "=", "m.id").onRef("s.poll_id", "=", "m.poll_id"))
    .select(["m.id", "m.full_name", "m.role", "s.claimed_at", "s.poll_id as share_poll_id"])
    .where("m.poll_id", "=", pollId)
    .where("m.user_id", "=", userId)
    .executeTakeFirst();
}

/**
 * Hands a member their share, once: in one transaction the wrapped share is read and erased, and the claim
 * audited (without the share). Returns the share as the code to keep.
 */
export async function claimShare({ actor, pollId, userId }: { actor: AuditActor; pollId: number; userId: number }) {
  return db.transaction().execute(async (tx) => {
    const poll = await tx.selectFrom("polls").select(["unit_id"]).where("id", "=", pollId).executeTakeFirst();
    if (!poll) throw new KeyShareError("notFound");
    const member = await tx
      .selectFrom("poll_committee_members")
      .select("id")
      .where("poll_id", "=", pollId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    if (!member) throw new KeyShareError("notMember");
    const share = await tx
      .selectFrom("poll_key_shares")
      .select(["share_wrapped", "claimed_at"])
      .where("poll_id", "=", pollId)
      .where("member_id", "=", member.id)
      .forUpdate()
      .executeTakeFirst();
    if (!share) throw new KeyShareError("wrongState");
    if (!share.share_wrapped || share.claimed_at) throw new KeyShareError("alreadyClaimed");
    const raw = unwrapShare(share.share_wrapped, { secret: serverSecret(), pollId, memberId: member.id });
    await tx
      .updateTable("poll_key_shares")
      .set({ share_wrapped: null, claimed_at: new Date() })
      .where("poll_id", "=", pollId)
      .where("member_id", "=", member.id)
      .execute();
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: "poll.share_claim",
      details: { pollId, memberId: member.id },
    });
    return { code: encodeShare(raw) };
  });
}

/**
 * The key's state as a poll's pages show it: who holds it, k of n, how many shares were handed out, and whether
 * this user has a share to claim.
 */
export async function keySummary({ pollId, userId }: { pollId: number; userId?: number }) {
  const poll = await db
    .selectFrom("polls")
    .select(["key_mode", "shares_required", "status", "counted_at"])
    .where("id", "=", pollId)
    .executeTakeFirst();
  if (!poll) return null;
  const row = await db
    .selectFrom("poll_committee_members as m")
    .leftJoin("poll_key_shares as s", (j) => j.onRef("s.member_id", "=", "m.id").onRef("s.poll_id", "=", "m.poll_id"))
    .select((eb) => [eb.fn.count<string>("m.id").as("holders"), eb.fn.count<string>("s.claimed_at").as("claimed")])
    .where("m.poll_id", "=", pollId)
    .where("m.user_id", "is not", null)
    .executeTakeFirstOrThrow();
  const mine = userId === undefined ? undefined : await memberShare({ pollId, userId });
  return {
    keyMode: poll.key_mode,
    required: poll.shares_required,
    holders: Number(row.holders),
    claimed: Number(row.claimed),
    /** Closed, its key still in the committee's hands: nothing is counted yet. */
    awaitingShares: poll.key_mode === "committee" && poll.status === "closed" && !poll.counted_at,
    myShare: !mine ? null : mine.share_poll_id === null ? "none" : mine.claimed_at ? "claimed" : "ready",
  };
}
export type KeySummary = NonNullable<Awaited<ReturnType<typeof keySummary>>>;

/**
 * Rebuilds the poll's private key from k shares, checks it against the poll's public key, then in one transaction
 * under the exclusive poll lock counts the box, marks it counted and destroys every share left. Nothing is counted
 * when the shares are too few, mistyped or do not rebuild the key.
 */
export async function countWithShares({
  actor,
  pollId,
  codes,
}: {
  actor: AuditActor;
  pollId: number;
  codes: string[];
}) {
  const entered = codes.map((c) => c.trim()).filter((c) => c.length > 0);
  return db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx
      .selectFrom("polls")
      .select(["status", "unit_id", "key_mode", "shares_required", "public_key", "rules", "counted_at"])
      .where("id", "=", pollId)
      .forUpdate()
      .executeTakeFirst();
    if (!poll) throw new KeyShareError("notFound");
    if (poll.key_mode !== "committee" || poll.status !== "closed" || poll.counted_at) {
      throw new KeyShareError("wrongState");
    }
    const k = poll.shares_required ?? 0;
    if (entered.length < k) throw new KeyShareError("tooFewShares", { required: k, entered: entered.length });
    const shares: Buffer[] = [];
    for (const [i, code] of entered.entries()) {
      const share = decodeShare(code);
      if (!share) throw new KeyShareError("malformedShare", { index: i + 1 });
      if (shares.some((s) => s[s.length - 1] === share[share.length - 1])) {
        throw new KeyShareError("duplicateShare", { index: i + 1 });
      }
      shares.push(share);
    }
    let privateKey: Uint8Array;
    try {
      privateKey = await combine(shares.map((s) => new Uint8Array(s)));
    } catch {
      throw new KeyShareError("wrongShares");
    }
    const publicKey = publicKeyOf(privateKey);
    if (!publicKey || !poll.public_key || !publicKey.equals(Buffer.from(poll.public_key))) {
      throw new KeyShareError("wrongShares");
    }
    const { ballotsCounted } = await countBox(tx, {
      pollId,
      privateKey,
      publicKey: poll.public_key,
      rules: pollRules(poll.rules),
    });
    await tx
      .updateTable("polls")
      .set({ counted_at: new Date(), wrapped_private_key: null })
      .where("id", "=", pollId)
      .execute();
    await tx.deleteFrom("poll_key_shares").where("poll_id", "=", pollId).execute();
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: "poll.count",
      details: { pollId, shares: shares.length, ballotsCounted },
    });
    return { ballotsCounted };
  });
}
