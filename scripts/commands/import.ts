import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { db } from "../../app/db.server";
import { translate } from "../../app/i18n/i18n";
import { MAX_FILE_BYTES, type ImportKind } from "../../app/imports/imports.schema";
import {
  commitSheet,
  findWard,
  ImportConflictError,
  ImportRejectedError,
  planImport,
  type ImportCounts,
  type RowError,
} from "../../app/imports/imports.server";
import { ImportFileError, readImportFile } from "../../app/imports/read-file.server";
import { CliError, withDatabase, type Command } from "../cli";

const KINDS: Record<string, ImportKind> = { groups: "residential_groups", cadres: "cadres" };
const USAGE = "import groups|cadres --ward ID_PHƯỜNG --file TỆP.csv|TỆP.xlsx [--dry-run]";

const vi = (message: Parameters<typeof translate>[1]) => translate("vi", message);

function describeErrors(errors: RowError[]) {
  return errors.map((e) =>
    e.column ? `Dòng ${e.line}, cột ${e.column}: ${vi(e.message)}` : `Dòng ${e.line}: ${vi(e.message)}`
  );
}

function describeCounts(kind: ImportKind, counts: ImportCounts, newTitles: string[]) {
  if (kind === "residential_groups") return [`${counts.groups} tổ dân phố`];
  const lines = [
    `${counts.positions} chức vụ của ${counts.newCadres + counts.existingCadres} cán bộ ` +
      `(${counts.newCadres} cán bộ mới, ${counts.existingCadres} cán bộ đã có)`,
  ];
  if (newTitles.length > 0)
    lines.push(`${newTitles.length} chức vụ mới trong danh sách của phường: ${newTitles.join(", ")}`);
  return lines;
}

async function checkFile(filePath: string) {
  const size = await stat(filePath).then(
    (s) => (s.isFile() ? s.size : null),
    () => null
  );
  if (size === null) throw new CliError(`Không mở được tệp ${filePath}.`);
  if (size > MAX_FILE_BYTES) throw new CliError(`${filePath}: ${vi("imports.file.tooLarge")}`);
}

/**
 * Imports a file into a ward with the same checks as the web page; writes everything or nothing. Uses the open
 * database (`db`); the command opens it first. Prints what it added, or throws a CliError that lists every row error.
 */
export async function importFile(
  { kind, wardId, filePath, dryRun }: { kind: ImportKind; wardId: number; filePath: string; dryRun: boolean },
  print: (line: string) => void = console.log
): Promise<{ counts: ImportCounts; newTitles: string[] }> {
  await checkFile(filePath);
  const ward = await findWard({ wardId });
  if (!ward) throw new CliError(`Không có phường nào có id ${wardId} (xem: npm run phieu -- units list).`);
  const fileName = path.basename(filePath);
  let sheet;
  try {
    sheet = await readImportFile({ kind, fileName, bytes: await readFile(filePath) });
  } catch (error) {
    if (error instanceof ImportFileError) throw new CliError(`${fileName}: ${vi(error.userMessage)}`);
    throw error;
  }
  const plan = await planImport({ wardId, kind, sheet });
  for (const warning of plan.warnings) print(`Lưu ý: ${vi(warning)}`);
  const refuse = (errors: RowError[]) =>
    new CliError(
      [...describeErrors(errors), `${errors.length} lỗi trong ${fileName}: chưa nhập gì vào ${ward.name}.`].join("\n")
    );
  if (plan.errors.length > 0) throw refuse(plan.errors);
  if (dryRun) {
    print(`Tệp hợp lệ (${plan.counts.rows} dòng). Nếu nhập sẽ thêm vào ${ward.name}:`);
    for (const line of describeCounts(kind, plan.counts, plan.newTitles)) print(`  ${line}`);
    print("Chạy thử (--dry-run): chưa lưu gì.");
    return { counts: plan.counts, newTitles: plan.newTitles };
  }
  try {
    const result = await db
      .transaction()
      .execute((tx) => commitSheet(tx, { wardId, kind, sheet, fileName, actor: { userId: null, label: "cli" } }));
    print(`Đã nhập ${fileName} vào ${ward.name}:`);
    for (const line of describeCounts(kind, result.counts, result.newTitles)) print(`  ${line}`);
    return result;
  } catch (error) {
    if (error instanceof ImportRejectedError) throw refuse(error.plan.errors);
    if (error instanceof ImportConflictError) {
      throw new CliError(`Dòng ${error.line} trùng với dữ liệu vừa được thêm cùng lúc: chưa nhập gì. Hãy chạy lại.`);
    }
    throw error;
  }
}

export const importCommand: Command = {
  name: "import",
  usage: USAGE,
  options: {
    ward: { type: "string" },
    file: { type: "string" },
    "dry-run": { type: "boolean" },
  },
  async run({ values, positionals }) {
    const kind = KINDS[positionals[0] ?? ""];
    if (!kind || positionals.length !== 1)
      throw new CliError(`Cần chọn groups hoặc cadres.\nCách dùng: npm run phieu -- ${USAGE}`);
    const wardId = /^\d{1,9}$/.test(String(values.ward ?? "")) ? Number(values.ward) : 0;
    if (wardId <= 0) throw new CliError(`Cần id của phường (--ward).\nCách dùng: npm run phieu -- ${USAGE}`);
    if (typeof values.file !== "string" || values.file === "") {
      throw new CliError(`Cần đường dẫn tệp (--file).\nCách dùng: npm run phieu -- ${USAGE}`);
    }
    const filePath = path.resolve(values.file);
    await checkFile(filePath);
    await withDatabase(() => importFile({ kind, wardId, filePath, dryRun: Boolean(values["dry-run"]) }));
  },
};
