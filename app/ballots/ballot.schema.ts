import * as z from "zod/mini";
import { preprocess } from "~/components/text";
import { LEVELS, type PollKind } from "~/results/tally";

/** The code typed by hand at /v. Whether it can be a code at all is decided on the server (normalizeCode). */
export const codeEntrySchema = z.object({
  code: z
    .string({ error: "ballots.code.required" })
    .check(z.trim(), z.minLength(1, "ballots.code.required"), z.maxLength(200, "ballots.code.malformed")),
});

/** A subject left blank: invalid for that subject, as on a paper ballot. */
export const BLANK = "0";

export const BALLOT_INTENTS = ["review", "edit", "cast"] as const;
export type BallotIntent = (typeof BALLOT_INTENTS)[number];

/** The form field that carries the choice for one subject. */
export function subjectField(subjectId: number): string {
  return `s${subjectId}`;
}

/** A level's form value: its 1-based index among the poll kind's levels (castBallot's encoding). */
export function levelValue(index: number): string {
  return String(index + 1);
}

export function allowedValues(kind: PollKind): string[] {
  return [BLANK, ...LEVELS[kind].map((_, i) => levelValue(i))];
}

/**
 * The choices of one ballot, for the browser and the server alike. `ballot` reads the radio buttons, where a
 * subject left unmarked is blank; `carried` reads the hidden fields of the review step, which name every subject
 * exactly once. Any other field, a level the kind does not have, or a subject twice is refused.
 */
export function ballotSchema({
  kind,
  subjectIds,
  mode,
}: {
  kind: PollKind;
  subjectIds: number[];
  mode: "ballot" | "carried";
}) {
  const shape: Record<string, z.ZodMiniType> = { intent: z.optional(z.enum(BALLOT_INTENTS)) };
  for (const id of subjectIds) {
    const value = z.enum(allowedValues(kind) as [string, ...string[]], { error: "ballots.errors.invalidChoice" });
    shape[subjectField(id)] =
      mode === "ballot" ? preprocess((v) => (v === undefined || v === null || v === "" ? BLANK : v), value) : value;
  }
  return z.strictObject(shape, { error: "ballots.errors.tampered" });
}

/** castBallot's levels, in the subjects' order: 0 for blank. */
export function levelsOf(choices: Record<string, unknown>, subjectIds: number[]): number[] {
  return subjectIds.map((id) => Number(choices[subjectField(id)] ?? BLANK));
}
