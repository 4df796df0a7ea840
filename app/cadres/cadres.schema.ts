import * as z from "zod/mini";
import { preprocess, refuse, requiredText } from "~/components/text";
import { TIME_ZONE } from "~/i18n/i18n";
import { unitIdField } from "~/units/units.schema";

export const CADRE_NAME_MAX = 120;
export const TITLE_NAME_MAX = 150;
export const MIN_BIRTH_YEAR = 1900;

/** Today's calendar date in Việt Nam, as 'YYYY-MM-DD' (the server may run in UTC). */
export function todayInVietnam(now: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: TIME_ZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
}

const DAY_MONTH_YEAR = /^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$/;
const YEAR_MONTH_DAY = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/**
 * Reads a date as Vietnamese officers type it ("05/03/2026", also "5-3-2026") or as a date input sends it
 * ("2026-03-05"). Returns 'YYYY-MM-DD', or null for anything else, impossible days (31/02) included.
 */
export function parseDateInput(value: string): string | null {
  const text = value.normalize("NFC").trim();
  let day: number, month: number, year: number;
  const dmy = DAY_MONTH_YEAR.exec(text);
  const ymd = dmy ? null : YEAR_MONTH_DAY.exec(text);
  if (dmy) [day, month, year] = [Number(dmy[1]), Number(dmy[2]), Number(dmy[3])];
  else if (ymd) [year, month, day] = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
  else return null;
  if (year < 1900 || year > 2100) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function toIsoDate(value: string, payload: z.core.ParsePayload): string {
  return parseDateInput(value) ?? refuse(payload, "errors.invalidDate");
}

/** A required date field: 'dd/mm/yyyy' or 'yyyy-mm-dd' in, 'YYYY-MM-DD' out; "errors.invalidDate" otherwise. */
export function dateField() {
  return preprocess(
    (v) => (typeof v === "string" ? v.trim() : v),
    z.pipe(z.string({ message: "errors.required" }).check(z.minLength(1, "errors.required")), z.transform(toIsoDate))
  );
}

/** The same, where an empty field means no date (null). */
export function optionalDateField() {
  return preprocess(
    (v) => (v === undefined || v === null || (typeof v === "string" && v.trim() === "") ? null : v),
    z.nullable(z.pipe(z.string(), z.transform(toIsoDate)))
  );
}

/** Optional single-line text: NFC, folded, at most `max` characters; empty means null. */
function optionalText(max: number) {
  return preprocess((v) => {
    if (typeof v !== "string") return v ?? null;
    const clean = v.normalize("NFC").replace(/\s+/g, " ").trim();
    return clean === "" ? null : clean;
  }, z.nullable(z.string().check(z.maxLength(max, "errors.tooLong"))));
}

const optionalId = preprocess(
  (v) => (v === undefined || v === null || (typeof v === "string" && v.trim() === "") ? null : v),
  z.nullable(z.pipe(z.string().check(z.regex(/^\d{1,9}$/, "errors.invalid")), z.transform(Number)))
);

export const birthYearField = preprocess(
  (v) => (v === undefined || v === null || (typeof v === "string" && v.trim() === "") ? null : String(v).trim()),
  z.nullable(
    z
      .pipe(z.string().check(z.regex(/^\d{1,4}$/, "errors.invalidNumber")), z.transform(Number))
      .check(
        z.refine(
          (year) => year >= MIN_BIRTH_YEAR && year <= Number(todayInVietnam().slice(0, 4)),
          "cadres.birthYearRange"
        )
      )
  )
);

export const cadreSchema = z.object({
  fullName: requiredText(CADRE_NAME_MAX),
  birthYear: birthYearField,
});
export type CadreInput = z.infer<typeof cadreSchema>;

const positionFields = {
  titleId: optionalId,
  newTitle: optionalText(TITLE_NAME_MAX),
  unitId: unitIdField,
  startedOn: dateField(),
};

/** A title is either one of the ward's titles (select) or a new one typed in; exactly one of the two. */
function checkTitleChoice(
  value: { titleId: number | null; newTitle: string | null },
  ctx: z.core.$RefinementCtx<{ titleId: number | null; newTitle: string | null }>
) {
  if (value.titleId === null && value.newTitle === null) {
    ctx.addIssue({ code: "custom", path: ["titleId"], message: "cadres.titleRequired" });
  } else if (value.titleId !== null && value.newTitle !== null) {
    ctx.addIssue({ code: "custom", path: ["newTitle"], message: "cadres.titleEither" });
  }
}

export const positionSchema = z.object(positionFields).check(z.superRefine(checkTitleChoice));
export type PositionInput = z.infer<typeof positionSchema>;

export const newCadreSchema = z
  .object({ ...cadreSchema.shape, ...positionFields })
  .check(z.superRefine(checkTitleChoice));
export type NewCadreInput = z.infer<typeof newCadreSchema>;

export const editPositionSchema = z
  .object({ positionId: unitIdField, ...positionFields, endedOn: optionalDateField() })
  .check(
    z.superRefine(checkTitleChoice),
    z.superRefine((value, ctx) => {
      if (value.endedOn !== null && value.endedOn < value.startedOn) {
        ctx.addIssue({ code: "custom", path: ["endedOn"], message: "cadres.endBeforeStart" });
      }
    })
  );
export type EditPositionInput = z.infer<typeof editPositionSchema>;

/** Ending a position: an empty date means today (in Việt Nam); the start date is checked on the server. */
export const endPositionSchema = z.object({ positionId: unitIdField, endedOn: optionalDateField() });

export const CADRE_NOTICES = {
  cadreCreated: "cadres.notice.cadreCreated",
  cadreUpdated: "cadres.notice.cadreUpdated",
  positionCreated: "cadres.notice.positionCreated",
  positionUpdated: "cadres.notice.positionUpdated",
  positionEnded: "cadres.notice.positionEnded",
} as const;
export type CadreNotice = keyof typeof CADRE_NOTICES;

export function cadreNotice(value: string | null) {
  return value && value in CADRE_NOTICES ? CADRE_NOTICES[value as CadreNotice] : null;
}
