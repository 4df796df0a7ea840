// The public board of a published poll: what anyone may read without an account. The published (frozen) figures
// per subject (online, paper and total apart when the poll had paper ballots), the invariant that makes receipts
// meaningful, every receipt in alphabetical order, and whether one receipt is among them. No residential group, no
// credential hash, no time of casting ever reaches this page.
import { sql } from "kysely";
import { db } from "~/db.server";
import type { PollKeyMode } from "../../db/schema";
import { RECEIPT_LENGTH } from "~/ballots/cast.server";
import { readTyped } from "~/credentials/code";
import { idParam, notFound } from "~/polls/poll-access.server";
import type { Denominator, Level, PollKind, PollTally, SubjectTally } from "~/results/tally";
import { getUnit, wardOf } from "~/units/units.server";

export const RECEIPTS_PER_PAGE = 200;

/** How long a shared cache or a browser may keep the board: the figures are frozen, the page is not personal. */
const CACHE_SECONDS = 60;

export interface BoardPoll {
  id: number;
  title: string;
  kind: PollKind;
  wardName: string;
  /** The residential group that ran the poll, when it is not the ward itself. */
  unitName: string | null;
  publishedAt: string;
  tally: PollTally;
  tallyHash: string;
  /** Who held the key: the board says what server key mode does not defend against. */
  keyMode: PollKeyMode;
}

/**
 * A poll whose results are public (published, or archived after that), or a 404: the same 404 for a poll that
 * does not exist and for a draft, open or closed one, so the board never tells which polls exist.
 */
export async function requirePublishedPoll({ pollId }: { pollId: string | undefined }): Promise<BoardPoll> {
  const id = idParam(pollId);
  const poll = await db
    .selectFrom("polls")
    .select(["id", "title", "kind", "unit_id", "published_at", "tally", "tally_hash", "key_mode"])
    .where("id", "=", id)
    .where("status", "in", ["published", "archived"])
    .executeTakeFirst();
  if (!poll || !poll.tally || !poll.tally_hash || !poll.published_at) notFound();
  const ward = await wardOf({ unitId: poll.unit_id });
  const unit = ward?.id === poll.unit_id ? null : await getUnit({ unitId: poll.unit_id });
  return {
    id: poll.id,
    title: poll.title,
    kind: poll.kind,
    wardName: ward?.name ?? unit?.name ?? "",
    unitName: unit?.name ?? null,
    publishedAt: new Date(poll.published_at).toISOString(),
    tally: poll.tally as PollTally,
    tallyHash: poll.tally_hash,
    keyMode: poll.key_mode,
  };
}

/**
 * A subject's published figures, with its online and paper counts apart when the poll had paper ballots. The flags
 * and the residential groups are left out: see boardSummary.
 */
export type BoardSubject = Omit<SubjectTally, "flags" | "byGroup">;

export interface BoardSummary {
  levels: Level[];
  denominator: Denominator;
  ballots: {
    /** QR slips handed out. */
    handedOut: number;
    /** Both channels together. */
    collected: number;
    turnoutPercent: number;
    /**
     * Present when the tally counted paper ballots: online + paper = collected. Only the online ballots are in the
     * anonymized file; the paper ones are the counting committee's confirmed entries.
     */
    channels?: { online: number; paper: number; paperIssued: number };
  };
  subjects: BoardSubject[];
  invariant: PollTally["invariant"];
  /** What the tables hold now: equal to the published invariant unless something changed after publication. */
  stored: { receipts: number; ballotsCounted: number };
}

/**
 * The public part of the frozen tally: totals per subject only, and per channel where there were paper ballots (the
 * paper figures summed over the meetings, as the tally holds them). The residential groups stay off the board, the
 * paper entries too (each names its group's meeting), and so do the flags (review, dismissal proposed): they are the
 * rules' outcome for the authority that decides on them, which anyone can still work out from the published
 * percentages and the thresholds in the regulations.
 */
export async function boardSummary({ poll }: { poll: BoardPoll }): Promise<BoardSummary> {
  const { tally } = poll;
  const channels = tally.ballots.byChannel;
  const stored = await db
    .selectFrom("polls")
    .select((eb) => [
      eb
        .selectFrom("credential_uses")
        .select(eb.fn.countAll<string>().as("n"))
        .where("poll_id", "=", poll.id)
        .as("receipts"),
      eb
        .selectFrom("counted_ballots")
        .select(eb.fn.countAll<string>().as("n"))
        .where("poll_id", "=", poll.id)
        .as("counted"),
    ])
    .where("id", "=", poll.id)
    .executeTakeFirstOrThrow();
  return {
    levels: tally.levels,
    denominator: tally.rules.denominator,
    ballots: {
      handedOut: tally.slips.handedOut,
      collected: tally.ballots.collected,
      turnoutPercent: tally.turnoutPercent,
      ...(channels
        ? {
            channels: {
              online: channels.online.collected,
              paper: channels.paper.collected,
              // Only confirmed entries are counted, their ballots issued too (the tally's "issued" denominator).
              paperIssued: (tally.paper ?? []).filter((e) => e.confirmed).reduce((sum, e) => sum + e.issued, 0),
            },
          }
        : {}),
    },
    subjects: tally.subjects.map((s) => ({
      subjectId: s.subjectId,
      fullName: s.fullName,
      title: s.title,
      unitName: s.unitName,
      counts: s.counts,
      invalid: s.invalid,
      denominator: s.denominator,
      percentages: s.percentages,
      ...(s.byChannel ? { byChannel: s.byChannel } : {}),
    })),
    invariant: tally.invariant,
    stored: { receipts: Number(stored.receipts), ballotsCounted: Number(stored.counted) },
  };
}

/** `?page=` as a page number within range: anything else shows the nearest page rather than an error. */
export function pageParam(value: string | null, pages: number): number {
  const page = value && /^\d{1,7}$/.test(value) ? Number(value) : 1;
  return Math.min(Math.max(page, 1), Math.max(pages, 1));
}

/**
 * One page of the poll's receipts in byte order ("C" collation: the same on every server and in any sorted copy
 * someone makes), never in the order they were written, which is the order of casting.
 */
export async function listReceipts({ pollId, page: requested }: { pollId: number; page: string | null }) {
  const total = Number(
    (
      await db
        .selectFrom("credential_uses")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("poll_id", "=", pollId)
        .executeTakeFirstOrThrow()
    ).n
  );
  const pages = Math.max(1, Math.ceil(total / RECEIPTS_PER_PAGE));
  const page = pageParam(requested, pages);
  const rows = await db
    .selectFrom("credential_uses")
    .select("receipt")
    .where("poll_id", "=", pollId)
    .orderBy(sql`receipt collate "C"`)
    .limit(RECEIPTS_PER_PAGE)
    .offset((page - 1) * RECEIPTS_PER_PAGE)
    .execute();
  return { items: rows.map((r) => r.receipt), total, page, pages, perPage: RECEIPTS_PER_PAGE };
}

/**
 * A typed receipt in its printed form (XXXX-XXXX-XXXX), read the way credential codes are: any case, spaces and
 * hyphens anywhere, accents a Vietnamese keyboard added removed. Null when it cannot be a receipt.
 */
export function normalizeReceipt(input: string): string | null {
  const stripped = readTyped(input, RECEIPT_LENGTH);
  return stripped ? stripped.match(/.{4}/g)!.join("-") : null;
}

export type ReceiptCheck =
  | { result: "counted"; receipt: string; page: number }
  | { result: "not_found"; receipt: string }
  | { result: "malformed"; typed: string };

/**
 * Whether a receipt was accepted into this poll's box (and so, the poll being published, counted). It says nothing
 * else: a receipt is tied to no ballot. A receipt of another poll is not found here.
 */
export async function checkReceipt({ pollId, typed }: { pollId: number; typed: string }): Promise<ReceiptCheck> {
  const receipt = normalizeReceipt(typed);
  if (!receipt) return { result: "malformed", typed: typed.slice(0, 40) };
  const found = await db
    .selectFrom("credential_uses")
    .select("receipt")
    .where("poll_id", "=", pollId)
    .where("receipt", "=", receipt)
    .executeTakeFirst();
  if (!found) return { result: "not_found", receipt };
  const before = await db
    .selectFrom("credential_uses")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("poll_id", "=", pollId)
    .where(sql<boolean>`receipt collate "C" < ${receipt} collate "C"`)
    .executeTakeFirstOrThrow();
  return { result: "counted", receipt, page: Math.floor(Number(before.n) / RECEIPTS_PER_PAGE) + 1 };
}

/**
 * The board may be kept briefly by browsers and shared caches, since its figures are frozen; the answer to a
 * receipt check never is (a cache would keep, and could show the next person, which receipt was asked about).
 * A page seen with a session carries the officer's name in its header: private to that browser.
 */
export function boardHeaders({ request, checking }: { request: Request; checking: boolean }): Record<string, string> {
  if (checking) return { "Cache-Control": "no-store" };
  const personal = Boolean(request.headers.get("Cookie"));
  return { "Cache-Control": `${personal ? "private" : "public"}, max-age=${CACHE_SECONDS}`, Vary: "Cookie" };
}
