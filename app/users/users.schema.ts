import * as z from "zod/mini";
import { passwordRules, USERNAME_PATTERN } from "~/auth/auth.schema";
import { nfc, requiredText } from "~/components/text";
import type { Role } from "../../db/schema";

const ROLE_VALUES = [
  "admin",
  "front_officer",
  "counting_member",
  "committee_reader",
] as const satisfies readonly Role[];

/** Trimmed and lower-cased before the check, as the login form does, so "MatTran " and "mattran" are one account. */
export const usernameField = nfc(
  z
    .string({ message: "errors.required" })
    .check(
      z.trim(),
      z.toLowerCase(),
      z.minLength(1, "errors.required"),
      z.regex(USERNAME_PATTERN, "auth.usernameInvalid")
    )
);

export const roleField = z.enum(ROLE_VALUES, { message: "users.roleRequired" });

/** A unit id, or "all" for a grant over every unit; at most nine digits so it always fits the integer column. */
export const GLOBAL_UNIT = "all";
export const unitField = z.pipe(
  z
    .string({ message: "users.unitRequired" })
    .check(z.minLength(1, "users.unitRequired"), z.regex(/^(?:all|[1-9][0-9]{0,8})$/, "errors.invalid")),
  z.transform((v) => (v === GLOBAL_UNIT ? null : Number(v)))
);

function globalOnlyForAdmin(value: { role: Role; unitId: number | null }) {
  return value.unitId !== null || value.role === "admin";
}
const globalOnlyForAdminIssue = { path: ["unitId"], message: "users.globalAdminOnly" };

export const createAccountSchema = z
  .object({
    username: usernameField,
    fullName: requiredText(120),
    password: passwordRules,
    role: roleField,
    unitId: unitField,
  })
  .check(z.refine(globalOnlyForAdmin, globalOnlyForAdminIssue));
export type CreateAccountInput = z.infer<typeof createAccountSchema>;

export const updateAccountSchema = z.object({ fullName: requiredText(120) });

export const addGrantSchema = z
  .object({ role: roleField, unitId: unitField })
  .check(z.refine(globalOnlyForAdmin, globalOnlyForAdminIssue));
export type AddGrantInput = z.infer<typeof addGrantSchema>;

export const removeGrantSchema = z.object({
  grantId: z.pipe(
    z.string({ message: "errors.invalid" }).check(z.regex(/^[1-9][0-9]{0,8}$/, "errors.invalid")),
    z.transform(Number)
  ),
});

export const resetPasswordSchema = z.object({ newPassword: passwordRules });

/** The forms of the account page; each posts its name in a hidden `intent` field. */
export const ACCOUNT_INTENTS = ["update", "grant.add", "grant.remove", "disable", "enable", "password.reset"] as const;
export type AccountIntent = (typeof ACCOUNT_INTENTS)[number];
