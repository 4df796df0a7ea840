// The count of a committee-keyed poll: k key holders type the keys they were shown at enrolment; each opens that
// member's sealed share, the shares rebuild the poll's key, which must give the poll's public key, and the box is
// counted. Every buffer that held key material is zeroed. See DESIGN.md, anonymity model, and decision 015.
import { combine } from "shamir-secret-sharing";
import { db } from "~/db.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { openSealed, publicKeyOf } from "~/ballots/seal.server";
import { decodeKeyCode, shareInfo } from "./key-holders.server";
import { countBox, pollRules } from "./lifecycle.server";
import { lockPollExclusive } from "./poll-lock.server";

export class KeyShareError extends Error {
  constructor(
    public reason: "notFound" | "wrongState" | "tooFewKeys" | "malformedKey" | "duplicateKey" | "unknownKey" | "wrongShares",
    public params: Record<string, number> = {}
  ) {
    super(reason);
  }
}

/**
 * Rebuilds the poll's private key from the keys of k holders, checks it against the poll's public key, then in one
 * transaction under the exclusive poll lock counts the box, marks it counted and erases the sealed shares. Nothing
 * is counted when the keys are too few, mistyped, typed twice, not this poll's, or do not rebuild the key.
 */
export async function countWithKeys({ actor, pollId, codes }: { actor: AuditActor; pollId: number; codes: string[] }) {
  const entered = codes.map((c) => c.trim()).filter((c) => c.length > 0);
  const secrets: Uint8Array[] = [];
  try {
    return await db.transaction().execute(async (tx) => {
      await lockPollExclusive(tx, pollId);
      const poll = await tx
        .selectFrom("polls")
        .select(["status", "unit_id", "key_mode", "shares_required", "public_key", "rules", "counted_at"])
        .where("id", "=", pollId)
        .forUpdate()
        .executeTakeFirst();
      if (!poll) throw new KeyShareError("notFound");
      if (poll.key_mode !== "committee" || poll.status !== "closed" || poll.counted_at || !poll.public_key) {
        throw new KeyShareError("wrongState");
      }
      const k = poll.shares_required ?? 0;
      if (entered.length < k) throw new KeyShareError("tooFewKeys", { required: k, entered: entered.length });
      const holders = await tx
        .selectFrom("poll_key_holders")
        .select(["user_id", "public_key", "sealed_share"])
        .where("poll_id", "=", pollId)
        .where("sealed_share", "is not", null)
        .execute();
      const used = new Set<number>();
      const shares: Uint8Array[] = [];
      for (const [i, code] of entered.entries()) {
        const privateKey = decodeKeyCode(code);
        if (!privateKey) throw new KeyShareError("malformedKey", { index: i + 1 });
        secrets.push(privateKey);
        const publicKey = publicKeyOf(privateKey);
        const holder = publicKey && holders.find((h) => publicKey.equals(Buffer.from(h.public_key)));
        if (!holder) throw new KeyShareError("unknownKey", { index: i + 1 });
        if (used.has(holder.user_id)) throw new KeyShareError("duplicateKey", { index: i + 1 });
        used.add(holder.user_id);
        let share: Buffer;
        try {
          share = openSealed(holder.sealed_share!, { publicKey: holder.public_key, privateKey }, shareInfo(pollId, holder.user_id));
        } catch {
          throw new KeyShareError("unknownKey", { index: i + 1 });
        }
        secrets.push(share);
        shares.push(new Uint8Array(share));
        secrets.push(shares[shares.length - 1]);
      }
      let privateKey: Uint8Array;
      try {
        privateKey = await combine(shares);
      } catch {
        throw new KeyShareError("wrongShares");
      }
      secrets.push(privateKey);
      const publicKey = publicKeyOf(privateKey);
      if (!publicKey || !publicKey.equals(Buffer.from(poll.public_key))) throw new KeyShareError("wrongShares");
      const { ballotsCounted } = await countBox(tx, {
        pollId,
        privateKey,
        publicKey: poll.public_key,
        rules: pollRules(poll.rules),
      });
      await tx.updateTable("polls").set({ counted_at: new Date() }).where("id", "=", pollId).execute();
      // The shares are of no use once the box is empty; the public keys stay, for the record of who held the key.
      await tx.updateTable("poll_key_holders").set({ sealed_share: null }).where("poll_id", "=", pollId).execute();
      await appendAudit(tx, {
        actor,
        unitId: poll.unit_id,
        action: "poll.count",
        details: { pollId, shares: shares.length, ballotsCounted },
      });
      return { ballotsCounted };
    });
  } finally {
    for (const secret of secrets) secret.fill(0);
  }
}
