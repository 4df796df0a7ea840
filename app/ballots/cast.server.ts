// Casting a ballot: one transaction that checks the poll is open (under the lock closing also takes), consumes the
// credential exactly once (the primary key of credential_uses), writes the receipt, and drops the sealed ballot in
// the box. Nothing else is written: no counter, no audit entry, no time, nothing that carries the answers in clear.
import { randomInt } from "node:crypto";
import { sql } from "kysely";
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
 * A code's credential (`c`) with its batch (`b`), its poll (`p`) and its use if any (`u`): what the ballot pages and
 * the cast read about a code, each selecting what it needs.
 */
export function credentialOf(codeHash: string) {
  return db
    .selectFrom("credentials as c")
    .innerJoin("credential_batches as b", "b.id", "c.batch_id")
    .innerJoin("polls as p", "p.id", "c.poll_id")
    .leftJoin("credential_uses as u", "u.code_hash", "c.code_hash")
    .where("c.code_hash", "=", codeHash);
}

/** What a code can do now. */
export type CodeState = "already_used" | "voided" | "not_open" | "closed" | "open";

/**
 * The state of a code from what `credentialOf` reads: its use, its slip and batch, its poll. One order for every
 * reader of a code, the ballot pages and the cast alike: a used code shows its receipt, then a voided slip says so
 * whatever its poll, then the poll's own state. Past its scheduled close a poll takes nothing, even before the
 * scheduler has closed it.
 */
export function codeState(
  row: {
    receipt: string | null;
    voided_at: unknown;
    batch_voided_at: unknown;
    status: string;
    scheduled_close_at: Date | string | null;
  },
  now = new Date()
): CodeState {
  if (row.receipt) return "already_used";
  if (row.voided_at || row.batch_voided_at) return "voided";
  if (row.status === "draft") return "not_open";
  if (row.status !== "open") return "closed";
  if (row.scheduled_close_at && new Date(row.scheduled_close_at) <= now) return "closed";
  return "open";
}

/**
 * Casts the ballot of `code` (already normalized). `levels[i]` answers the poll's i-th subject: 0 for blank,
 * otherwise the 1-based index of the level among the poll kind's levels.
 *
 * Four round trips to the database on the way of a counted ballot, the fewest that keep the rule "no ballot enters
 * a closed box": a read of the credential and its poll (to seal the ballot to the poll's key, outside the
 * transaction); then, in the transaction, the poll's lock shared, and one statement that checks again under the
 * lock everything the read found and writes the receipt and the ballot together. The lock is a statement of its
 * own: a statement sees the database as it was when it began, so checks made in the statement that waited for a
 * close would see the poll still open.
 */
export async function castBallot({
  code,
  levels,
  now = new Date(),
}: {
  code: string;
  levels: number[];
  /** The moment the ballot arrives, checked against the poll's scheduled close; tests pass it in. */
  now?: Date;
}): Promise<CastResult> {
  const codeHash = hashCode(code);
  const found = await credentialOf(codeHash)
    .select((eb) => [
      "c.poll_id",
      "c.voided_at",
      "b.voided_at as batch_voided_at",
      "b.group_id",
      "p.status",
      "p.public_key",
      "p.kind",
      "p.scheduled_close_at",
      "u.receipt",
      eb
        .selectFrom("poll_subjects as s")
        .select((e) => e.fn.countAll<string>().as("n"))
        .whereRef("s.poll_id", "=", "c.poll_id")
        .as("subjects"),
    ])
    .executeTakeFirst();
  if (!found) return { status: "unknown" };
  const pollId = found.poll_id;
  const state = codeState(found, now);
  if (state === "already_used") return { status: state, receipt: found.receipt!, pollId };
  if (state !== "open") return { status: state, pollId };
  if (!found.public_key) return { status: "closed", pollId };
  const levelCount = found.kind === "confidence_poll" ? 3 : 2;
  if (levels.length !== Number(found.subjects) || levels.some((l) => !Number.isInteger(l) || l < 0 || l > levelCount)) {
    return { status: "invalid_answers", pollId };
  }

  const publicKey = found.public_key;
  const sealed = sealBallot(encodeBallot({ g: found.group_id, l: levels }), publicKey);
  const receipt = generateReceipt();
  const cast = await db.transaction().execute(async (tx) => {
    await lockPollShared(tx, pollId);
    // Under the lock, the read's findings once more; the receipt and the ballot go in together or not at all.
    // Concurrent replays of one code queue on credential_uses' key: all but the first insert nothing.
    const { rows } = await sql<{ poll_id: number }>`
      with target as (
        select c.code_hash, c.poll_id
        from credentials c
        join credential_batches b on b.id = c.batch_id
        join polls p on p.id = c.poll_id
        where c.code_hash = ${codeHash} and c.poll_id = ${pollId} and b.group_id = ${found.group_id}
          and c.voided_at is null and b.voided_at is null
          and p.status = 'open' and p.public_key = ${publicKey}
          and (p.scheduled_close_at is null or p.scheduled_close_at > ${now})
      ), used as (
        insert into credential_uses (code_hash, poll_id, receipt)
        select code_hash, poll_id, ${receipt} from target
        on conflict (code_hash) do nothing
        returning poll_id
      )
      insert into ballot_box (poll_id, sealed) select poll_id, ${sealed} from used returning poll_id`.execute(tx);
    if (rows.length === 1) return { status: "counted" as const, receipt, pollId };
    return null;
  });
  // Something changed between the read and the lock (a replay won, the poll closed, the slip was voided): say what,
  // as the database now has it. Nothing was written.
  return cast ?? castBallotAgainst(codeHash, pollId, now);
}

async function castBallotAgainst(codeHash: string, pollId: number, now: Date): Promise<CastResult> {
  const row = await credentialOf(codeHash)
    .select(["p.status", "p.scheduled_close_at", "c.voided_at", "b.voided_at as batch_voided_at", "u.receipt"])
    .executeTakeFirst();
  if (!row) return { status: "unknown" };
  const state = codeState(row, now);
  if (state === "already_used") return { status: state, receipt: row.receipt!, pollId };
  // Still open, unused and valid, yet refused: the scheduled close passed while the ballot was on its way (or the
  // poll was opened again with another key).
  return { status: state === "open" ? "closed" : state, pollId };
}
