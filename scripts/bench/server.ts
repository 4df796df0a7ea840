// The processes and databases a benchmark run starts, and the one place that ends them all: Phiếu's production
// server spawned on a free port, a PostgreSQL database of the run's own on the local server, a temporary data folder.
// Everything started here is registered, and `cleanUp` stops and drops it even when the run fails half-way.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The local PostgreSQL the run measures against (trust authentication, as on this machine). */
export const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** One secret for the bench process and every server it starts: the polls' keys are wrapped with it. */
export const BENCH_SECRET = randomBytes(32).toString("base64url");

const cleanups: { label: string; run: () => Promise<void> }[] = [];

/** Registers something to undo at the end; returns a function that undoes it now (and only once). */
function onCleanUp<A extends unknown[]>(label: string, run: (...args: A) => Promise<void>) {
  let done = false;
  const once = async (...args: A) => {
    if (done) return;
    done = true;
    await run(...args);
  };
  cleanups.push({ label, run: () => once(...([] as unknown as A)) });
  return once;
}

/** Stops every server, drops every database and removes every folder this run started, newest first. */
export async function cleanUp() {
  while (cleanups.length > 0) {
    const entry = cleanups.pop()!;
    try {
      await entry.run();
    } catch (error) {
      console.error(`Clean-up of ${entry.label} failed:`, error instanceof Error ? error.message : error);
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export function tempFolder(prefix: string): { path: string; remove: () => Promise<void> } {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), `phieu-bench-${prefix}-`));
  // The data folder, and the key folder the server makes beside it.
  const remove = onCleanUp(`folder ${folder}`, async () => {
    for (const dir of [folder, `${folder}-keys`]) fs.rmSync(dir, { recursive: true, force: true });
  });
  return { path: folder, remove };
}

export interface BenchDatabase {
  name: string;
  url: string;
  drop: () => Promise<void>;
}

/** An empty database of this run's own on the local PostgreSQL (`phieu_bench_<pid>_<label>`), dropped at the end. */
export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  const name = `phieu_bench_${process.pid}_${label}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const drop = onCleanUp(`database ${name}`, async () => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    try {
      await client.query(`drop database if exists "${name}" with (force)`);
    } finally {
      await client.end();
    }
  });
  return { name, url: url.toString(), drop };
}

export async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string }>("select version()");
    return rows[0].version;
  } finally {
    await client.end();
  }
}

export interface RunningServer {
  url: string;
  port: number;
  pid: number;
  /** When the spawn call was made and when /healthz first answered 200 (performance.now()). */
  spawnedAt: number;
  readyAt: number;
  /** The server's own output (request logs included), for a failure's message. */
  log: () => string;
  /** SIGTERM (the server drains and closes its database), SIGKILL after `graceMs`; resolves once it has exited. */
  stop: (graceMs?: number) => Promise<void>;
}

export interface ServerOptions {
  dataDir: string;
  databaseUrl?: string;
  /** Omit to let the server create its own secret file in the data folder, as a first `npm start` does. */
  secret?: string | null;
  /** Flags for node before the script, e.g. ["--cpu-prof", "--cpu-prof-dir=…"]. */
  nodeFlags?: string[];
  /** Spawn through the tsx command, exactly as `npm start` does, instead of `node --import tsx`. */
  viaTsxCommand?: boolean;
  readyTimeoutMs?: number;
}

/**
 * Spawns `NODE_ENV=production tsx server.ts` on a free port and waits for its first 200 from /healthz. The child
 * leads a process group of its own, so that stopping it also stops anything it started (the tsx command's child).
 * Its output goes to a file, not through a pipe this process would have to read during the load.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const port = await freePort();
  const logFile = path.join(options.dataDir, `server-${port}.log`);
  fs.mkdirSync(options.dataDir, { recursive: true });
  const out = fs.openSync(logFile, "w");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    PHIEU_DATA_DIR: options.dataDir,
    PHIEU_COOKIE_SECURE: "false",
  };
  delete env.DATABASE_URL;
  delete env.PHIEU_SECRET;
  delete env.LOG_LEVEL;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  if (options.secret) env.PHIEU_SECRET = options.secret;

  const [command, args] = options.viaTsxCommand
    ? [path.join(root, "node_modules/.bin/tsx"), [...(options.nodeFlags ?? []), "server.ts"]]
    : [process.execPath, [...(options.nodeFlags ?? []), "--import", "tsx", "server.ts"]];
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(command, args, { cwd: root, env, stdio: ["ignore", out, out], detached: true });
  fs.closeSync(out);
  const pid = child.pid!;
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.on("exit", (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      resolve();
    })
  );
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");

  const stop = onCleanUp(`server on port ${port}`, async (graceMs: number = 30_000) => {
    if (exitCode !== undefined) return;
    signalGroup(pid, "SIGTERM");
    const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
    // The tsx command's own child (the server) is in the same group; make sure nothing of it is left.
    signalGroup(pid, "SIGKILL");
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`server.ts exited (${exitCode}) before answering /healthz:\n${log()}`);
    try {
      const response = await fetch(`${url}/healthz`);
      await response.arrayBuffer();
      if (response.status === 200) return { url, port, pid, spawnedAt, readyAt: performance.now(), log, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await stop(1_000);
  throw new Error(`server.ts did not answer /healthz in time:\n${log()}`);
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system, every thread) a process and its live descendants (a cluster's workers) have used so
 * far, from /proc; null where there is no /proc.
 */
export function processCpuSeconds(pid: number): number | null {
  const read = (id: number) => {
    const stat = fs.readFileSync(`/proc/${id}/stat`, "utf8");
    // The command name may hold spaces: the fields start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND };
  };
  try {
    const own = read(pid).seconds;
    const children = new Map<number, number[]>();
    const seconds = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = read(Number(entry));
        children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
        seconds.set(Number(entry), stat.seconds);
      } catch {
        // Gone while the folder was read.
      }
    }
    let total = own;
    const pending = [...(children.get(pid) ?? [])];
    while (pending.length > 0) {
      const id = pending.pop()!;
      total += seconds.get(id) ?? 0;
      pending.push(...(children.get(id) ?? []));
    }
    return total;
  } catch {
    return null;
  }
}

/** Time from spawning the server, as `npm start` does after its build, on an empty data folder to its first 200. */
export async function measureStart(): Promise<{ seconds: number }> {
  const folder = tempFolder("start");
  const server = await startServer({ dataDir: folder.path, secret: null, viaTsxCommand: true });
  const seconds = (server.readyAt - server.spawnedAt) / 1000;
  await server.stop();
  await folder.remove();
  return { seconds };
}
