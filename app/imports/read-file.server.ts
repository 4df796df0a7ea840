// Reads an officer's CSV or XLSX file into a header and rows of NFC text, with the line number of each row as
// the officer sees it in the file. Anything that cannot be read ends in an ImportFileError with a message key.
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import type { Message } from "~/i18n/i18n";
import { columnForHeader, IMPORT_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, type ImportKind } from "./imports.schema";

export class ImportFileError extends Error {
  constructor(readonly userMessage: Message, readonly status: 400 | 413 = 400) {
    super(typeof userMessage === "string" ? userMessage : userMessage.key);
  }
}

export interface SheetRow {
  /** The line in the file (the header is line 1 in a file that starts with it). */
  line: number;
  /** Cell text per column field; columns the file lacks are absent. */
  values: Record<string, string>;
  /** A CSV row with text under no header (an unquoted separator inside a name). */
  overflow: boolean;
}

/** What an import draft stores: the file's rows, read and normalized, not yet checked against the ward. */
export interface ParsedSheet {
  /** The header each known column has in this file, for messages that name a column. */
  columns: Record<string, string>;
  unknownColumns: string[];
  rows: SheetRow[];
}

interface RawTable {
  format: "csv" | "xlsx";
  records: { line: number; cells: string[] }[];
}

// An XLSX is a zip: its parts are counted before they are inflated, so that 2 MB cannot unpack into gigabytes.
const MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024;
// A header row may sit below a title row or two ("DANH SÁCH CÁN BỘ ..."); look for it this far.
const HEADER_SEARCH_ROWS = 10;

export async function readImportFile({
  kind,
  fileName,
  bytes,
}: {
  kind: ImportKind;
  fileName: string;
  bytes: Uint8Array;
}): Promise<ParsedSheet> {
  if (bytes.byteLength > MAX_FILE_BYTES) throw new ImportFileError("imports.file.tooLarge", 413);
  if (bytes.byteLength === 0) throw new ImportFileError("imports.file.empty");
  const format = detectFormat(fileName, bytes);
  const table = format === "xlsx" ? await readXlsx(bytes) : readCsv(bytes);
  return toSheet(kind, table);
}

function startsWith(bytes: Uint8Array, signature: number[]) {
  return signature.every((b, i) => bytes[i] === b);
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0]; // Excel 97–2003 (.xls)

function detectFormat(fileName: string, bytes: Uint8Array): "csv" | "xlsx" {
  const extension = /\.([^./\\]+)$/.exec(fileName.trim())?.[1]?.toLowerCase() ?? "";
  if (extension === "xls" || startsWith(bytes, OLE)) throw new ImportFileError("imports.file.oldXls");
  if (extension === "xlsx") {
    if (!startsWith(bytes, ZIP)) throw new ImportFileError("imports.file.badXlsx");
    return "xlsx";
  }
  if (extension === "csv" || extension === "txt") {
    // A workbook saved under a .csv name is still a workbook.
    return startsWith(bytes, ZIP) ? "xlsx" : "csv";
  }
  throw new ImportFileError("imports.file.unknownType");
}

// ---------------------------------------------------------------------------------------------------------------
// CSV

function decodeText(bytes: Uint8Array): string {
  let encoding = "utf-8";
  let body = bytes;
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) body = bytes.subarray(3);
  else if (startsWith(bytes, [0xff, 0xfe])) [encoding, body] = ["utf-16le", bytes.subarray(2)];
  else if (startsWith(bytes, [0xfe, 0xff])) [encoding, body] = ["utf-16be", bytes.subarray(2)];
  else if (bytes.includes(0)) throw new ImportFileError("imports.file.notText");
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(body);
  } catch {
    // Windows-1258, TCVN3 (ABC) and VNI bytes are not valid UTF-8.
    throw new ImportFileError(encoding === "utf-8" ? "imports.file.notUtf8" : "imports.file.notText");
  }
}

/** The separator the first lines use most, outside quotes: Excel in a Vietnamese locale writes semicolons. */
function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [",", 0],
    [";", 0],
    ["\t", 0],
  ]);
  let quoted = false;
  let lines = 0;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === "\n" && ++lines >= HEADER_SEARCH_ROWS) break;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best = ",";
  for (const [delimiter, count] of counts) if (count > counts.get(best)!) best = delimiter;
  return best;
}

function readCsv(bytes: Uint8Array): RawTable {
  const text = decodeText(bytes);
  if (text.includes("\u0000")) throw new ImportFileError("imports.file.notText");
  if (text.replace(/[\s\uFEFF]/g, "") === "") throw new ImportFileError("imports.file.empty");
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      delimiter: detectDelimiter(text),
      bom: true,
      relax_column_count: true,
      // A quote typed inside a name (Nguyễn Văn "Ba") is kept as text; an unclosed quoted cell is still an error.
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new ImportFileError({ key: "imports.file.badCsv", params: { line: line ?? "?" } });
  }
  return {
    format: "csv",
    records: parsed.map(({ record, info }) => {
      // `lines` counts to the end of the record; a quoted cell may span lines, and the row starts where it starts.
      const inner = record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
      return { line: info.lines - inner, cells: record.map(cleanCell) };
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// XLSX

/** Sums the unpacked sizes the zip's central directory declares; null when there is no directory (truncated). */
function zipUnpackedSize(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lowest = Math.max(0, bytes.byteLength - 22 - 0xffff);
  for (let at = bytes.byteLength - 22; at >= lowest; at--) {
    if (view.getUint32(at, true) !== 0x06054b50) continue;
    const entries = view.getUint16(at + 10, true);
    let offset = view.getUint32(at + 16, true);
    let total = 0;
    for (let i = 0; i < entries; i++) {
      if (offset + 46 > bytes.byteLength || view.getUint32(offset, true) !== 0x02014b50) return null;
      total += view.getUint32(offset + 24, true);
      offset +=
        46 + view.getUint16(offset + 28, true) + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
    }
    return total;
  }
  return null;
}

async function readXlsx(bytes: Uint8Array): Promise<RawTable> {
  const unpacked = zipUnpackedSize(bytes);
  if (unpacked === null) throw new ImportFileError("imports.file.badXlsx");
  if (unpacked > MAX_XLSX_UNPACKED_BYTES) throw new ImportFileError("imports.file.tooLarge", 413);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes.slice().buffer);
  } catch {
    throw new ImportFileError("imports.file.badXlsx");
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new ImportFileError("imports.file.empty");
  const records: RawTable["records"] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values = Array.isArray(row.values) ? row.values : [];
    const cells: string[] = [];
    // row.values is 1-based (index 0 is empty).
    for (let i = 1; i < values.length; i++) cells.push(cleanCell(cellText(values[i])));
    records.push({ line: rowNumber, cells });
  });
  return { format: "xlsx", records };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The text of an Excel cell: dates as 'YYYY-MM-DD' (Excel stores them as UTC midnight), formulas by their result. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return "";
    return `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object") {
    const cell = value as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: string };
    if (Array.isArray(cell.richText)) return cell.richText.map((part) => part.text).join("");
    if ("result" in cell) return cellText(cell.result);
    if (typeof cell.error === "string") return cell.error;
    if (cell.text !== undefined) return cellText(cell.text);
  }
  return "";
}

// ---------------------------------------------------------------------------------------------------------------

/** NFC, no zero-width characters, white space folded and trimmed: the form every value is checked and stored in. */
function cleanCell(value: string): string {
  return value
    .normalize("NFC")
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

function toSheet(kind: ImportKind, table: RawTable): ParsedSheet {
  const records = table.records.filter((r) => r.cells.some((cell) => cell !== ""));
  if (records.length === 0) throw new ImportFileError("imports.file.empty");
  // The header is the first row that names a known column, or else the first row (then columns are missing).
  const headerIndex = Math.max(
    0,
    records
      .slice(0, HEADER_SEARCH_ROWS)
      .findIndex((r) => r.cells.some((cell) => cell !== "" && columnForHeader(kind, cell) !== null))
  );
  const header = records[headerIndex].cells;
  const fieldAt: (string | null)[] = [];
  const columns: Record<string, string> = {};
  const unknownColumns: string[] = [];
  header.forEach((cell, index) => {
    fieldAt[index] = null;
    if (cell === "") return;
    const column = columnForHeader(kind, cell);
    if (!column) {
      unknownColumns.push(cell);
      return;
    }
    if (column.field in columns) {
      throw new ImportFileError({ key: "imports.file.duplicateColumn", params: { column: cell } });
    }
    columns[column.field] = cell;
    fieldAt[index] = column.field;
  });
  const missing = IMPORT_COLUMNS[kind].filter((c) => c.required && !(c.field in columns));
  if (missing.length > 0) {
    throw new ImportFileError({
      key: "imports.file.missingColumns",
      params: { columns: missing.map((c) => `“${c.header}”`).join(", ") },
    });
  }
  const body = records.slice(headerIndex + 1);
  if (body.length === 0) throw new ImportFileError("imports.file.noRows");
  if (body.length > MAX_ROWS) {
    throw new ImportFileError({ key: "imports.file.tooManyRows", params: { count: body.length, max: MAX_ROWS } });
  }
  const rows = body.map(({ line, cells }) => {
    const values: Record<string, string> = {};
    for (const field of Object.keys(columns)) values[field] = "";
    cells.forEach((cell, index) => {
      const field = fieldAt[index];
      if (field) values[field] = cell;
    });
    // In a CSV, text in a column without a header is a name cut in two by an unquoted separator.
    const overflow = table.format === "csv" && cells.some((cell, index) => cell !== "" && !header[index]);
    return { line, values, overflow };
  });
  return { columns, unknownColumns, rows };
}
