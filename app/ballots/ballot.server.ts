// What the resident's ballot pages show for a code: the poll, its ward and subjects, or why the code cannot vote.
// Reading writes nothing; the only write is castBallot's, on the final post.
import type { FieldErrors } from "~/components/forms";
import { normalizeCode } from "~/credentials/code";
import { getPoll, listSubjects } from "~/polls/polls.server";
import type { PollKind } from "~/results/tally";
import { getUnit, wardOf } from "~/units/units.server";
import { allowedValues, BLANK, levelsOf, subjectField } from "./ballot.schema";
import { castBallot, lookupCredential } from "./cast.server";

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

async function ballotPoll({ pollId }: { pollId: number }): Promise<BallotPoll> {
  const poll = await getPoll({ pollId });
  if (!poll) throw new Error("A credential names a poll that does not exist.");
  const ward = await wardOf({ unitId: poll.unit_id });
  const unit = ward?.id === poll.unit_id ? null : await getUnit({ unitId: poll.unit_id });
  const scheduled = poll.scheduled_open_at ? new Date(poll.scheduled_open_at) : null;
  return {
    title: poll.title,
    place: poll.place,
    kind: poll.kind,
    wardName: ward?.name ?? unit?.name ?? "",
    unitName: unit?.name ?? null,
    opensAt: poll.status === "draft" && scheduled && scheduled.getTime() > Date.now() ? scheduled.toISOString() : null,
    closed: poll.status !== "draft" && poll.status !== "open",
    boardPath: poll.status === "published" || poll.status === "archived" ? `/p/${poll.id}` : null,
  };
}

async function ballotSubjects({ pollId }: { pollId: number }): Promise<BallotSubject[]> {
  const subjects = await listSubjects({ pollId });
  return subjects.map((s) => ({ id: s.id, fullName: s.full_name, title: s.title, unitName: s.unit_name }));
}

/** The page for a canonical code (null: not a code at all). */
export async function readBallot({ code }: { code: string | null }): Promise<BallotView> {
  if (!code) return { state: "unknown" };
  const found = await lookupCredential({ code });
  if (found.status === "unknown") return { state: "unknown" };
  const poll = await ballotPoll({ pollId: found.pollId });
  switch (found.status) {
    case "already_used":
      return { state: "recorded", poll, receipt: found.receipt };
    case "voided":
    case "not_open":
    case "closed":
      return { state: found.status, poll };
    case "open":
      return {
        state: "open",
        poll,
        subjects: await ballotSubjects({ pollId: found.pollId }),
        step: "ballot",
        choices: {},
        errors: {},
      };
  }
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
      return { state: "recorded", poll: await ballotPoll({ pollId: result.pollId }), receipt: result.receipt };
    case "unknown":
      return { state: "unknown" };
    case "voided":
    case "not_open":
    case "closed":
      return { state: result.status, poll: await ballotPoll({ pollId: result.pollId }) };
    case "invalid_answers":
      return { ...view, step: "ballot", choices: {}, errors: { _form: "ballots.errors.tampered" } };
  }
}
