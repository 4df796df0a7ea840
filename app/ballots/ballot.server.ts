// What the resident's ballot pages show for a code: the poll, its ward and subjects, or why the code cannot vote.
// Reading writes nothing; the only write is castBallot's, on the final post.
import type { FieldErrors } from "~/components/forms";
import { normalizeCode } from "~/credentials/code";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { hashCode } from "~/credentials/credentials.server";
import type { PollKind } from "~/results/tally";
import { allowedValues, BLANK, levelsOf, subjectField } from "./ballot.schema";
import { castBallot, codeState, credentialOf } from "./cast.server";

/**
 * On every ballot page: never cached (a shared phone's back button must not show someone's choices). The
 * Referrer-Policy that keeps the code out of every Referer is the server's own, on every page (server.ts).
 */
export const BALLOT_HEADERS = { "Cache-Control": "no-store" } as const;

/** A typed or scanned code in its canonical form, or null when it cannot be a code. */
export function canonicalCode(input: string): string | null {
  return normalizeCode(input);
}

export interface BallotPoll {
  title: string;
  place: string;
  kind: PollKind;
  wardName: string;
  /** The residential group that runs the poll, when it is not the ward itself. */
  unitName: string | null;
  /** When a poll not yet open is scheduled to open (ISO), if that is still ahead. */
  opensAt: string | null;
  /** Intake has stopped: the ballots are counted. */
  closed: boolean;
  /** The poll's public board, once its results are published (where the receipt can be checked). */
  boardPath: string | null;
}

export interface BallotSubject {
  id: number;
  fullName: string;
  title: string;
  unitName: string;
}

export type BallotView =
  | { state: "unknown" }
  | { state: "voided"; poll: BallotPoll }
  | { state: "not_open"; poll: BallotPoll }
  | { state: "closed"; poll: BallotPoll }
  | { state: "recorded"; poll: BallotPoll; receipt: string }
  | {
      state: "open";
      poll: BallotPoll;
      subjects: BallotSubject[];
      step: "ballot" | "review";
      /** Field name → level value, carried in the page from one step to the next. */
      choices: Record<string, string>;
      errors: FieldErrors;
    };
export type OpenBallotView = Extract<BallotView, { state: "open" }>;

const STATUS: Record<BallotView["state"], number> = {
  unknown: 404,
  voided: 410,
  not_open: 403,
  closed: 410,
  recorded: 200,
  open: 200,
};

export function viewStatus(view: BallotView): number {
  if (view.state === "open" && Object.keys(view.errors).length > 0) return 400;
  return STATUS[view.state];
}

/**
 * Everything a ballot page shows for a code, in one query (a resident's phone on a slow network waits for each round
 * trip, and a ward's residents come at once): the credential's state, its poll, the poll's ward and unit, and the
 * subjects. Subjects are read only while the poll is open, the one state that shows them.
 */
async function lookupBallot(code: string) {
  return credentialOf(hashCode(code))
    .innerJoin("units as unit", "unit.id", "p.unit_id")
    .leftJoin("units as parent", "parent.id", "unit.parent_id")
    .select((eb) => [
      "p.id as poll_id",
      "p.status",
      "p.title",
      "p.place",
      "p.kind",
      "p.unit_id",
      "p.scheduled_open_at",
      "p.scheduled_close_at",
      "c.voided_at",
      "b.voided_at as batch_voided_at",
      "u.receipt",
      "unit.name as unit_name",
      "unit.kind as unit_kind",
      "parent.id as parent_id",
      "parent.name as parent_name",
      "parent.kind as parent_kind",
      jsonArrayFrom(
        eb
          .selectFrom("poll_subjects as s")
          .select(["s.id", "s.full_name as fullName", "s.title", "s.unit_name as unitName"])
          .whereRef("s.poll_id", "=", "p.id")
          .where("p.status", "=", "open")
          .orderBy("s.sort_order")
      ).as("subjects"),
    ])
    .executeTakeFirst();
}

type BallotRow = NonNullable<Awaited<ReturnType<typeof lookupBallot>>>;

function ballotPoll(row: BallotRow): BallotPoll {
  // A poll belongs to a ward or to one of its residential groups (units.kind: province > ward > residential group).
  const ward =
    row.unit_kind === "ward"
      ? { id: row.unit_id, name: row.unit_name }
      : row.parent_kind === "ward"
      ? { id: row.parent_id!, name: row.parent_name! }
      : null;
  const unitName = ward?.id === row.unit_id ? null : row.unit_name;
  const scheduled = row.scheduled_open_at ? new Date(row.scheduled_open_at) : null;
  return {
    title: row.title,
    place: row.place,
    kind: row.kind,
    wardName: ward?.name ?? row.unit_name,
    unitName,
    opensAt: row.status === "draft" && scheduled && scheduled.getTime() > Date.now() ? scheduled.toISOString() : null,
    closed: row.status !== "draft" && row.status !== "open",
    boardPath: row.status === "published" || row.status === "archived" ? `/p/${row.poll_id}` : null,
  };
}

/** The page for a canonical code (null: not a code at all). */
export async function readBallot({ code }: { code: string | null }): Promise<BallotView> {
  if (!code) return { state: "unknown" };
  const row = await lookupBallot(code);
  if (!row) return { state: "unknown" };
  const poll = ballotPoll(row);
  const state = codeState(row);
  if (state === "already_used") return { state: "recorded", poll, receipt: row.receipt! };
  if (state !== "open") return { state, poll };
  return { state: "open", poll, subjects: row.subjects, step: "ballot", choices: {}, errors: {} };
}

/** The choices of a refused post that are themselves valid, to show the ballot again with them marked. */
export function validChoices(view: OpenBallotView, values: Record<string, string>): Record<string, string> {
  const allowed = allowedValues(view.poll.kind);
  const choices: Record<string, string> = {};
  for (const s of view.subjects) {
    const value = values[subjectField(s.id)];
    if (value !== undefined && value !== BLANK && allowed.includes(value)) choices[subjectField(s.id)] = value;
  }
  return choices;
}

/** Every subject's choice, blanks included: what the review step carries in its hidden fields. */
export function carriedChoices(view: OpenBallotView, data: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(view.subjects.map((s) => [subjectField(s.id), String(data[subjectField(s.id)] ?? BLANK)]));
}

/** The final post: casts the ballot and answers with the page to show (counted and replayed alike: the receipt). */
export async function castChoices({
  code,
  view,
  choices,
}: {
  code: string;
  view: OpenBallotView;
  choices: Record<string, unknown>;
}): Promise<BallotView> {
  const result = await castBallot({
    code,
    levels: levelsOf(
      choices,
      view.subjects.map((s) => s.id)
    ),
  });
  switch (result.status) {
    case "counted":
    case "already_used":
      // The poll the resident just voted in, as the page showed it: nothing about it changes by one ballot.
      return { state: "recorded", poll: view.poll, receipt: result.receipt };
    case "unknown":
    case "voided":
    case "not_open":
    case "closed":
      // The poll changed under the resident (closed, or the slip voided) since the page was read: read it again.
      return readBallot({ code });
    case "invalid_answers":
      return { ...view, step: "ballot", choices: {}, errors: { _form: "ballots.errors.tampered" } };
  }
}
