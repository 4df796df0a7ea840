import * as z from "zod/mini";
import { preprocess, requiredText } from "~/components/text";

export const UNIT_NAME_MAX = 100;

/** A unit id posted by a form (a select or a hidden field); a tampered value is checked against the ward later. */
export const unitIdField = preprocess(
  (v) => (typeof v === "string" ? v.trim() : v),
  z.pipe(
    z
      .string({ message: "errors.required" })
      .check(z.minLength(1, "errors.required"), z.regex(/^\d{1,9}$/, "errors.invalid")),
    z.transform(Number)
  )
);

export const unitNameSchema = z.object({ name: requiredText(UNIT_NAME_MAX) });
export type UnitNameInput = z.infer<typeof unitNameSchema>;

/** Renaming a residential group listed on its ward's page. */
export const renameGroupSchema = z.object({ groupId: unitIdField, name: requiredText(UNIT_NAME_MAX) });

export const deleteGroupSchema = z.object({ groupId: unitIdField });

export const createWardSchema = z.object({ provinceId: unitIdField, name: requiredText(UNIT_NAME_MAX) });

export const renameAdminUnitSchema = z.object({ unitId: unitIdField, name: requiredText(UNIT_NAME_MAX) });

/** The notices a page shows after a change redirected back to it (`?notice=`). */
export const UNIT_NOTICES = {
  groupCreated: "units.notice.groupCreated",
  renamed: "units.notice.renamed",
  groupDeleted: "units.notice.groupDeleted",
  provinceCreated: "units.notice.provinceCreated",
  wardCreated: "units.notice.wardCreated",
} as const;
export type UnitNotice = keyof typeof UNIT_NOTICES;

export function unitNotice(value: string | null) {
  return value && value in UNIT_NOTICES ? UNIT_NOTICES[value as UnitNotice] : null;
}
