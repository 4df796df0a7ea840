// The forms of a poll's pages, each one zod schema shared by the browser (react-hook-form) and the server
// (parseForm). Every message is a catalog key.
import * as z from "zod/mini";
import { preprocess, refuse, requiredText } from "~/components/text";
import { unitIdField } from "~/units/units.schema";
import { DEFAULT_RULES, type PollRules } from "~/results/tally";
import { formatFraction } from "~/results/rules";
import { MIN_K } from "~/results/suppression";

export const TITLE_MAX = 200;
export const PLACE_MAX = 200;
export const MEMBER_NAME_MAX = 120;
export const MEMBER_ROLE_MAX = 60;
export const COMMITTEE_ROWS = 5;
export const COMPLAINTS_MAX = 4000;
/** The largest batch one download may carry (the credentials domain allows the same). */
export const MAX_ISSUE = 10_000;
/** Smallest k a poll may set: below it a breakdown would show a handful of ballots. */
export const K_MIN = MIN_K;
export const K_MAX = 500;

// ---------------------------------------------------------------------------------------------------------------
// Dates and times: a datetime-local input sends "2026-12-01T08:00", meant as the time in Việt Nam, which has kept
// UTC+7 without daylight saving since 1975, so the offset is a constant.

const VN_OFFSET_MS = 7 * 3600_000;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** "2026-12-01T08:00" (Việt Nam time) as an instant, or null for anything else, impossible days included. */
export function fromVietnamLocal(value: string): Date | null {
  const match = LOCAL_DATE_TIME.exec(value.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (
    wall.getUTCFullYear() !== year ||
    wall.getUTCMonth() !== month - 1 ||
    wall.getUTCDate() !== day ||
    wall.getUTCHours() !== hour ||
    wall.getUTCMinutes() !== minute ||
    year < 2000 ||
    year > 2100
  ) {
    return null;
  }
  return new Date(wall.getTime() - VN_OFFSET_MS);
}

/** An instant as a datetime-local value in Việt Nam time ("2026-12-01T08:00"). */
export function toVietnamLocal(value: Date | string | null): string {
  if (value === null) return "";
  return new Date(new Date(value).getTime() + VN_OFFSET_MS).toISOString().slice(0, 16);
}

const optionalDateTime = preprocess(
  (v) => (v === undefined || v === null || (typeof v === "string" && v.trim() === "") ? null : v),
  z.nullable(
    z.pipe(
      z.string(),
      z.transform((value: string, payload) => fromVietnamLocal(value) ?? refuse(payload, "polls.errors.dateTime"))
    )
  )
);

// ---------------------------------------------------------------------------------------------------------------
// Small field types.

/** Optional single-line text: NFC, folded, at most `max` characters; empty means null. */
function optionalText(max: number) {
  return preprocess((v) => {
    if (typeof v !== "string") return v ?? null;
    const clean = v.normalize("NFC").replace(/\s+/g, " ").trim();
    return clean === "" ? null : clean;
  }, z.nullable(z.string().check(z.maxLength(max, "errors.tooLong"))));
}

/** Checkboxes sharing one name: nothing checked, one value (a plain post or react-hook-form), or several. */
function idList(requiredMessage: string) {
  return preprocess(
    (v) => (v === undefined || v === null || v === false || v === "" ? [] : Array.isArray(v) ? v : [v]),
    z
      .array(z.pipe(z.string().check(z.regex(/^\d{1,9}$/, "errors.invalid")), z.transform(Number)), {
        message: "errors.invalid",
      })
      .check(z.minLength(1, requiredMessage))
  );
}

/** A whole number typed in a text field, between min and max; `message` otherwise. */
export function wholeNumber(min: number, max: number, message: string) {
  return preprocess(
    (v) => (typeof v === "string" ? v.trim().replace(/[.\s](?=\d{3}\b)/g, "") : v),
    z
      .pipe(
        z
          .string({ message: "errors.required" })
          .check(z.minLength(1, "errors.required"), z.regex(/^\d{1,9}$/, "errors.invalidNumber")),
        z.transform(Number)
      )
      .check(z.refine((n) => n >= min && n <= max, message))
  );
}

function optionalWholeNumber(max: number) {
  return preprocess(
    (v) => (v === undefined || v === null || (typeof v === "string" && v.trim() === "") ? null : String(v).trim()),
    z.nullable(
      z
        .pipe(z.string().check(z.regex(/^\d{1,9}$/, "errors.invalidNumber")), z.transform(Number))
        .check(z.refine((n) => n <= max, "errors.invalidNumber"))
    )
  );
}

/**
 * A share as officers write it: "1/2", "2/3", "50%", "66,67%", "0,5" or "0.5". Returns the number in (0, 1], or
 * null when the text is none of these.
 */
export function parseShare(input: string): number | null {
  const text = input.normalize("NFC").replace(/\s+/g, "").replace(",", ".");
  let value: number;
  const fraction = /^(\d{1,6})\/(\d{1,6})$/.exec(text);
  const percent = /^(\d{1,3}(?:\.\d{1,4})?)%$/.exec(text);
  if (fraction) value = Number(fraction[1]) / Number(fraction[2]);
  else if (percent) value = Number(percent[1]) / 100;
  else if (/^(?:0(?:\.\d{1,6})?|1(?:\.0*)?)$/.test(text)) value = Number(text);
  else return null;
  return Number.isFinite(value) && value > 0 && value <= 1 ? value : null;
}

const shareField = preprocess(
  (v) => (typeof v === "string" ? v.trim() : v),
  z.pipe(
    z.string({ message: "errors.required" }).check(z.minLength(1, "errors.required")),
    z.transform((value: string, payload) => parseShare(value) ?? refuse(payload, "polls.errors.share"))
  )
);

// ---------------------------------------------------------------------------------------------------------------
// Creating and editing a poll.

const memberName = () => optionalText(MEMBER_NAME_MAX);
const memberRole = () => optionalText(MEMBER_ROLE_MAX);

export const pollSchema = z.pipe(
  z
    .object({
      kind: z.enum(["confidence_poll", "confidence_vote"], { message: "polls.errors.kind" }),
      title: requiredText(TITLE_MAX),
      place: requiredText(PLACE_MAX),
      positionIds: idList("polls.errors.noSubjects"),
      groupIds: idList("polls.errors.noGroups"),
      // A fixed number of name and role rows, so that the form needs no script to add one; blank rows are ignored.
      memberName1: memberName(),
      memberRole1: memberRole(),
      memberName2: memberName(),
      memberRole2: memberRole(),
      memberName3: memberName(),
      memberRole3: memberRole(),
      memberName4: memberName(),
      memberRole4: memberRole(),
      memberName5: memberName(),
      memberRole5: memberRole(),
      // The member's account, needed when the committee holds the key (a select of the unit's counting members).
      memberUser1: optionalWholeNumber(999_999_999),
      memberUser2: optionalWholeNumber(999_999_999),
      memberUser3: optionalWholeNumber(999_999_999),
      memberUser4: optionalWholeNumber(999_999_999),
      memberUser5: optionalWholeNumber(999_999_999),
      keyMode: preprocess(
        (v) => (v === undefined || v === null || v === "" ? "server" : v),
        z.enum(["server", "committee"], { message: "polls.errors.keyMode" })
      ),
      sharesRequired: optionalWholeNumber(COMMITTEE_ROWS),
      denominator: z.enum(["collected", "valid", "issued"], { message: "polls.errors.denominator" }),
      reviewAbove: shareField,
      dismissalAtLeast: shareField,
      noConfidenceAbove: shareField,
      quorum: shareField,
      k: wholeNumber(K_MIN, K_MAX, "polls.errors.kRange"),
      requiredConfirmations: wholeNumber(1, 9, "polls.errors.confirmationsRange"),
      scheduledOpenAt: optionalDateTime,
      scheduledCloseAt: optionalDateTime,
    })
    .check(
      z.superRefine((value, ctx) => {
        for (let row = 1; row <= COMMITTEE_ROWS; row++) {
          const name = value[`memberName${row}` as keyof typeof value];
          const role = value[`memberRole${row}` as keyof typeof value];
          if (name && !role) {
            ctx.addIssue({ code: "custom", path: [`memberRole${row}`], message: "polls.errors.memberRoleRequired" });
          }
          if (role && !name) {
            ctx.addIssue({ code: "custom", path: [`memberName${row}`], message: "polls.errors.memberNameRequired" });
          }
        }
        if (value.keyMode === "committee") {
          let members = 0;
          const accounts = new Set<number>();
          for (let row = 1; row <= COMMITTEE_ROWS; row++) {
            const name = value[`memberName${row}` as keyof typeof value];
            const userId = value[`memberUser${row}` as keyof typeof value] as number | null;
            if (!name) continue;
            members++;
            if (!userId) {
              ctx.addIssue({
                code: "custom",
                path: [`memberUser${row}`],
                message: "polls.errors.memberAccountRequired",
              });
            } else if (accounts.has(userId)) {
              ctx.addIssue({ code: "custom", path: [`memberUser${row}`], message: "polls.errors.memberAccountTwice" });
            } else accounts.add(userId);
          }
          if (members < 2) {
            ctx.addIssue({ code: "custom", path: ["sharesRequired"], message: "polls.errors.committeeTooSmall" });
          } else if (value.sharesRequired === null || value.sharesRequired < 2 || value.sharesRequired > members) {
            ctx.addIssue({ code: "custom", path: ["sharesRequired"], message: "polls.errors.sharesRange" });
          }
        }
        if (value.kind === "confidence_poll" && value.reviewAbove >= value.dismissalAtLeast) {
          ctx.addIssue({ code: "custom", path: ["reviewAbove"], message: "polls.errors.reviewBelowDismissal" });
        }
        if (value.scheduledOpenAt && value.scheduledCloseAt && value.scheduledCloseAt <= value.scheduledOpenAt) {
          ctx.addIssue({ code: "custom", path: ["scheduledCloseAt"], message: "polls.errors.closeBeforeOpen" });
        }
      })
    ),
  z.transform((value) => {
    const committee: { fullName: string; role: string; userId: number | null }[] = [];
    for (let row = 1; row <= COMMITTEE_ROWS; row++) {
      const fullName = value[`memberName${row}` as keyof typeof value] as string | null;
      const role = value[`memberRole${row}` as keyof typeof value] as string | null;
      const userId = value[`memberUser${row}` as keyof typeof value] as number | null;
      if (fullName && role) committee.push({ fullName, role, userId });
    }
    const rules: PollRules = {
      denominator: value.denominator,
      reviewAbove: value.reviewAbove,
      dismissalAtLeast: value.dismissalAtLeast,
      noConfidenceAbove: value.noConfidenceAbove,
      quorum: value.quorum,
      k: value.k,
    };
    return {
      kind: value.kind,
      title: value.title,
      place: value.place,
      positionIds: value.positionIds,
      groupIds: value.groupIds,
      committee,
      rules,
      requiredConfirmations: value.requiredConfirmations,
      scheduledOpenAt: value.scheduledOpenAt,
      scheduledCloseAt: value.scheduledCloseAt,
      keyMode: value.keyMode,
      sharesRequired: value.keyMode === "committee" ? value.sharesRequired : null,
    };
  })
);
export type PollFormData = z.infer<typeof pollSchema>;

/** The roles a committee row starts with, as the counting minutes name them. */
const DEFAULT_CHAIR_ROLE = "Trưởng ban";
const DEFAULT_MEMBER_ROLE = "Thành viên";

/** What the poll form shows before anything is typed: the defaults of DESIGN.md, or a draft's stored values. */
export function pollFormValues(
  poll?: {
    kind: string;
    title: string;
    place: string;
    rules: PollRules;
    required_confirmations: number;
    scheduled_open_at: Date | string | null;
    scheduled_close_at: Date | string | null;
    committee: { full_name: string; role: string; user_id?: number | null }[];
    key_mode?: string;
    shares_required?: number | null;
    positionIds: number[];
    groupIds: number[];
  },
  fallbackGroupIds: number[] = [],
  countingMembers: { id: number; full_name: string }[] = []
): Record<string, string> {
  const rules = poll?.rules ?? DEFAULT_RULES;
  const values: Record<string, string> = {
    kind: poll?.kind ?? "confidence_poll",
    title: poll?.title ?? "",
    place: poll?.place ?? "",
    positionIds: (poll?.positionIds ?? []).join(","),
    groupIds: (poll?.groupIds ?? fallbackGroupIds).join(","),
    denominator: rules.denominator,
    reviewAbove: formatFraction(rules.reviewAbove),
    dismissalAtLeast: formatFraction(rules.dismissalAtLeast),
    noConfidenceAbove: formatFraction(rules.noConfidenceAbove),
    quorum: formatFraction(rules.quorum),
    k: String(rules.k),
    requiredConfirmations: String(poll?.required_confirmations ?? 2),
    scheduledOpenAt: toVietnamLocal(poll?.scheduled_open_at ?? null),
    scheduledCloseAt: toVietnamLocal(poll?.scheduled_close_at ?? null),
    keyMode: poll?.key_mode ?? "server",
    sharesRequired: poll?.shares_required ? String(poll.shares_required) : "",
  };
  // A new poll's key goes to the counting committee wherever the unit has two counting accounts to hold it: the
  // committee rows start as those accounts, two of them needed to count. The server's key is for small polls.
  if (!poll && countingMembers.length >= 2) {
    values.keyMode = "committee";
    values.sharesRequired = "2";
    countingMembers.slice(0, COMMITTEE_ROWS).forEach((member, i) => {
      values[`memberName${i + 1}`] = member.full_name;
      values[`memberRole${i + 1}`] = i === 0 ? DEFAULT_CHAIR_ROLE : DEFAULT_MEMBER_ROLE;
      values[`memberUser${i + 1}`] = String(member.id);
    });
  }
  poll?.committee.slice(0, COMMITTEE_ROWS).forEach((member, i) => {
    values[`memberName${i + 1}`] = member.full_name;
    values[`memberRole${i + 1}`] = member.role;
    values[`memberUser${i + 1}`] = member.user_id ? String(member.user_id) : "";
  });
  return values;
}

/** A refused poll form keeps every checked box: checkbox lists travel as "1,2,3". */
export function pollFormRefusalValues(formData: FormData, values: Record<string, string>) {
  return {
    ...values,
    positionIds: formData.getAll("positionIds").map(String).join(","),
    groupIds: formData.getAll("groupIds").map(String).join(","),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The poll page's other forms.

/** Closing cannot be undone: the form's last button sends confirm=yes. */
export const closeSchema = z.object({
  confirm: z.literal("yes", { message: "polls.lifecycle.closeNotConfirmed" }),
});

export const issueSchema = z.object({
  groupId: preprocess(
    (v) => (typeof v === "string" ? v.trim() : v),
    z.pipe(
      z
        .string({ message: "polls.errors.groupRequired" })
        .check(z.minLength(1, "polls.errors.groupRequired"), z.regex(/^\d{1,9}$/, "errors.invalid")),
      z.transform(Number)
    )
  ),
  count: wholeNumber(1, MAX_ISSUE, "polls.credentials.countRange"),
});

export const handedOutSchema = z.object({
  batchId: unitIdField,
  handedOut: wholeNumber(0, 1_000_000, "errors.invalidNumber"),
});

export const voidBatchSchema = z.object({ batchId: unitIdField });

export const voidCodeSchema = z.object({ code: requiredText(80) });

/** Every slip not handed out, of one residential group or of one batch. */
export const voidUnhandedSchema = z
  .object({ groupId: optionalWholeNumber(999_999_999), batchId: optionalWholeNumber(999_999_999) })
  .check(z.refine((value) => (value.groupId === null) !== (value.batchId === null), "errors.invalid"));

export const confirmSchema = z.object({
  tallyHash: z.string({ message: "errors.invalid" }).check(z.regex(/^[0-9a-f]{64}$/, "errors.invalid")),
});

/** Multi-line text (complaints and how they were resolved): NFC, line ends unified, trimmed; empty means null. */
const optionalNotes = preprocess((v) => {
  if (typeof v !== "string") return v ?? null;
  const clean = v.normalize("NFC").replace(/\r\n?/g, "\n").trim();
  return clean === "" ? null : clean;
}, z.nullable(z.string().check(z.maxLength(COMPLAINTS_MAX, "errors.tooLong"))));

export const meetingSchema = z
  .object({
    summoned: optionalWholeNumber(1_000_000),
    present: optionalWholeNumber(1_000_000),
    complaints: optionalNotes,
  })
  .check(
    z.superRefine((value, ctx) => {
      if (value.summoned !== null && value.present !== null && value.present > value.summoned) {
        ctx.addIssue({ code: "custom", path: ["present"], message: "polls.errors.presentAboveSummoned" });
      }
    })
  );

/** The committee's shares entered at the counting meeting: one field per share, blank ones ignored. */
export const countSchema = z.object({
  shares: preprocess(
    (v) => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]),
    z.array(z.string().check(z.maxLength(200, "errors.tooLong")))
  ),
});

// ---------------------------------------------------------------------------------------------------------------
// Notices after a change redirected back to a page (`?notice=`).

export const POLL_NOTICES = {
  created: "polls.notice.created",
  updated: "polls.notice.updated",
  opened: "polls.notice.opened",
  closed: "polls.notice.closed",
  published: "polls.notice.published",
  confirmed: "polls.notice.confirmed",
  handedOut: "polls.notice.handedOut",
  batchVoided: "polls.notice.batchVoided",
  codeVoided: "polls.notice.codeVoided",
  unhandedVoided: "polls.notice.unhandedVoided",
  meetingSaved: "polls.notice.meetingSaved",
  closedAwaitingShares: "polls.notice.closedAwaitingShares",
  counted: "polls.notice.counted",
  acknowledged: "paper.warnings.saved",
} as const;

export function pollNotice(value: string | null, count?: string | null) {
  if (!value || !(value in POLL_NOTICES)) return null;
  const key = POLL_NOTICES[value as keyof typeof POLL_NOTICES];
  return { key, params: { count: Number(count ?? 0) || 0 } };
}

/** The tally hash as people compare it aloud: its first 16 hex digits in groups of 4 (as the minutes print it). */
export function shortHash(hash: string): string {
  return (hash.slice(0, 16).match(/.{1,4}/g) ?? []).join(" ");
}
