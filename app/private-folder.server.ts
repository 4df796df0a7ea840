// What keeps the server's files, memory and logs from telling an insider how residents voted: folders only their
// owner can open, files created owner-only, no core dump or heap snapshot of a process that holds keys, and no
// PostgreSQL log that writes the casting statement with its parameters. See DESIGN.md, "Anonymity model".
import fs from "node:fs";
import path from "node:path";
import { isMainThread } from "node:worker_threads";
import { sql, type Kysely } from "kysely";

/**
 * Makes `dir` (created if missing) and everything under it its owner's alone: folders 0700, other entries without
 * any bit for the group, for others or for execution (0666 and 0755 become 0600; a file that is already narrower, say
 * 0400, is left as it is). Symbolic links under `dir` are neither followed nor changed. Returns the paths it changed.
 *
 * PGlite writes the files of a new data folder 0666 and its catalog cache files 0644 whatever the umask (it sets each
 * file's mode itself), and PostgreSQL recycles old write-ahead log segments under new names with their old modes:
 * call this at each start, before the database opens and again once it has.
 */
export function securePrivateFolder(dir: string): { corrected: string[] } {
  const root = path.resolve(dir);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const corrected: string[] = [];

  const narrow = (entry: string, stats: fs.Stats) => {
    const mode = stats.mode & 0o7777;
    const wanted = stats.isDirectory() ? 0o700 : mode & 0o600;
    if (mode === wanted) return;
    try {
      fs.chmodSync(entry, wanted);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Gone since it was listed (a segment the database removed): nothing left to protect.
      if (code === "ENOENT") return;
      throw new Error(`Không thể giới hạn quyền truy cập của ${entry} cho riêng chủ sở hữu (${code}).`, {
        cause: error,
      });
    }
    corrected.push(entry);
  };

  const visit = (folder: string) => {
    for (const name of fs.readdirSync(folder)) {
      const entry = path.join(folder, name);
      let stats: fs.Stats;
      try {
        stats = fs.lstatSync(entry);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw error;
      }
      // chmod would change the link's target, which may lie outside the folder.
      if (stats.isSymbolicLink()) continue;
      narrow(entry, stats);
      if (stats.isDirectory()) visit(entry);
    }
  };

  // The folder itself may be a link (PHIEU_DATA_DIR pointing to a volume): the operator chose it, so follow it.
  const stats = fs.statSync(root);
  if (!stats.isDirectory()) throw new Error(`${root} không phải là một thư mục.`);
  narrow(root, stats);
  visit(root);
  return { corrected };
}

/**
 * From now on, whatever this process (and any process it starts) creates is its owner's alone, unless the creator sets
 * the mode itself as PGlite does for its files: umask 077. A worker thread cannot change the umask, and shares its
 * process's anyway.
 */
export function restrictNewFileModes() {
  if (isMainThread) process.umask(0o077);
}

const INSPECTOR_FLAG = /^--inspect(-brk|-wait)?$/;
const HEAP_SNAPSHOT_FLAG = /^--heapsnapshot-(signal|near-heap-limit)$/;
const REPORT_FLAG = /^--report-(on-signal|on-fatalerror|uncaught-exception)$/;

/**
 * What about this process would let a copy of its memory out: core dumps allowed ("Max core file size" of
 * /proc/self/limits not 0; Node.js has no setrlimit, so `npm start` sets `ulimit -c 0` in its shell), an inspector,
 * heap snapshots, or diagnostic reports (which hold the environment, PHIEU_SECRET included). One Vietnamese sentence
 * per finding; the arguments default to this process's own.
 */
export function startupHardeningWarnings({
  limits = readProcessLimits(),
  execArgv = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? "",
}: { limits?: string | null; execArgv?: readonly string[]; nodeOptions?: string } = {}): string[] {
  const warnings: string[] = [];
  const core = limits?.match(/^Max core file size\s+(\S+)/m);
  if (core && core[1] !== "0") {
    warnings.push(
      `Tiến trình được phép ghi kết xuất lõi (core dump; Max core file size = ${core[1]}): nếu nó bị sập, tệp kết ` +
        `xuất sẽ chứa các khóa và mã đang nằm trong bộ nhớ. Hãy khởi động bằng npm start (đã đặt ulimit -c 0), hoặc ` +
        `đặt ulimit -c 0 (LimitCORE=0 với systemd) trước khi chạy máy chủ.`
    );
  }
  const flags = [
    ...execArgv.map((flag) => ({ flag, where: "trên dòng lệnh" })),
    ...nodeOptions
      .split(/\s+/)
      .filter(Boolean)
      .map((flag) => ({ flag, where: "trong NODE_OPTIONS" })),
  ];
  for (const { flag, where } of flags) {
    // Node.js reads --inspect_brk as --inspect-brk.
    const name = flag.split("=")[0].replace(/_/g, "-");
    let why: string | null = null;
    if (INSPECTOR_FLAG.test(name)) why = "trình gỡ lỗi cho phép đọc toàn bộ bộ nhớ của tiến trình, kể cả các khóa";
    else if (HEAP_SNAPSHOT_FLAG.test(name))
      why = "ảnh chụp bộ nhớ heap ghi ra tệp mọi khóa và mã đang nằm trong bộ nhớ";
    else if (REPORT_FLAG.test(name)) why = "báo cáo chẩn đoán ghi ra tệp các biến môi trường, trong đó có PHIEU_SECRET";
    if (why) warnings.push(`Node.js được khởi động với ${name} (${where}): ${why}. Hãy bỏ cờ này khi chạy thật.`);
  }
  return warnings;
}

function readProcessLimits(): string | null {
  try {
    return fs.readFileSync("/proc/self/limits", "utf8");
  } catch {
    return null; // not Linux
  }
}

const LOGGING_SETTINGS = [
  "log_statement",
  "log_min_duration_statement",
  "log_min_duration_sample",
  "log_statement_sample_rate",
  "log_transaction_sample_rate",
  "log_parameter_max_length",
  "log_min_error_statement",
  "log_parameter_max_length_on_error",
  "auto_explain.log_min_duration",
];

/**
 * The settings of PostgreSQL's own log that would write the casting statement, which carries the credential's code
 * hash, the receipt and the sealed ballot together, with its parameters: one Vietnamese sentence per risk, naming the
 * setting, its value and what the operator must set instead. Only the operator can change them (most need a
 * superuser), so the server warns and starts. PGlite writes no log: nothing to report there.
 */
export async function statementLoggingRisks(db: Kysely<any>): Promise<string[]> {
  const { rows: version } = await sql<{ version: string }>`select version() as version`.execute(db);
  if (version[0]?.version.includes("PGlite")) return [];
  // pg_settings lists what this session can see: auto_explain's settings only where it is loaded (by
  // shared_preload_libraries or session_preload_libraries), and settings that appeared after PostgreSQL 12 not at all
  // before them.
  const { rows } = await sql<{ name: string; setting: string }>`
    select name, setting from pg_settings where name in (${sql.join(LOGGING_SETTINGS)})`.execute(db);
  const settings = new Map(rows.map((row) => [row.name, row.setting]));
  const number = (name: string, absent: number) => (settings.has(name) ? Number(settings.get(name)) : absent);

  const risks: string[] = [];
  const logs = (setting: string, value: string, instead: string) =>
    risks.push(
      `PostgreSQL đang ghi các câu lệnh vào nhật ký của nó (${setting} = ${value}), kể cả câu lệnh bỏ phiếu, nơi mã ` +
        `băm của mã phiếu, biên nhận và lá phiếu đã niêm phong đi cùng nhau. Người quản trị PostgreSQL cần đặt ` +
        `${instead}.`
    );
  const statement = settings.get("log_statement") ?? "none";
  if (statement === "all" || statement === "mod") {
    logs("log_statement", `'${statement}'`, "log_statement = 'none' (hoặc 'ddl')");
  }
  const slow = number("log_min_duration_statement", -1);
  if (slow >= 0) logs("log_min_duration_statement", String(slow), "log_min_duration_statement = -1");
  const sampled = number("log_min_duration_sample", -1);
  if (sampled >= 0 && number("log_statement_sample_rate", 0) > 0) {
    logs("log_min_duration_sample", String(sampled), "log_min_duration_sample = -1");
  }
  const transactions = number("log_transaction_sample_rate", 0);
  if (transactions > 0) logs("log_transaction_sample_rate", String(transactions), "log_transaction_sample_rate = 0");

  const statementsLogged = risks.length > 0;
  // Before PostgreSQL 13 the parameters of a logged statement were always logged.
  const parameters = number("log_parameter_max_length", -1);
  if (statementsLogged && parameters !== 0) {
    risks.push(
      `PostgreSQL ghi câu lệnh kèm giá trị các tham số của nó (log_parameter_max_length = ${parameters}): nhật ký ` +
        `nối mã băm của mã phiếu với lá phiếu đã niêm phong và biên nhận của nó. Người quản trị PostgreSQL cần đặt ` +
        `log_parameter_max_length = 0, và tắt việc ghi câu lệnh như trên.`
    );
  }

  const explained = number("auto_explain.log_min_duration", -1);
  if (explained >= 0) {
    risks.push(
      `auto_explain đang ghi kế hoạch thực thi của câu lệnh vào nhật ký (auto_explain.log_min_duration = ` +
        `${explained}), kèm các giá trị của câu lệnh bỏ phiếu (từ PostgreSQL 16, mọi tham số của nó). Người quản trị ` +
        `PostgreSQL cần đặt auto_explain.log_min_duration = -1, hoặc bỏ auto_explain khỏi shared_preload_libraries ` +
        `và session_preload_libraries.`
    );
  }

  const onError = settings.get("log_min_error_statement") ?? "error";
  const parametersOnError = number("log_parameter_max_length_on_error", 0);
  if (onError !== "panic" && parametersOnError !== 0) {
    risks.push(
      `PostgreSQL ghi câu lệnh bị lỗi kèm giá trị các tham số của nó (log_min_error_statement = '${onError}', ` +
        `log_parameter_max_length_on_error = ${parametersOnError}): một lần bỏ phiếu thất bại để lại trong nhật ký ` +
        `mã băm của mã phiếu cùng lá phiếu đã niêm phong. Người quản trị PostgreSQL cần đặt ` +
        `log_parameter_max_length_on_error = 0.`
    );
  }
  return risks;
}
