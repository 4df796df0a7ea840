import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { usingPostgres } from "../tests/setup/database";
import { currentDatabase, db, useDatabase } from "./db.server";
import { logger } from "./logger.server";
import {
  restrictNewFileModes,
  securePrivateFolder,
  startupHardeningWarnings,
  statementLoggingRisks,
} from "./private-folder.server";
import { startDatabase } from "./startup.server";

const root = path.resolve(import.meta.dirname, "..");
const folders: string[] = [];

function tempFolder() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "phieu-private-"));
  folders.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const modeOf = (file: string) => fs.lstatSync(file).mode & 0o7777;

/** Every folder and file under `dir` (links skipped), with its permission bits. */
function entriesUnder(dir: string): { file: string; folder: boolean; mode: number }[] {
  const found: { file: string; folder: boolean; mode: number }[] = [];
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    const stats = fs.lstatSync(file);
    if (stats.isSymbolicLink()) continue;
    found.push({ file, folder: stats.isDirectory(), mode: stats.mode & 0o7777 });
    if (stats.isDirectory()) found.push(...entriesUnder(file));
  }
  return found;
}

/** What another local account could open: a folder not 0700, a file with any bit beyond its owner's read and write. */
function openToOthers(dir: string) {
  return entriesUnder(dir)
    .filter(({ folder, mode }) => (folder ? mode !== 0o700 : (mode & 0o177) !== 0))
    .map(({ file, mode }) => `${path.relative(dir, file)} ${mode.toString(8)}`);
}

describe("securePrivateFolder", () => {
  it("creates a missing folder for its owner alone", () => {
    const folder = path.join(tempFolder(), "data", "inner");
    expect(securePrivateFolder(folder)).toEqual({ corrected: [] });
    expect(modeOf(folder)).toBe(0o700);
  });

  it("narrows the folder and everything in it to its owner, leaves links and what they point to alone", () => {
    const base = tempFolder();
    const data = path.join(base, "data");
    const outside = path.join(base, "outside");
    fs.mkdirSync(path.join(data, "pg_wal"), { recursive: true });
    fs.mkdirSync(outside);
    const files = {
      segment: path.join(data, "pg_wal", "000000010000000000000001"),
      script: path.join(data, "run.sh"),
      readOnly: path.join(data, "PG_VERSION"),
      private: path.join(data, "postmaster.pid"),
      shared: path.join(outside, "shared.txt"),
    };
    for (const file of Object.values(files)) fs.writeFileSync(file, "x");
    fs.chmodSync(data, 0o755);
    fs.chmodSync(path.join(data, "pg_wal"), 0o777);
    fs.chmodSync(files.segment, 0o666);
    fs.chmodSync(files.script, 0o4755);
    fs.chmodSync(files.readOnly, 0o400);
    fs.chmodSync(files.private, 0o600);
    fs.chmodSync(files.shared, 0o644);
    fs.chmodSync(outside, 0o755);
    fs.symlinkSync(files.shared, path.join(data, "link-to-file"));
    fs.symlinkSync(outside, path.join(data, "link-to-folder"));

    const { corrected } = securePrivateFolder(data);

    expect(corrected.sort()).toEqual([data, path.join(data, "pg_wal"), files.segment, files.script].sort());
    expect(modeOf(data)).toBe(0o700);
    expect(modeOf(path.join(data, "pg_wal"))).toBe(0o700);
    expect(modeOf(files.segment)).toBe(0o600);
    expect(modeOf(files.script)).toBe(0o600);
    // Never widened: a file its owner made read-only stays so.
    expect(modeOf(files.readOnly)).toBe(0o400);
    expect(modeOf(files.private)).toBe(0o600);
    expect(modeOf(files.shared)).toBe(0o644);
    expect(modeOf(outside)).toBe(0o755);
    expect(securePrivateFolder(data)).toEqual({ corrected: [] });
  });
});

describe("files created after the start", () => {
  const umask = process.umask();
  afterEach(() => {
    process.umask(umask);
  });

  it("are their owner's alone once the umask is restricted", () => {
    const folder = tempFolder();
    restrictNewFileModes();
    fs.writeFileSync(path.join(folder, "file"), "x");
    fs.mkdirSync(path.join(folder, "folder"));
    expect(modeOf(path.join(folder, "file"))).toBe(0o600);
    expect(modeOf(path.join(folder, "folder"))).toBe(0o700);
  });
});

// PGlite needs some seconds to write a new data folder: the child process that opens one on its own runs from the
// start of the file, beside the test that starts the server's way.
describe("the embedded data folder", () => {
  let alone: Promise<{ dataDir: string; code: number | null; stderr: string }>;
  beforeAll(() => {
    const dataDir = path.join(tempFolder(), "data");
    // In a child, because the umask is the process's: PGlite with only the umask restricted.
    const script = `process.umask(0o077);
      const { PGlite } = await import("@electric-sql/pglite");
      const pglite = await PGlite.create({ dataDir: process.env.PGLITE_DIR });
      await pglite.close();`;
    alone = new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
        cwd: root,
        env: { ...process.env, PGLITE_DIR: dataDir },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.on("error", reject);
      child.on("exit", (code) => resolve({ dataDir, code, stderr }));
    });
  });

  it("is its owner's alone once the server has started, stays so as the database writes, and is mended at a start", async () => {
    const umask = process.umask();
    const previous = currentDatabase();
    const warn = vi.spyOn(logger, "warn");
    const folderLines = () => warn.mock.calls.filter((call) => String(call[1]).includes("thư mục dữ liệu"));
    const dataDir = path.join(tempFolder(), "data");
    try {
      const first = await startDatabase({ dataDir });
      try {
        expect(openToOthers(dataDir)).toEqual([]);
        // New tables, a truncated one's new file, a new write-ahead log segment and recycled ones.
        await sql`create table later (n int)`.execute(first.opened.db);
        await sql`insert into later select generate_series(1, 50000)`.execute(first.opened.db);
        await sql`truncate later`.execute(first.opened.db);
        await sql`insert into later select generate_series(1, 50000)`.execute(first.opened.db);
        await sql`select pg_switch_wal()`.execute(first.opened.db);
        await sql`checkpoint`.execute(first.opened.db);
        expect(openToOthers(dataDir)).toEqual([]);
      } finally {
        await first.opened.close();
      }
      expect(openToOthers(dataDir)).toEqual([]);
      // PGlite's own files, narrowed as it wrote them: nothing to report.
      expect(folderLines()).toEqual([]);

      // Opened to others while no server held it (a copy restored, say): the next start says so and mends it.
      fs.chmodSync(dataDir, 0o755);
      fs.chmodSync(path.join(dataDir, "PG_VERSION"), 0o644);
      fs.chmodSync(path.join(dataDir, "base"), 0o777);
      const second = await startDatabase({ dataDir });
      await second.opened.close();
      expect(folderLines()).toEqual([[{ folder: dataDir, corrected: 3 }, expect.stringContaining("3 tệp và thư mục")]]);
      expect(openToOthers(dataDir)).toEqual([]);
    } finally {
      useDatabase(previous);
      warn.mockRestore();
      process.umask(umask);
    }
  }, 120_000);

  it("gets its files from PGlite open to every account whatever the umask, which narrows only its folders", async () => {
    const { dataDir, code, stderr } = await alone;
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const entries = entriesUnder(dataDir);
    expect(entries.filter((e) => e.folder).every((e) => e.mode === 0o700)).toBe(true);
    expect(modeOf(path.join(dataDir, "PG_VERSION"))).toBe(0o666);
    expect(entries.filter((e) => !e.folder && e.mode === 0o666).length).toBeGreaterThan(100);
  }, 120_000);
});

describe("startupHardeningWarnings", () => {
  const limits = (core: string) =>
    [
      "Limit                     Soft Limit           Hard Limit           Units     ",
      "Max cpu time              unlimited            unlimited            seconds   ",
      `Max core file size        ${core}                    unlimited            bytes     `,
      "Max open files            1048576              1048576              files     ",
    ].join("\n");
  const quiet = { limits: limits("0"), execArgv: ["--import", "tsx", "--enable-source-maps"], nodeOptions: "" };

  it("says nothing for a process that cannot dump its memory", () => {
    expect(startupHardeningWarnings(quiet)).toEqual([]);
    expect(startupHardeningWarnings({ ...quiet, limits: null })).toEqual([]);
    expect(startupHardeningWarnings({ ...quiet, nodeOptions: "--max-old-space-size=4096" })).toEqual([]);
  });

  it("warns when core dumps are allowed", () => {
    const warnings = startupHardeningWarnings({ ...quiet, limits: limits("unlimited") });
    expect(warnings).toEqual([expect.stringContaining("Max core file size = unlimited")]);
    expect(warnings[0]).toContain("ulimit -c 0");
  });

  it("warns about an inspector, heap snapshots and diagnostic reports, on the command line or in NODE_OPTIONS", () => {
    const warnings = startupHardeningWarnings({
      ...quiet,
      execArgv: ["--inspect=127.0.0.1:9229", "--import", "tsx"],
      nodeOptions: "--max-old-space-size=4096  --heapsnapshot-signal=SIGUSR2 --inspect_brk --report-on-signal",
    });
    expect(warnings).toEqual([
      expect.stringMatching(/^Node.js được khởi động với --inspect \(trên dòng lệnh\): trình gỡ lỗi/),
      expect.stringMatching(/--heapsnapshot-signal \(trong NODE_OPTIONS\): ảnh chụp bộ nhớ heap/),
      expect.stringMatching(/--inspect-brk \(trong NODE_OPTIONS\)/),
      expect.stringMatching(/--report-on-signal \(trong NODE_OPTIONS\): .*PHIEU_SECRET/),
    ]);
    expect(startupHardeningWarnings({ ...quiet, execArgv: ["--heapsnapshot-near-heap-limit=2"] })).toHaveLength(1);
  });

  it("reads this process's own limits and flags by default", () => {
    expect(Array.isArray(startupHardeningWarnings())).toBe(true);
  });
});

describe("statementLoggingRisks", () => {
  it.skipIf(usingPostgres())("finds nothing on PGlite, which writes no log", async () => {
    expect(await statementLoggingRisks(db)).toEqual([]);
  });

  // PostgreSQL's defaults, set on the test's own database so that the server's configuration does not matter.
  const DEFAULTS: Record<string, string> = {
    log_statement: "none",
    log_min_duration_statement: "-1",
    log_min_duration_sample: "-1",
    log_statement_sample_rate: "1",
    log_transaction_sample_rate: "0",
    log_duration: "off",
    log_parameter_max_length: "-1",
    log_min_error_statement: "error",
    log_parameter_max_length_on_error: "0",
  };

  async function adminQuery(text: string) {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  }

  /** The risks that a new session on the test's database reports with `settings` set on that database. */
  async function risksWith(settings: Record<string, string>) {
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(db);
    const name = rows[0].name;
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    const statements = Object.entries({ ...DEFAULTS, ...settings }).map(
      ([setting, value]) => `alter database "${name}" set ${setting} = '${value}'`
    );
    await adminQuery(statements.join(";\n"));
    const session = new Kysely<any>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.toString(), max: 1 }) }),
    });
    try {
      return await statementLoggingRisks(session);
    } finally {
      await session.destroy();
      await adminQuery(`alter database "${name}" reset all`);
    }
  }

  const onPostgres = it.skipIf(!usingPostgres());

  onPostgres("finds nothing at PostgreSQL's defaults, nor with durations alone or DDL logged", async () => {
    expect(await risksWith({})).toEqual([]);
    expect(await risksWith({ log_duration: "on", log_statement: "ddl" })).toEqual([]);
    expect(await risksWith({ log_min_error_statement: "panic", log_parameter_max_length_on_error: "-1" })).toEqual([]);
  });

  onPostgres("names each setting that writes the casting statement into the log, and what to set instead", async () => {
    const parameters = expect.stringContaining("(log_parameter_max_length = -1)");
    expect(await risksWith({ log_statement: "all" })).toEqual([
      expect.stringContaining("(log_statement = 'all')"),
      parameters,
    ]);
    expect(await risksWith({ log_statement: "mod" })).toEqual([
      expect.stringContaining("(log_statement = 'mod')"),
      parameters,
    ]);
    expect(await risksWith({ log_min_duration_statement: "250" })).toEqual([
      expect.stringContaining("(log_min_duration_statement = 250)"),
      parameters,
    ]);
    expect(await risksWith({ log_min_duration_sample: "0", log_statement_sample_rate: "0.1" })).toEqual([
      expect.stringContaining("(log_min_duration_sample = 0)"),
      parameters,
    ]);
    expect(await risksWith({ log_transaction_sample_rate: "0.01" })).toEqual([
      expect.stringContaining("(log_transaction_sample_rate = 0.01)"),
      parameters,
    ]);
    // Statements logged without their parameters: still a warning, one.
    const withoutParameters = await risksWith({ log_statement: "all", log_parameter_max_length: "0" });
    expect(withoutParameters).toEqual([expect.stringContaining("(log_statement = 'all')")]);
    expect(await risksWith({ log_parameter_max_length_on_error: "-1" })).toEqual([
      expect.stringContaining("(log_min_error_statement = 'error', log_parameter_max_length_on_error = -1)"),
    ]);
    const all = await risksWith({
      log_statement: "all",
      log_min_duration_statement: "0",
      log_parameter_max_length_on_error: "64",
    });
    expect(all).toHaveLength(4);
    for (const risk of all) expect(risk).toMatch(/Người quản trị PostgreSQL cần đặt \S+ = \S+/);
    expect(all[0]).toContain("cần đặt log_statement = 'none'");
    expect(all[1]).toContain("cần đặt log_min_duration_statement = -1");
    expect(all[2]).toContain("cần đặt log_parameter_max_length = 0");
    expect(all[3]).toContain("cần đặt log_parameter_max_length_on_error = 0");
  });

  onPostgres("warns about auto_explain when it is loaded and logs plans", async () => {
    // auto_explain ships with PostgreSQL's contrib: a server without it cannot load it.
    const available = await adminQuery("load 'auto_explain'").then(
      () => true,
      () => false
    );
    if (!available) return;
    expect(await risksWith({ session_preload_libraries: "auto_explain" })).toEqual([]);
    expect(
      await risksWith({ session_preload_libraries: "auto_explain", "auto_explain.log_min_duration": "0" })
    ).toEqual([expect.stringContaining("(auto_explain.log_min_duration = 0)")]);
  });
});
