import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db, openDatabase } from "~/db.server";
import { migrateToLatest } from "../../db/migrate";
import { CliError } from "../../scripts/cli";
import { importFile } from "../../scripts/commands/import";
import { createWards } from "../../tests/setup/fixtures";

const root = path.resolve(import.meta.dirname, "../..");
const fixture = (name: string) => path.join(import.meta.dirname, "fixtures", name);

function tempFile(name: string, content: string | Uint8Array) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "phieu-import-"));
  const file = path.join(folder, name);
  fs.writeFileSync(file, content);
  return file;
}

async function runImport(args: Parameters<typeof importFile>[0]) {
  const printed: string[] = [];
  try {
    await importFile(args, (line) => printed.push(line));
    return { ok: true as const, printed };
  } catch (error) {
    if (error instanceof CliError) return { ok: false as const, printed, message: error.message };
    throw error;
  }
}

const count = async (table: "units" | "cadres" | "positions") =>
  Number((await db.selectFrom(table).select(db.fn.countAll<string>().as("n")).executeTakeFirstOrThrow()).n);

describe("npm run phieu -- import", () => {
  it("validates only with --dry-run, then commits with the audit actor “cli”", async () => {
    const { ward } = await createWards();
    const dry = await runImport({
      kind: "cadres",
      wardId: ward.id,
      filePath: fixture("cadres-good.csv"),
      dryRun: true,
    });
    expect(dry.ok).toBe(true);
    expect(dry.printed.join("\n")).toContain("4 chức vụ của 3 cán bộ (3 cán bộ mới, 0 cán bộ đã có)");
    expect(dry.printed.join("\n")).toContain("Lưu ý: Các cột sau không dùng đến và được bỏ qua: “Ghi chú”.");
    expect(await count("cadres")).toBe(0);

    const done = await runImport({
      kind: "cadres",
      wardId: ward.id,
      filePath: fixture("cadres-good.csv"),
      dryRun: false,
    });
    expect(done.printed[done.printed.length - 2]).toContain("4 chức vụ của 3 cán bộ");
    expect(done.printed.join("\n")).toContain(
      "1 chức vụ mới trong danh sách của phường: Trưởng ban Thanh tra nhân dân"
    );
    expect(await count("positions")).toBe(4);
    const audit = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "import.commit")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_user_id: null, actor_label: "cli", unit_id: ward.id });
    expect(audit.details).toMatchObject({ kind: "cadres", fileName: "cadres-good.csv", draftId: null, positions: 4 });

    const again = await runImport({
      kind: "cadres",
      wardId: ward.id,
      filePath: fixture("cadres-good.csv"),
      dryRun: false,
    });
    expect(again.ok).toBe(false);
    expect(await count("positions")).toBe(4);
  });

  it("prints every row error as “Dòng N, cột X: lý do” and stores nothing", async () => {
    const { ward } = await createWards();
    const name = "Tổ dân phố Hòa Bình";
    const file = tempFile("to.csv", `Tên tổ dân phố\n${name}\n${name.normalize("NFD")}\n${"x".repeat(101)}\n`);
    const result = await runImport({ kind: "residential_groups", wardId: ward.id, filePath: file, dryRun: false });
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toBe(
      [
        "Dòng 3, cột Tên tổ dân phố: Trùng với dòng 2 trong tệp.",
        "Dòng 4, cột Tên tổ dân phố: Nội dung quá dài (tối đa 100 ký tự).",
        "2 lỗi trong to.csv: chưa nhập gì vào Phường Thanh Xuân.",
      ].join("\n")
    );
    expect(await count("units")).toBe(6);

    const bad = await runImport({
      kind: "cadres",
      wardId: ward.id,
      filePath: fixture("cadres-bad-row.csv"),
      dryRun: true,
    });
    expect(bad.ok ? "" : bad.message).toContain("Dòng 4, cột Từ ngày: Ngày không có thật");
  });

  it("refuses unreadable files, missing files and units that are not wards with a clear message", async () => {
    const { ward, group1 } = await createWards();
    const cp1258 = tempFile("tcvn.csv", Uint8Array.from([0x54, 0xea, 0x6e, 0x0a, 0x54, 0xf4, 0xd2, 0x20, 0x31, 0x0a]));
    const notUtf8 = await runImport({ kind: "residential_groups", wardId: ward.id, filePath: cp1258, dryRun: true });
    expect(notUtf8.ok ? "" : notUtf8.message).toMatch(/^tcvn\.csv: Tệp CSV không dùng bảng mã UTF-8.*CSV UTF-8/);
    const missing = await runImport({ kind: "cadres", wardId: ward.id, filePath: "/khong/co/tep.csv", dryRun: true });
    expect(missing.ok ? "" : missing.message).toBe("Không mở được tệp /khong/co/tep.csv.");
    const group = await runImport({
      kind: "cadres",
      wardId: group1.id,
      filePath: fixture("cadres-good.csv"),
      dryRun: true,
    });
    expect(group.ok ? "" : group.message).toMatch(/^Không có phường nào có id/);
  });

  it("runs as a process on an embedded data folder, exiting 1 with the row errors", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "phieu-cli-"));
    try {
      const opened = await openDatabase({ dataDir });
      let wardId: number;
      try {
        await migrateToLatest(opened.db);
        const province = await opened.db
          .insertInto("units")
          .values({ kind: "province", name: "Thành phố Hà Nội", parent_id: null })
          .returning("id")
          .executeTakeFirstOrThrow();
        wardId = (
          await opened.db
            .insertInto("units")
            .values({ kind: "ward", name: "Phường Thanh Xuân", parent_id: province.id })
            .returning("id")
            .executeTakeFirstOrThrow()
        ).id;
      } finally {
        await opened.close();
      }
      const cli = (args: string[]) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const env: NodeJS.ProcessEnv = { ...process.env, PHIEU_DATA_DIR: dataDir, DATABASE_URL: "" };
          const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["scripts/phieu.ts", ...args], {
            cwd: root,
            env,
          });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (chunk) => (stdout += chunk));
          child.stderr.on("data", (chunk) => (stderr += chunk));
          child.on("close", (code) => resolve({ code, stdout, stderr }));
        });
      // One run that opens the database (each takes seconds): the file is read, checked against the ward (which has
      // no residential groups here), and refused.
      const bad = await cli(["import", "cadres", "--ward", String(wardId), "--file", fixture("cadres-bad-row.csv")]);
      expect(bad.code, bad.stderr).toBe(1);
      expect(bad.stdout).toContain("Lưu ý: Các cột sau không dùng đến và được bỏ qua: “Ghi chú”.");
      expect(bad.stderr).toContain("Dòng 4, cột Từ ngày: Ngày không có thật");
      expect(bad.stderr).toContain("2 lỗi trong cadres-bad-row.csv: chưa nhập gì vào Phường Thanh Xuân.");
      const usage = await cli(["import", "people", "--ward", String(wardId), "--file", fixture("groups-good.csv")]);
      expect(usage.code).toBe(1);
      expect(usage.stderr).toContain("Cần chọn groups hoặc cadres.");
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(`${dataDir}-keys`, { recursive: true, force: true });
    }
  }, 120_000);
});
