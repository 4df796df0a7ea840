import * as z from "zod/mini";
import { nameKey, preprocess, refuse, requiredText } from "~/components/text";
import { CADRE_NAME_MAX, MIN_BIRTH_YEAR, parseDateInput, TITLE_NAME_MAX } from "~/cadres/cadres.schema";
import { UNIT_NAME_MAX } from "~/units/units.schema";
import type { MessageKey } from "~/i18n/i18n";
import type { ImportKind } from "../../db/schema";

export type { ImportKind };
export const IMPORT_KINDS = ["residential_groups", "cadres"] as const satisfies readonly ImportKind[];

export const MAX_FILE_BYTES = 2 * 1024 * 1024;
export const MAX_ROWS = 5000;

export interface ImportColumn {
  field: string;
  /** The header the template writes, and the name used in messages. */
  header: string;
  /** Every header accepted for the column (compared NFC, case-insensitive, trimmed; accents count). */
  aliases: string[];
  required: boolean;
  hint: MessageKey;
}

export const IMPORT_COLUMNS: Record<ImportKind, ImportColumn[]> = {
  residential_groups: [
    {
      field: "name",
      header: "Tên tổ dân phố",
      aliases: ["Tên tổ dân phố", "Tên", "Name"],
      required: true,
      hint: "imports.hint.groupName",
    },
  ],
  cadres: [
    {
      field: "fullName",
      header: "Họ và tên",
      aliases: ["Họ và tên", "Họ tên", "Full name"],
      required: true,
      hint: "imports.hint.fullName",
    },
    {
      field: "birthYear",
      header: "Năm sinh",
      aliases: ["Năm sinh", "Birth year"],
      required: false,
      hint: "imports.hint.birthYear",
    },
    { field: "title", header: "Chức vụ", aliases: ["Chức vụ", "Title"], required: true, hint: "imports.hint.title" },
    { field: "unit", header: "Đơn vị", aliases: ["Đơn vị", "Unit"], required: false, hint: "imports.hint.unit" },
    {
      field: "startedOn",
      header: "Từ ngày",
      aliases: ["Từ ngày", "Start date"],
      required: true,
      hint: "imports.hint.startedOn",
    },
  ],
};

/** The column a header names, or null; `header` is already NFC-normalized and trimmed by the reader. */
export function columnForHeader(kind: ImportKind, header: string): ImportColumn | null {
  const key = nameKey(header);
  return IMPORT_COLUMNS[kind].find((c) => c.aliases.some((alias) => nameKey(alias) === key)) ?? null;
}

// ---------------------------------------------------------------------------------------------------------------
// Forms of the import page.

function hasFile(value: unknown): boolean {
  // Two files under one name arrive as an array: the form has one file input, so that is not a file chosen.
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  // A FileList in the browser, a File on the server (an empty file input posts a file without a name).
  if ("length" in value && typeof value.length === "number") return value.length > 0;
  return "name" in value && typeof value.name === "string" && value.name !== "";
}

export const uploadSchema = z.object({
  kind: z.enum(IMPORT_KINDS, { message: "imports.kindRequired" }),
  file: z.custom<File>(hasFile, { message: "imports.file.required" }),
});

export const commitSchema = z.object({
  draftId: z.string().check(z.uuid("imports.draftMissing")),
});

export function isImportKind(value: unknown): value is ImportKind {
  return typeof value === "string" && (IMPORT_KINDS as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------------------------------------------
// One row of a file. Cells arrive as NFC text with folded white space; these schemas say what each may hold.

const blankToNull = (v: unknown) => (v === undefined || v === null || v === "" ? null : v);

function currentYear() {
  return new Date().getFullYear();
}

const birthYearCell = preprocess(
  blankToNull,
  z.nullable(
    z
      .pipe(z.string().check(z.regex(/^\d{4}$/, "imports.row.badYear")), z.transform(Number))
      .check(z.refine((year) => year >= MIN_BIRTH_YEAR && year <= currentYear(), "imports.row.badYear"))
  )
);

const DATE_SHAPE = /^\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}$|^\d{4}-\d{1,2}-\d{1,2}$/;

const dateCell = z.pipe(
  z.string({ message: "errors.required" }).check(z.minLength(1, "errors.required")),
  z.transform((value: string, payload) => {
    const iso = parseDateInput(value);
    if (iso !== null) return iso;
    // A well-formed date that no calendar has (31/02) gets its own message: the officer looks for a typo.
    return refuse(payload, DATE_SHAPE.test(value) ? "imports.row.impossibleDate" : "imports.row.badDate");
  })
);

export const groupRowSchema = z.object({ name: requiredText(UNIT_NAME_MAX) });
export type GroupRow = z.infer<typeof groupRowSchema>;

export const cadreRowSchema = z.object({
  fullName: requiredText(CADRE_NAME_MAX),
  birthYear: birthYearCell,
  title: requiredText(TITLE_NAME_MAX),
  unit: preprocess(blankToNull, z.nullable(z.string())),
  startedOn: dateCell,
});
export type CadreRow = z.infer<typeof cadreRowSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Templates: a CSV with the expected header and an example row, for the officer to fill in Excel.

function csvCell(value: string) {
  return /[",;\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function templateCsv(kind: ImportKind, { groupName }: { groupName: string | null }): string {
  const headers = IMPORT_COLUMNS[kind].map((c) => c.header);
  const examples =
    kind === "residential_groups"
      ? [["Tổ dân phố số 7"], ["Tổ dân phố số 8"]]
      : [
          ["Nguyễn Văn An", "1975", "Chủ tịch UBND", "", "01/07/2021"],
          ["Nguyễn Văn An", "1975", "Phó Bí thư Đảng ủy", "", "01/07/2021"],
          ["Trần Thị Bình", "1968", "Tổ trưởng tổ dân phố", groupName ?? "", "2024-01-15"],
        ];
  // The BOM tells Excel the file is UTF-8, so Vietnamese names open intact.
  return "\uFEFF" + [headers, ...examples].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

export function templateFileName(kind: ImportKind) {
  return kind === "residential_groups" ? "mau-to-dan-pho.csv" : "mau-can-bo.csv";
}
