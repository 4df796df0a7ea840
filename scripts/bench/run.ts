// `npm run bench`: every benchmark of Phiếu in one run, written to docs/benchmarks.md.
//
//   npx tsx scripts/bench/run.ts                 the whole run (about 10 minutes on two cores; needs the build)
//   npx tsx scripts/bench/run.ts --quick         a smoke run with small counts (a minute or two)
//   npx tsx scripts/bench/run.ts --only casting,results   some groups only (to the console; a report with --out)
//   --profile / --no-profile                     profile the server's casting always / never (default: when a
//                                                casting budget is missed, in a full run)
//
// Groups: ceiling, casting, results, slips, weight, start, counting. Needs the local PostgreSQL (127.0.0.1:5432,
// trust authentication; BENCH_POSTGRES_URL overrides) and pgbench; every database, folder and server it starts is
// removed at the end, on failure too.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Figure } from "./figures";
import { measureCeiling, type CeilingResult } from "./ceiling";
import {
  boxCount,
  castingLoad,
  floorLoad,
  prepareWard,
  profileCasting,
  profileLine,
  type CastingLevel,
  type FloorLevel,
} from "./casting";
import { measureBallotWeight, measureResults, measureSlips } from "./pages";
import { figureLine, formatValue, renderMarkdown, type Machine } from "./report";
import {
  BENCH_SECRET,
  cleanUp,
  createBenchDatabase,
  measureStart,
  POSTGRES_ADMIN_URL,
  postgresVersion,
  root,
  startServer,
  tempFolder,
} from "./server";

const GROUPS = ["ceiling", "casting", "results", "slips", "weight", "start", "counting"] as const;
type Group = (typeof GROUPS)[number];

interface Options {
  quick: boolean;
  only: Set<Group>;
  out: string | null;
  profile: "always" | "never" | "when-missed";
}

function parseOptions(argv: string[]): Options {
  const options: Options = { quick: false, only: new Set(GROUPS), out: null, profile: "when-missed" };
  let onlyGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") options.quick = true;
    else if (arg === "--profile") options.profile = "always";
    else if (arg === "--no-profile") options.profile = "never";
    else if (arg === "--out") options.out = argv[++i];
    else if (arg === "--only") {
      onlyGiven = true;
      const wanted = (argv[++i] ?? "").split(",").filter(Boolean);
      const unknown = wanted.filter((g) => !(GROUPS as readonly string[]).includes(g));
      if (wanted.length === 0 || unknown.length > 0) {
        throw new Error(`--only takes some of ${GROUPS.join(", ")} (got ${unknown.join(", ") || "nothing"}).`);
      }
      options.only = new Set(wanted as Group[]);
    } else throw new Error(`Unknown option ${arg}.`);
  }
  // A run of some groups only must not replace the whole run's report.
  if (options.out === null && !onlyGiven) options.out = path.join(root, "docs/benchmarks.md");
  return options;
}

const options = parseOptions(process.argv.slice(2));
const has = (group: Group) => options.only.has(group);
/** BENCH_COUNTING_SIZES=1000000 counts only the sizes given (comma-separated), whichever the run. */
const COUNTING_SIZES = (process.env.BENCH_COUNTING_SIZES ?? "")
  .split(",")
  .map(Number)
  .filter((n) => Number.isSafeInteger(n) && n > 0);
const SETTINGS = options.quick
  ? {
      seconds: 3,
      warmup: 1,
      pgbenchSeconds: 3,
      pgbenchCredentials: 40_000,
      credentials: 8_000,
      results: 50,
      slips: 1_000,
      counting: COUNTING_SIZES.length > 0 ? COUNTING_SIZES : [10_000],
      profileSeconds: 3,
    }
  : {
      seconds: 10,
      warmup: 2,
      pgbenchSeconds: 10,
      pgbenchCredentials: 200_000,
      credentials: 30_000,
      results: 200,
      slips: 10_000,
      counting: COUNTING_SIZES.length > 0 ? COUNTING_SIZES : [10_000, 100_000, 1_000_000],
      profileSeconds: 6,
    };
const CONCURRENCY = [1, 16, 64];
const RESULTS_BALLOTS = 300;
const SLIPS_BUDGET_COUNT = 10_000;

const figures: Figure[] = [];
const loadGenerators: string[] = [];
const remarks: string[] = [];

function record(figure: Figure) {
  figures.push(figure);
  console.log(`  ${figureLine(figure)}`);
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const cores = (x: number) => `${x.toFixed(2)} cores (${pct(x / os.cpus().length)} of the machine)`;

async function machine(): Promise<Omit<Machine, "loadAverage"> & { loadBefore: number[] }> {
  const cpus = os.cpus();
  // A virtual machine may report no clock speed (0).
  const models = [...new Set(cpus.map((c) => `${c.model.trim()}${c.speed > 0 ? ` at ${c.speed} MHz` : ""}`))].join(
    "; "
  );
  return {
    cpus: `${cpus.length} × ${models} (os.cpus())`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GB, ${(os.freemem() / 2 ** 30).toFixed(1)} GB free at the start`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: await postgresVersion().catch((error: unknown) => `unavailable (${String(error)})`),
    loadBefore: os.loadavg(),
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function runCeiling(): Promise<CeilingResult> {
  console.log("Ceiling: pgbench with the casting transaction and a single INSERT…");
  const result = await measureCeiling({
    clients: CONCURRENCY,
    seconds: SETTINGS.pgbenchSeconds,
    credentials: SETTINGS.pgbenchCredentials,
  });
  const processed = result.casting.reduce((sum, r) => sum + r.transactions, 0);
  if (result.credentialsUsed !== processed || result.ballotsInBox !== processed) {
    remarks.push(
      `pgbench reported ${processed} casting transactions, the database holds ${result.credentialsUsed} credentials ` +
        `used and ${result.ballotsInBox} ballots.`
    );
  }
  for (const r of [...result.casting, ...result.insert]) {
    const what = r.script === "casting" ? "casting transaction" : "single INSERT";
    record({
      group: "ceiling",
      name: `pgbench, ${what}, ${r.clients} client${r.clients === 1 ? "" : "s"}`,
      value: r.tps,
      unit: "tps",
      note:
        `${r.transactions} transactions in ${SETTINGS.pgbenchSeconds} s, latency average ${r.latencyMs} ms, ` +
        `${r.failed} failed; pgbench used ${cores(r.loadCores)}`,
    });
    loadGenerators.push(`pgbench, ${what}, ${r.clients} client${r.clients === 1 ? "" : "s"}: ${cores(r.loadCores)}`);
  }
  return result;
}

type Kind = "postgres" | "embedded";
const LABEL: Record<Kind, string> = { postgres: "PostgreSQL", embedded: "embedded (PGlite)" };

function castingFigures(
  kind: Kind,
  level: CastingLevel,
  ceiling: CeilingResult | null,
  floor: FloorLevel | null
): Figure[] {
  const who = `${level.concurrency} resident${level.concurrency === 1 ? "" : "s"}`;
  const name = `casting, ${LABEL[kind]}, ${who}`;
  const pgbench = ceiling?.casting.find((r) => r.clients === level.concurrency);
  const throughput: Figure = {
    group: "casting",
    name,
    value: level.ballotsPerSecond,
    unit: "ballots/s",
    note:
      `${level.ballots} ballots in ${level.seconds.toFixed(1)} s, ${level.errors} errors` +
      (level.firstError ? ` (first: ${level.firstError})` : "") +
      (level.ranOutOfCredentials ? ", ran out of credentials before the end" : "") +
      `; a ballot is GET /v/<code> (p50 ${formatValue(level.getMs.p50, "ms")} ms), "Xem lại" POST ` +
      `(p50 ${formatValue(level.reviewMs.p50, "ms")} ms) and "Gửi phiếu" POST; the whole flow p50 ` +
      `${formatValue(level.flowMs.p50, "ms")} ms, p99 ${formatValue(level.flowMs.p99, "ms")} ms; server CPU ` +
      (level.serverCpuMsPerBallot === null
        ? "unknown"
        : `${formatValue(level.serverCpuMsPerBallot, "ms")} ms per ballot`) +
      `; load generator ${cores(level.loadCores)}`,
  };
  if (kind === "postgres") {
    if (pgbench) {
      const ratio = level.ballotsPerSecond / pgbench.tps;
      throughput.ceiling = {
        name: `pgbench, casting transaction, ${level.concurrency} client${level.concurrency === 1 ? "" : "s"}`,
        value: pgbench.tps,
        unit: "tps",
      };
      throughput.ratio = ratio;
      throughput.budget = { text: "≥ 50% of the ceiling", met: ratio >= 0.5 };
    } else {
      throughput.budget = { text: "≥ 50% of the ceiling (no ceiling in this run)", met: false };
    }
  } else if (level.concurrency >= 16) {
    throughput.budget = { text: "≥ 1,000 ballots/s", met: level.ballotsPerSecond >= 1000 };
  }
  // What the server's own CPU allows, whatever the database: the machine's cores over the CPU a ballot takes.
  const target = kind === "postgres" ? (pgbench ? pgbench.tps / 2 : null) : level.concurrency >= 16 ? 1000 : null;
  if (throughput.budget && !throughput.budget.met && level.serverCpuMsPerBallot && target) {
    // On PostgreSQL a worker per core; the embedded database lives in one process, whose main thread renders the
    // pages and runs PGlite.
    const serving = kind === "postgres" ? os.cpus().length : 1;
    const perBallot = level.serverCpuMsPerBallot;
    throughput.note +=
      `. At ${formatValue(perBallot, "ms")} ms of server CPU per ballot` +
      (kind === "postgres"
        ? `, ${serving} worker processes on ${serving} cores serve at most ` +
          `${formatValue((serving * 1000) / perBallot, "ballots/s")} ballots/s even were the database free`
        : ` (PGlite's included: it runs inside the server, on the thread that renders the pages)`) +
      `; ${formatValue(target, "ballots/s")} ballots/s needs at most ` +
      `${formatValue((serving * 1000) / target, "ms")} ms per ballot ` +
      `(${formatValue((serving * 1000) / target / 3, "ms")} ms for each of its three pages)` +
      (floor?.serverCpuMsPerRequest
        ? `, while a request that renders nothing (GET /healthz at ${floor.concurrency}) already takes ` +
          `${formatValue(floor.serverCpuMsPerRequest, "ms")} ms`
        : "");
  }
  const p50: Figure = {
    group: "casting",
    name: `${name}: "Gửi phiếu" latency p50`,
    value: level.castMs.p50,
    unit: "ms",
  };
  const p99: Figure = {
    group: "casting",
    name: `${name}: "Gửi phiếu" latency p99`,
    value: level.castMs.p99,
    unit: "ms",
  };
  if (kind === "postgres" && level.concurrency === 64)
    p99.budget = { text: "≤ 100 ms at 64", met: level.castMs.p99 <= 100 };
  return [throughput, p50, p99];
}

/** One server on one database: casting, then the pages that read it, then a profiled run if a budget was missed. */
async function runServerGroups(kind: Kind, ceiling: CeilingResult | null) {
  const casting = has("casting");
  const folder = tempFolder(kind);
  const database = kind === "postgres" ? await createBenchDatabase("casting") : null;
  try {
    console.log(`${LABEL[kind]}: preparing the ward, a poll of its 10 cadres and the poll's credentials…`);
    const prepareStart = performance.now();
    const ward = await prepareWard({
      databaseUrl: database?.url,
      dataDir: folder.path,
      castingCredentials: casting ? SETTINGS.credentials : 100,
      resultsBallots: has("results") ? RESULTS_BALLOTS : 0,
    });
    console.log(`  prepared in ${((performance.now() - prepareStart) / 1000).toFixed(1)} s`);
    const server = await startServer({ dataDir: folder.path, databaseUrl: database?.url, secret: BENCH_SECRET });
    if (kind === "postgres" && casting) {
      remarks.push(
        `On PostgreSQL the server ran as ${os.availableParallelism()} worker processes and their primary ` +
          "(PHIEU_WORKERS unset: one per core); its CPU figures are the sum over them."
      );
    }
    const levels: CastingLevel[] = [];
    try {
      let floor: FloorLevel | null = null;
      if (casting) {
        console.log("  the floor: GET /healthz, 64 clients…");
        floor = await floorLoad({ server, concurrency: 64, seconds: SETTINGS.seconds, warmupSeconds: SETTINGS.warmup });
        record({
          group: "casting",
          name: `the floor, ${LABEL[kind]}: GET /healthz (nothing rendered, one select 1), 64 clients`,
          value: floor.requestsPerSecond,
          unit: "requests/s",
          note:
            `p50 ${formatValue(floor.p50, "ms")} ms, p99 ${formatValue(floor.p99, "ms")} ms; server CPU ` +
            (floor.serverCpuMsPerRequest === null
              ? "unknown"
              : `${formatValue(floor.serverCpuMsPerRequest, "ms")} ms per request`) +
            ": Express, its middleware (security headers, compression, the request log) and Remix's request " +
            "handler, with no page to render",
        });
        for (const concurrency of CONCURRENCY) {
          console.log(`  casting, ${concurrency} resident${concurrency === 1 ? "" : "s"}…`);
          const level = await castingLoad({
            server,
            ward,
            concurrency,
            seconds: SETTINGS.seconds,
            warmupSeconds: SETTINGS.warmup,
          });
          levels.push(level);
          for (const figure of castingFigures(kind, level, ceiling, floor)) record(figure);
          const residents = `${concurrency} resident${concurrency === 1 ? "" : "s"}`;
          loadGenerators.push(`casting, ${LABEL[kind]}, ${residents}: ${cores(level.loadCores)}`);
        }
        // Every receipt the residents got is a credential used and a ballot in the box, and nothing more.
        const connection = database
          ? { connectionString: database.url }
          : { host: folder.path, port: 5432, user: "postgres", database: "postgres" };
        const box = await boxCount({ connection, pollId: ward.castingPollId });
        const receipts = levels.reduce((sum, l) => sum + l.castsIncludingWarmup, 0);
        const check = `${receipts} ballots posted, ${box.used} credentials used, ${box.boxed} ballots in the box`;
        if (box.used !== receipts || box.boxed !== receipts) remarks.push(`Casting on ${LABEL[kind]}: ${check}.`);
        console.log(`  check: ${check}`);
      }
      if (has("results")) {
        console.log(`  results page, ${SETTINGS.results} GETs…`);
        const results = await measureResults(server, ward.resultsPollId, SETTINGS.results);
        record({
          group: "results",
          name: `results page of a published poll, ${LABEL[kind]}, p50`,
          value: results.p50,
          unit: "ms",
          budget: { text: "≤ 30 ms", met: results.p50 <= 30 },
          note:
            `${results.count} sequential GETs of /polls/<id>/results by a reader (danguy), after 10 to warm up; ` +
            `p99 ${formatValue(results.p99, "ms")} ms, max ${formatValue(results.max, "ms")} ms; ${
              ward.subjects
            } cadres, ` +
            `${ward.resultsBallots} ballots in ${ward.groupIds.length} residential groups, the tally frozen at publishing`,
        });
      }
      if (kind === "embedded" && has("weight")) {
        console.log("  weight of the ballot page…");
        const weight = await measureBallotWeight(server, ward.codes.list[ward.codes.next++]);
        const kb = (bytes: number) => bytes / 1024;
        record({
          group: "weight",
          name: "ballot page, JavaScript off (the HTML)",
          value: kb(weight.htmlBytes),
          unit: "KB",
          budget: { text: "≤ 30 KB", met: kb(weight.htmlBytes) <= 30 },
          note: `GET /v/<code> with Accept-Encoding: gzip, ${ward.subjects} cadres, as served (${weight.htmlEncoding})`,
        });
        record({
          group: "weight",
          name: "ballot page, JavaScript on (the HTML, every script and stylesheet)",
          value: kb(weight.totalBytes),
          unit: "KB",
          budget: { text: "≤ 120 KB", met: kb(weight.totalBytes) <= 120 },
          note:
            `${weight.assets.length} files: ` +
            weight.assets
              .map((a) => `${a.path.replace(/^\/build\//, "")} ${formatValue(kb(a.bytes), "KB")} KB (${a.encoding})`)
              .join(", ") +
            ". Where the bytes go (each script's compressed size shared among its sources by the build's metafile): " +
            weight.heaviest
              .slice(0, 6)
              .map((h) => `${h.what} ≈ ${formatValue(kb(h.bytes), "KB")} KB`)
              .join(", "),
        });
      }
      if (kind === "embedded" && has("slips")) {
        console.log(`  slips, ${SETTINGS.slips}…`);
        const slips = await measureSlips(server, {
          pollId: ward.castingPollId,
          groupId: ward.groupIds[0],
          count: SETTINGS.slips,
        });
        const full = slips.count === SLIPS_BUDGET_COUNT;
        const name = `${slips.count.toLocaleString("en-US")} slips`;
        record({
          group: "slips",
          name: `${name}: time of the download`,
          value: slips.seconds,
          unit: "s",
          budget: full ? { text: "≤ 10 s", met: slips.seconds <= 10 } : undefined,
          note:
            "POST /polls/<id>/credentials as the Front officer (mattran): issuing the batch, the PDF and CSV built " +
            "in a worker thread, the ZIP received whole" +
            (full ? "" : "; the budget is for 10,000"),
        });
        record({
          group: "slips",
          name: `${name}: size of the ZIP`,
          value: slips.zipBytes / 2 ** 20,
          unit: "MB",
          budget: full ? { text: "≤ 15 MB", met: slips.zipBytes / 2 ** 20 <= 15 } : undefined,
          note: `the PDF inside is ${formatValue(slips.pdfBytes / 2 ** 20, "MB")} MB, the CSV lists ${
            slips.csvLines
          } URLs`,
        });
        record({
          group: "slips",
          name: `${name}: /healthz latency while they are built, p99`,
          value: slips.healthDuring.p99,
          unit: "ms",
          note:
            `${slips.healthDuring.count} sequential GETs during the download: p50 ` +
            `${formatValue(slips.healthDuring.p50, "ms")} ms, max ${formatValue(slips.healthDuring.max, "ms")} ms; ` +
            `at rest before it: p50 ${formatValue(slips.healthIdle.p50, "ms")} ms, p99 ` +
            `${formatValue(slips.healthIdle.p99, "ms")} ms`,
        });
      }
    } finally {
      await server.stop();
    }

    const missed = figures.some(
      (f) => f.group === "casting" && f.name.includes(LABEL[kind]) && f.budget && !f.budget.met
    );
    const profile = options.profile === "always" || (options.profile === "when-missed" && missed && !options.quick);
    if (casting && profile) {
      const concurrency = CONCURRENCY[CONCURRENCY.length - 1];
      console.log(`  profiling the server at ${concurrency} residents for ${SETTINGS.profileSeconds} s…`);
      const summary = await profileCasting({
        dataDir: folder.path,
        databaseUrl: database?.url,
        secret: BENCH_SECRET,
        ward,
        concurrency,
        seconds: SETTINGS.profileSeconds,
      });
      const target = figures.find(
        (f) => f.group === "casting" && f.name === `casting, ${LABEL[kind]}, ${concurrency} residents`
      );
      if (summary && target) {
        const line = profileLine(summary);
        target.note = `${target.note}. Where the time goes (a separate run with --cpu-prof, ${concurrency} residents): ${line}`;
        console.log(`  ${line}\n  (the whole profile: ${summary.file})`);
      } else {
        remarks.push(`The profiled casting run on ${LABEL[kind]} wrote no profile.`);
      }
    }
  } finally {
    await database?.drop();
    await folder.remove();
  }
}

type BenchCounting = (options: { databaseUrl: string; sizes: number[] }) => Promise<Figure[]>;

/** scripts/bench/counting.ts is written separately; a run without it says so instead of failing. */
async function loadCounting(): Promise<BenchCounting | string> {
  const file = path.join(path.dirname(new URL(import.meta.url).pathname), "counting.ts");
  if (!fs.existsSync(file)) return "scripts/bench/counting.ts does not exist yet: counting was not measured.";
  try {
    const module = (await import(new URL("./counting.ts", import.meta.url).href)) as { benchCounting?: BenchCounting };
    return module.benchCounting ?? "scripts/bench/counting.ts exports no benchCounting: counting was not measured.";
  } catch (error) {
    return `scripts/bench/counting.ts could not be loaded (${error instanceof Error ? error.message : error}).`;
  }
}

async function runCounting(afterEachSize: () => void) {
  const benchCounting = await loadCounting();
  if (typeof benchCounting === "string") {
    console.log(`Counting: ${benchCounting}`);
    remarks.push(benchCounting);
    return;
  }
  // One size at a time, so that a failure at one size keeps the figures of the others. It creates (and drops) a
  // database of its own per size on this server.
  for (const size of SETTINGS.counting) {
    console.log(`Counting on PostgreSQL, ${size.toLocaleString("en-US")} ballots…`);
    const counted = await attempt(`counting, ${size.toLocaleString("en-US")} ballots`, () =>
      benchCounting({ databaseUrl: POSTGRES_ADMIN_URL, sizes: [size] })
    );
    for (const figure of counted ?? []) record(figure);
    afterEachSize();
  }
}

async function main() {
  const started = new Date();
  const startedAt = performance.now();
  const info = await machine();
  process.env.PHIEU_SECRET = BENCH_SECRET;
  if (!fs.existsSync(path.join(root, "build/index.js")))
    throw new Error("The Remix build is missing: run `npx remix build`.");
  console.log(`Benchmarks (${options.quick ? "quick" : "full"}; ${[...options.only].join(", ")}) on ${info.cpus}`);

  const { loadBefore, ...rest } = info;
  // Written after every part, so that a run stopped half-way still leaves what it measured (marked incomplete).
  const write = (complete: boolean) => {
    if (!options.out) return;
    const mode = options.quick ? "quick: small counts, a smoke run" : "full";
    const report = renderMarkdown({
      command: options.quick
        ? "npx tsx scripts/bench/run.ts --quick   # after `npx remix build`; `npm run bench` for the full run"
        : "npm run bench   # = remix build && tsx scripts/bench/run.ts",
      mode: complete ? mode : `${mode}; INCOMPLETE: the run was still going or was stopped`,
      startedAt: started,
      seconds: (performance.now() - startedAt) / 1000,
      machine: { ...rest, loadAverage: { before: loadBefore, after: os.loadavg() } },
      loadGenerators,
      figures,
      remarks,
    });
    fs.writeFileSync(options.out, report);
  };

  const ceiling = has("ceiling") ? await attempt("ceiling", runCeiling) : null;
  write(false);
  if (has("casting") || has("results")) await attempt("PostgreSQL server", () => runServerGroups("postgres", ceiling));
  write(false);
  if (has("casting") || has("results") || has("slips") || has("weight")) {
    await attempt("embedded server", () => runServerGroups("embedded", ceiling));
  }
  write(false);
  if (has("start")) await attempt("start", runStart);
  write(false);
  if (has("counting")) await runCounting(() => write(false));
  write(true);
  if (options.out) console.log(`\nWritten to ${path.relative(process.cwd(), options.out) || options.out}.`);
  const budgets = figures.filter((f) => f.budget);
  console.log(`${budgets.filter((f) => f.budget!.met).length} of ${budgets.length} budgets met.`);
  for (const remark of remarks) console.log(`Remark: ${remark}`);
  if (failures > 0) process.exitCode = 1;
}

let failures = 0;

/**
 * Runs one part of the benchmark; a part that fails is reported (and makes the run exit non-zero) without losing
 * the figures of the others. Each part removes what it started in its own `finally`.
 */
async function attempt<T>(part: string, run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    failures++;
    console.error(`${part} failed:`, error instanceof Error ? error.stack ?? error.message : error);
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    remarks.push(`${part} failed, its figures are missing from this run: ${message}`);
    return null;
  }
}

async function runStart() {
  console.log("Start on an empty data folder…");
  const start = await measureStart();
  record({
    group: "start",
    name: "start on an empty data folder, to the first 200 from /healthz",
    value: start.seconds,
    unit: "s",
    budget: { text: "≤ 10 s", met: start.seconds <= 10 },
    note: "NODE_ENV=production tsx server.ts with the build done: a new PGlite folder, migrations, the demo ward seeded",
  });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the servers and dropping the databases of this run…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
