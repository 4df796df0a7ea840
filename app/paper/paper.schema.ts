// The paper tally form: a meeting's attendance and ballots, then per subject the ballots of each level and those
// invalid for the subject. One zod schema, built for the poll's subjects and levels, checks every figure as it is
// typed (react-hook-form) and again on the server, with the reason in words.
import * as z from "zod/mini";
import { issueMessage } from "~/components/forms";
import { preprocess } from "~/components/text";
import { wholeNumber } from "~/polls/polls.schema";

/** The largest figure a meeting's paper tally may hold. */
export const PAPER_MAX = 1_000_000;

/** The whole meeting rather than one residential group, in URLs and forms. */
export const MEETING_SCOPE = "meeting";

export type PaperScope = number | typeof MEETING_SCOPE;

/** A scope from a URL: a residential group's id or "meeting"; null for anything else. */
export function readScope(value: string | undefined): PaperScope | null {
  if (value === MEETING_SCOPE) return MEETING_SCOPE;
  if (!value || !/^\d{1,9}$/.test(value) || Number(value) <= 0) return null;
  return Number(value);
}

/** The field of a subject's count: level code 1..n, or 0 for the ballots invalid for the subject. */
export function subjectField(subjectId: number, code: number): string {
  return `s${subjectId}_${code}`;
}

const figure = () => wholeNumber(0, PAPER_MAX, "paper.errors.range");

export interface PaperSubjectFigures {
  subjectId: number;
  /** counts[i]: ballots marking level i + 1. */
  counts: number[];
  invalid: number;
}

export interface PaperFigures {
  summoned: number;
  present: number;
  issued: number;
  collected: number;
  valid: number;
  invalid: number;
  subjects: PaperSubjectFigures[];
}

/**
 * The schema of a poll's paper tally form. `subjects` in ballot order (their names quoted in the messages);
 * `levelCount` the poll kind's levels (3 for a confidence poll, 2 for a confidence vote).
 */
export function paperEntrySchema(subjects: { id: number; fullName: string }[], levelCount: number) {
  const shape: Record<string, z.ZodMiniType> = {
    summoned: figure(),
    present: figure(),
    issued: figure(),
    collected: figure(),
    valid: figure(),
    invalid: figure(),
    // The version the form was filled from (empty for a new entry): a change made meanwhile is not overwritten.
    version: preprocess(
      (v) => (v === undefined || v === null || v === "" ? null : v),
      z.nullable(z.pipe(z.string().check(z.regex(/^\d{1,9}$/, "errors.invalid")), z.transform(Number)))
    ),
  };
  for (const subject of subjects) {
    for (let code = 0; code <= levelCount; code++) shape[subjectField(subject.id, code)] = figure();
  }
  return z.pipe(
    z
      .object(shape)
      // Each cross-check runs as soon as its own figures are numbers, whatever the rest of the form holds, so that a
      // wrong figure is named while the other fields are still being typed.
      .check(
        z.superRefine(
          (raw, ctx) => {
            const value = raw as Record<string, unknown>;
            const n = (key: string) => (typeof value[key] === "number" ? (value[key] as number) : null);
            const fail = (
              path: string,
              key: Parameters<typeof issueMessage>[0],
              params: Record<string, string | number>
            ) => ctx.addIssue({ code: "custom", path: [path], message: issueMessage(key, params) });
            const [summoned, present, issued, collected, valid, invalid] = [
              "summoned",
              "present",
              "issued",
              "collected",
              "valid",
              "invalid",
            ].map(n);
            if (present !== null && summoned !== null && present > summoned) {
              fail("present", "paper.errors.presentAboveSummoned", { present, summoned });
            }
            if (collected !== null && issued !== null && collected > issued) {
              fail("collected", "paper.errors.collectedAboveIssued", { collected, issued });
            }
            if (valid !== null && invalid !== null && collected !== null && valid + invalid !== collected) {
              fail("invalid", "paper.errors.validPlusInvalid", { valid, invalid, sum: valid + invalid, collected });
            }
            subjects.forEach((subject, index) => {
              const figures = Array.from({ length: levelCount + 1 }, (_, code) => n(subjectField(subject.id, code)));
              if (valid === null || figures.some((f) => f === null)) return;
              const sum = figures.reduce<number>((total, f) => total + (f as number), 0);
              if (sum !== valid) {
                fail(subjectField(subject.id, 0), "paper.errors.subjectSum", {
                  index: index + 1,
                  name: subject.fullName,
                  sum,
                  valid,
                });
              }
            });
          },
          { when: () => true }
        )
      ),
    z.transform((raw): PaperFigures & { version: number | null } => {
      const value = raw as Record<string, number> & { version: number | null };
      return {
        summoned: value.summoned,
        present: value.present,
        issued: value.issued,
        collected: value.collected,
        valid: value.valid,
        invalid: value.invalid,
        version: value.version,
        subjects: subjects.map((subject) => ({
          subjectId: subject.id,
          counts: Array.from({ length: levelCount }, (_, i) => value[subjectField(subject.id, i + 1)]),
          invalid: value[subjectField(subject.id, 0)],
        })),
      };
    })
  );
}

/** A second counting member confirms the figures of the version they were shown. */
export const paperConfirmSchema = z.object({
  version: z.pipe(
    z.string({ message: "errors.invalid" }).check(z.regex(/^\d{1,9}$/, "errors.invalid")),
    z.transform(Number)
  ),
});

export const WARNING_REASON_MAX = 2000;

/** A warning accepted with a written reason, bound to the warning as it was shown. */
export const acknowledgeSchema = z.object({
  warningId: z
    .string({ message: "errors.invalid" })
    .check(z.regex(/^[a-zA-Z]{1,40}:(?:\d{1,9}|meeting|all)$/, "errors.invalid")),
  fingerprint: z.string({ message: "errors.invalid" }).check(z.regex(/^[0-9a-f]{64}$/, "errors.invalid")),
  reason: preprocess(
    (v) => (typeof v === "string" ? v.normalize("NFC").replace(/\r\n?/g, "\n").trim() : v),
    z
      .string({ message: "paper.warnings.reasonRequired" })
      .check(z.minLength(1, "paper.warnings.reasonRequired"), z.maxLength(WARNING_REASON_MAX, "errors.tooLong"))
  ),
});
