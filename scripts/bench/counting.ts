// Counting a sealed box on PostgreSQL (issue 6): closing a poll of N ballots over 10 subjects — open every sealed
// ballot, mix, write the counted table, empty the box — budget ≤ 30 s at 1,000,000; and the recount of the counted
// table (computeTally, the SQL the results use) ≤ 2 s.
//   npx tsx scripts/bench/counting.ts 10000 100000 1000000
// Each size gets a PostgreSQL database of its own (`phieu_count_<pid>_<n>`), created, migrated and dropped here
// (kept with PHIEU_BENCH_KEEP_DATABASE=1). DATABASE_URL names the server (default: postgres@127.0.0.1:5432).
//
// Sealing a million ballots takes about 150 µs each, far longer than the count: the sealed ballots are made once,
// on every core (createBatchSealer, sealBallot's format), and kept under os.tmpdir() with the bench's own poll key
// pair, which the poll is then given in place of the one openPoll drew. Every ballot is sealed on its own (its own
// ephemeral key), so the count opens each of them for real; their answers follow from their position in the file,
// so the tally is checked against the answers that went in. The box is filled by bulk INSERTs, not by a million
// casts, and vacuumed as autovacuum would have done over the day.
import { createHash, randomBytes } from "node:crypto";
import diagnostics from "node:diagnostics_channel";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "../../db/schema";
import { migrateToLatest } from "../../db/migrate";
import { decodeBallot, encodeBallot } from "../../app/ballots/cast.server";
import { pooledGroups } from "../../app/ballots/pooling";
import { ballotOpener, createBatchSealer, generatePollKeyPair } from "../../app/ballots/seal.server";
import { currentDatabase, useDatabase, type OpenedDatabase } from "../../app/db.server";
import { closePoll, openPoll } from "../../app/polls/lifecycle.server";
import { boxPartition } from "../../app/polls/poll-lock.server";
import { writeServerKey } from "../../app/polls/server-key.server";
import { createPoll } from "../../app/polls/polls.server";
import { DEFAULT_RULES, LEVELS } from "../../app/results/tally";
import { computeTally } from "../../app/results/tally.server";
import { useKeyFolder } from "../../app/secret.server";
import type { Figure } from "./figures";

const SUBJECTS = 10;
const BIG_GROUPS = 20;
/** A group under k (5 by default): its ballots are counted without their group. */
const SMALL_GROUP_BALLOTS = 3;
const MAX_BATCH = 10_000;
const COUNT_BUDGET_S = 30;
const RECOUNT_BUDGET_S = 2;
const CACHE_VERSION = "v1";

/** The group (its index among the poll's groups, the last one being the small group) and answers of ballot `i`. */
function ballotOf(i: number): { group: number; levels: number[] } {
  const group = i < SMALL_GROUP_BALLOTS ? BIG_GROUPS : i % BIG_GROUPS;
  const levels: number[] = [];
  for (let s = 0; s < SUBJECTS; s++) {
    const h = mix32(i * 31 + s);
    // About 5% blank, the rest spread over the three levels of a confidence poll.
    levels.push(h % 20 === 0 ? 0 : 1 + (h % 3));
  }
  return { group, levels };
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Ballots per group index for a box of `n`. */
function ballotsPerGroup(n: number): number[] {
  const counts = new Array<number>(BIG_GROUPS + 1).fill(0);
  for (let i = 0; i < n; i++) counts[i < SMALL_GROUP_BALLOTS ? BIG_GROUPS : i % BIG_GROUPS]++;
  return counts;
}

// ---------------------------------------------------------------------------------------------------------------
// The sealed ballots, made once and kept on disk: records of [u16 length][sealed bytes], ballot i at record i.

interface BenchKeys {
  publicKey: Buffer;
  privateKey: Buffer;
}

function cacheDir() {
  const dir = path.join(tmpdir(), "phieu-bench-sealed");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** The bench's poll key pair: made once, so that the sealed file stays valid from one run to the next. */
function benchKeys(): BenchKeys {
  const file = path.join(cacheDir(), "bench-poll-key");
  if (!existsSync(file)) {
    const pair = generatePollKeyPair();
    writeFileSync(file, Buffer.concat([pair.privateKey, pair.publicKey]), { mode: 0o600 });
  }
  const bytes = readFileSync(file);
  return { privateKey: bytes.subarray(0, 32), publicKey: bytes.subarray(32, 64) };
}

function sealedFile(keys: BenchKeys, groupIds: number[]) {
  const spec = createHash("sha256")
    .update(JSON.stringify({ CACHE_VERSION, SUBJECTS, BIG_GROUPS, SMALL_GROUP_BALLOTS, groupIds }))
    .update(keys.publicKey)
    .digest("hex")
    .slice(0, 16);
  return path.join(cacheDir(), `sealed-${CACHE_VERSION}-${spec}.bin`);
}

/** Offsets of the records in a sealed file, up to `limit` of them. */
function recordOffsets(bytes: Buffer, limit: number): number[] {
  const offsets: number[] = [];
  let at = 0;
  while (at + 2 <= bytes.length && offsets.length < limit) {
    const length = bytes.readUInt16LE(at);
    if (at + 2 + length > bytes.length) break;
    offsets.push(at);
    at += 2 + length;
  }
  return offsets;
}

// The sealing workers run createBatchSealer (seal.server.ts) from its source, as the count's workers run the
// opener: sealBallot's format, a fresh ephemeral key for every ballot. Not sealBallot itself: on Node 20 it
// deadlocked a worker about once in a few hundred thousand ballots (see createBatchSealer).
function sealWorkerSource(): string {
  return `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
var __name = (target) => target;
const createBatchSealer = (${createBatchSealer.toString()});
const seal = createBatchSealer(require("node:crypto"), Buffer.from(workerData.publicKey));
parentPort.on("message", (plaintexts) => {
  const out = [];
  for (const plaintext of plaintexts) {
    const sealed = seal(plaintext);
    const length = Buffer.alloc(2);
    length.writeUInt16LE(sealed.length);
    out.push(length, sealed);
  }
  const bytes = Buffer.concat(out);
  parentPort.postMessage(bytes, [bytes.buffer]);
});
`;
}

/**
 * Takes the sealed file's lock (a file holding this process's id), waiting while another live run holds it: two
 * runs at once (the whole bench beside this script) must not both append to the file.
 */
async function lockSealedFile(
  file: string,
  log: (line: string) => void
): Promise<{ heartbeat: () => void; release: () => void }> {
  const lock = `${file}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      return {
        heartbeat: () => utimesSync(lock, new Date(), new Date()),
        release: () => rmSync(lock, { force: true }),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder: number;
    try {
      holder = Number(readFileSync(lock, "utf8"));
    } catch {
      continue; // released meanwhile
    }
    // Left by a run that died, or that has stopped sealing (a live run touches the lock after every chunk).
    const stale = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 60_000;
    if ((Number.isInteger(holder) && holder > 0 && !isAlive(holder)) || stale) {
      rmSync(lock, { force: true });
      continue;
    }
    if (attempt === 0) log(`waiting for process ${holder}, which is sealing the same ballots…`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Makes sure the sealed file holds at least `n` ballots, sealing the missing ones on every core. The longer file
 * is written beside it and renamed over it: a reader sees the old file or the new one, whole.
 */
async function ensureSealed(keys: BenchKeys, groupIds: number[], n: number, log: (line: string) => void) {
  const file = sealedFile(keys, groupIds);
  const lock = await lockSealedFile(file, log);
  const partial = `${file}.${process.pid}.partial`;
  try {
    const existing = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
    const offsets = recordOffsets(existing, Number.MAX_SAFE_INTEGER);
    const have = offsets.length;
    if (have < n) {
      // A partial last record (an interrupted run) is left out.
      const validEnd = have === 0 ? 0 : offsets[have - 1] + 2 + existing.readUInt16LE(offsets[have - 1]);
      writeFileSync(partial, existing.subarray(0, validEnd));
      await sealInto(partial, keys, groupIds, have, n, log, lock.heartbeat);
      renameSync(partial, file);
    }
    return file;
  } finally {
    rmSync(partial, { force: true });
    lock.release();
  }
}

/** Appends ballots `have` to `n - 1`, sealed on every core, to `file`. */
async function sealInto(
  file: string,
  keys: BenchKeys,
  groupIds: number[],
  have: number,
  n: number,
  log: (line: string) => void,
  heartbeat: () => void
) {
  const workerData = { publicKey: keys.publicKey };
  const source = sealWorkerSource();
  const threads = availableParallelism();
  const workers = Array.from({ length: threads }, () => {
    const worker = new Worker(source, { eval: true, workerData });
    // A worker that fails or stops fails the sealing, now or at its next chunk, rather than leaving it waiting.
    let failure: Error | null = null;
    let pending: { resolve: (bytes: Buffer) => void; reject: (error: Error) => void } | null = null;
    const fail = (error: Error) => {
      failure ??= error;
      pending?.reject(failure);
      pending = null;
    };
    worker.on("message", (bytes: Uint8Array) => {
      pending?.resolve(Buffer.from(bytes));
      pending = null;
    });
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`a sealing worker stopped (exit code ${code})`)));
    return {
      worker,
      seal: (plaintexts: Buffer[]) =>
        new Promise<Buffer>((resolve, reject) => {
          if (failure) return reject(failure);
          pending = { resolve, reject };
          worker.postMessage(plaintexts);
        }),
    };
  });
  const started = performance.now();
  log(`sealing ballots ${have + 1}–${n} on ${threads} threads into ${file} (once)…`);
  const fd = openSync(file, "a");
  try {
    const CHUNK = 5_000;
    let next = have;
    // Results are written in order, whichever worker finishes first.
    const done = new Map<number, Buffer>();
    let written = have;
    const flush = () => {
      while (done.has(written)) {
        const bytes = done.get(written)!;
        done.delete(written);
        writeSync(fd, bytes);
        written += Math.min(CHUNK, n - written);
      }
    };
    await Promise.all(
      workers.map(async ({ seal }) => {
        while (next < n) {
          const from = next;
          const to = Math.min(n, from + CHUNK);
          next = to;
          const plaintexts: Buffer[] = [];
          for (let i = from; i < to; i++) {
            const b = ballotOf(i);
            plaintexts.push(encodeBallot({ g: groupIds[b.group], l: b.levels }));
          }
          done.set(from, await seal(plaintexts));
          flush();
          heartbeat();
          if (Math.floor(to / 100_000) !== Math.floor(from / 100_000)) {
            log(`  ${to} sealed, ${((performance.now() - started) / 1000).toFixed(0)} s`);
          }
        }
      })
    );
  } finally {
    closeSync(fd);
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }
  log(`sealed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// ---------------------------------------------------------------------------------------------------------------
// CPU of the PostgreSQL backends serving the bench's database (the server runs on this machine).

async function backendPids(admin: pg.Client, database: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>("select pid from pg_stat_activity where datname = $1", [
    database,
  ]);
  return rows.map((r) => r.pid);
}

/** utime + stime of a process in seconds, or null when /proc does not show it (a remote server). */
function processCpuSeconds(pid: number): number | null {
  return cpuSecondsOf(`/proc/${pid}/stat`);
}

/** utime + stime of the process or thread whose stat file this is, in seconds; null when there is none. */
function cpuSecondsOf(statFile: string): number | null {
  try {
    const stat = readFileSync(statFile, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function cpuOf(pids: number[]): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    const seconds = processCpuSeconds(pid);
    if (seconds !== null) cpu.set(pid, seconds);
  }
  return cpu;
}

// ---------------------------------------------------------------------------------------------------------------

interface Phase {
  phase: string;
  ms: number;
  /** CPU seconds of this process (all its threads) and of the database's backends during the phase. */
  processCpu: number;
  postgresCpu: number;
  /** CPU seconds of this process's main thread alone (the rest of `processCpu` is the opening workers'). */
  mainThreadCpu: number | null;
}

function describePhases(phases: Phase[]): string {
  return phases
    .map(
      (p) =>
        `${p.phase} ${(p.ms / 1000).toFixed(2)} s ` +
        `(CPU ${p.processCpu.toFixed(1)} s here` +
        (p.mainThreadCpu === null ? "" : ` of which ${p.mainThreadCpu.toFixed(1)} s main thread`) +
        `, ${p.postgresCpu.toFixed(1)} s PostgreSQL)`
    )
    .join(", ");
}

interface SizeResult {
  n: number;
  loadBefore: number;
  closeSeconds: number;
  processCpuSeconds: number;
  postgresCpuSeconds: number | null;
  phases: Phase[];
  recountSeconds: number[];
  openingCeilingSeconds: number;
  oneCoreOpenMicros: number;
}

async function measureSize(adminUrl: string, n: number, log: (line: string) => void): Promise<SizeResult> {
  const database = `phieu_count_${process.pid}_${n}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${database}" with (force)`);
  await admin.query(`create database "${database}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;

  let previous: OpenedDatabase | null = null;
  try {
    previous = currentDatabase();
  } catch {
    previous = null;
  }
  // The application's own setup (openDatabase) with a pool whose closing can be awaited: pool.end() resolves
  // before its connections are gone, and dropping the database "with (force)" would then kill them (the same as
  // tests/setup/database.ts does).
  // Idle connections are kept, so that the backends whose CPU is read before the close are those it uses.
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4, idleTimeoutMillis: 0 });
  const connections = new Set<unknown>();
  pool.on("connect", (client) => connections.add(client));
  pool.on("remove", (client) => connections.delete(client));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const opened: OpenedDatabase = {
    db,
    mode: "postgres",
    describe: `PostgreSQL ${database}`,
    close: () => db.destroy(),
  };
  useDatabase(opened);
  // The server-keyed poll's key file: in a key folder of this run's own, removed with it.
  const keyDir = mkdtempSync(path.join(tmpdir(), "phieu-bench-keys-"));
  useKeyFolder(keyDir);
  try {
    await migrateToLatest(db);
    return await runSize({ db, admin, database, n, log });
  } finally {
    useKeyFolder(null);
    rmSync(keyDir, { recursive: true, force: true });
    useDatabase(previous);
    await db.destroy();
    while (connections.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // PHIEU_BENCH_KEEP_DATABASE=1 keeps the counted poll to look into (the recount's plans); drop it by hand.
    if (process.env.PHIEU_BENCH_KEEP_DATABASE === "1") log(`kept the database ${database}`);
    else await admin.query(`drop database if exists "${database}" with (force)`);
    await admin.end();
  }
}

async function runSize({
  db,
  admin,
  database,
  n,
  log,
}: {
  db: Kysely<Database>;
  admin: pg.Client;
  database: string;
  n: number;
  log: (line: string) => void;
}): Promise<SizeResult> {
  // The ward, its groups, ten cadres in office and the poll over them.
  const unit = (name: string, kind: "province" | "ward" | "residential_group", parentId: number | null) =>
    db
      .insertInto("units")
      .values({ name, kind, parent_id: parentId })
      .returning("id")
      .executeTakeFirstOrThrow()
      .then((r) => r.id);
  const province = await unit("Thành phố Hà Nội", "province", null);
  const ward = await unit("Phường Thanh Xuân", "ward", province);
  const groupIds: number[] = [];
  for (let g = 1; g <= BIG_GROUPS + 1; g++) groupIds.push(await unit(`Tổ dân phố số ${g}`, "residential_group", ward));
  const officer = await db
    .insertInto("users")
    .values({ username: "bench.counting", full_name: "Cán bộ Đo hiệu năng", password_hash: "not-a-login" })
    .returning(["id", "username"])
    .executeTakeFirstOrThrow();
  await db.insertInto("grants").values({ user_id: officer.id, role: "front_officer", unit_id: ward }).execute();
  const titles = await db
    .selectFrom("position_titles")
    .select("id")
    .where("ward_id", "is", null)
    .orderBy("sort_order")
    .limit(SUBJECTS)
    .execute();
  const positionIds: number[] = [];
  for (const [i, title] of titles.entries()) {
    const cadre = await db
      .insertInto("cadres")
      .values({ ward_id: ward, full_name: `Cán bộ số ${i + 1}`, birth_year: 1970 + i })
      .returning("id")
      .executeTakeFirstOrThrow();
    const position = await db
      .insertInto("positions")
      .values({ cadre_id: cadre.id, unit_id: ward, title_id: title.id, started_on: "2021-07-01" })
      .returning("id")
      .executeTakeFirstOrThrow();
    positionIds.push(position.id);
  }
  const actor = { userId: officer.id, label: officer.username };
  const { id: pollId } = await createPoll({
    actor,
    input: {
      unitId: ward,
      kind: "confidence_poll",
      title: "Lấy phiếu tín nhiệm — đo hiệu năng kiểm phiếu",
      place: "Hội trường UBND phường",
      positionIds,
      groupIds,
      committee: [{ fullName: "Trần Văn Bình", role: "Trưởng ban" }],
      // Server key mode: the bench writes its own key pair to the poll's key file (below).
      keyMode: "server",
    },
  });

  // One credential per ballot, handed out and used, in batches of at most 10,000 per group: what the casts of the
  // box would have left (the tally checks credentials used = ballots counted).
  const perGroup = ballotsPerGroup(n);
  for (const [g, count] of perGroup.entries()) {
    for (let from = 0; from < count; from += MAX_BATCH) {
      const size = Math.min(MAX_BATCH, count - from);
      const batch = await db
        .insertInto("credential_batches")
        .values({ poll_id: pollId, group_id: groupIds[g], size, handed_out: size, created_by: officer.id })
        .returning("id")
        .executeTakeFirstOrThrow();
      await sql`
        insert into credentials (code_hash, batch_id, poll_id, seq)
        select encode(sha256(convert_to('bench:' || ${batch.id}::text || ':' || s, 'UTF8')), 'hex'), ${batch.id}, ${pollId}, s
        from generate_series(1, ${size}::int) s`.execute(db);
      await sql`
        insert into credential_uses (code_hash, poll_id, receipt)
        select code_hash, poll_id, upper(substr(code_hash, 1, 4) || '-' || substr(code_hash, 5, 4) || '-' || substr(code_hash, 9, 4) || '-' || substr(code_hash, 13, 4))
        from credentials where batch_id = ${batch.id}`.execute(db);
    }
  }

  // A server-keyed poll, opened as an officer would; then given the bench's key pair (its ballots are sealed ahead,
  // once for every run), in a key file exactly as openPoll writes its own.
  await openPoll({ actor, pollId });
  const keys = benchKeys();
  writeServerKey(pollId, keys);
  await db.updateTable("polls").set({ public_key: keys.publicKey }).where("id", "=", pollId).execute();

  const file = await ensureSealed(keys, groupIds, n, log);
  const sealedBytes = readFileSync(file);
  const offsets = recordOffsets(sealedBytes, n);
  if (offsets.length < n) throw new Error(`the sealed file holds ${offsets.length} ballots, not ${n}`);
  const record = (i: number) =>
    sealedBytes.subarray(offsets[i] + 2, offsets[i] + 2 + sealedBytes.readUInt16LE(offsets[i]));
  const partition = boxPartition(pollId);
  let started = performance.now();
  for (let from = 0; from < n; from += 20_000) {
    const sealed: Buffer[] = [];
    for (let i = from; i < Math.min(n, from + 20_000); i++) sealed.push(record(i));
    await sql`insert into ${sql.id(partition)} (poll_id, sealed) select ${pollId}, unnest(${sealed}::bytea[])`.execute(
      db
    );
  }
  // What autovacuum would have done over a day of casting.
  await sql`vacuum (analyze) ${sql.id(partition)}, credentials, credential_uses, credential_batches`.execute(db);
  await sql`checkpoint`.execute(db).catch(() => undefined);
  log(`${n} sealed ballots in the box in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // The ceiling: opening alone, no database, at the rate of one core spread over every core.
  const opener = ballotOpener(keys);
  const sample = Math.min(n, 20_000);
  started = performance.now();
  for (let i = 0; i < sample; i++) decodeBallot(opener(record(i)));
  const oneCoreOpenMicros = ((performance.now() - started) * 1000) / sample;
  const openingCeilingSeconds = (oneCoreOpenMicros * n) / 1e6 / availableParallelism();

  // The close, timed as the officer's click would be, with the CPU of this process (every thread) and of the
  // database's backends at each phase's end (countBox publishes them on a diagnostics channel).
  const pids = await backendPids(admin, database);
  const postgresCpu = () => [...cpuOf(pids).values()].reduce((sum, seconds) => sum + seconds, 0);
  const processCpu = () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1e6;
  };
  // The main thread is the task whose id is the process's.
  const mainThreadCpu = () => cpuSecondsOf(`/proc/self/task/${process.pid}/stat`);
  let mark = { process: processCpu(), postgres: postgresCpu(), main: mainThreadCpu() };
  const phases: Phase[] = [];
  const onPhase = (message: unknown) => {
    const now = { process: processCpu(), postgres: postgresCpu(), main: mainThreadCpu() };
    const { phase, ms } = message as { phase: string; ms: number };
    phases.push({
      phase,
      ms,
      processCpu: now.process - mark.process,
      postgresCpu: now.postgres - mark.postgres,
      mainThreadCpu: now.main === null || mark.main === null ? null : now.main - mark.main,
    });
    mark = now;
  };
  const before = mark;
  const loadBefore = loadavg()[0];
  diagnostics.subscribe("phieu.count", onPhase);
  started = performance.now();
  const { ballotsCounted } = await closePoll({ actor, pollId });
  const closeSeconds = (performance.now() - started) / 1000;
  diagnostics.unsubscribe("phieu.count", onPhase);
  const processCpuSeconds = processCpu() - before.process;
  const postgresCpuSeconds = pids.length > 0 && cpuOf(pids).size > 0 ? postgresCpu() - before.postgres : null;
  log(`closed and counted ${n} ballots in ${closeSeconds.toFixed(2)} s: ${describePhases(phases)}`);
  if (ballotsCounted !== n) throw new Error(`counted ${ballotsCounted} ballots, not ${n}`);

  // The recount: the tally computed again from the counted table, as the results page does.
  const recountSeconds: number[] = [];
  let tally: Awaited<ReturnType<typeof computeTally>> = null;
  for (let run = 0; run < 3; run++) {
    const t = performance.now();
    tally = await computeTally({ pollId });
    recountSeconds.push((performance.now() - t) / 1000);
  }
  checkTally(tally, n, LEVELS.confidence_poll);
  const withoutGroup = await db
    .selectFrom("counted_ballots")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("poll_id", "=", pollId)
    .where("group_id", "is", null)
    .executeTakeFirstOrThrow();
  // The small group's ballots, and those of the smallest big group that joins them (the poll keeps the default k).
  const counts = new Map(ballotsPerGroup(n).map((count, g) => [groupIds[g], count]));
  const pooled = pooledGroups(counts, DEFAULT_RULES.k);
  const expectedWithoutGroup = [...pooled].reduce((sum, g) => sum + counts.get(g)!, 0);
  if (Number(withoutGroup.n) !== expectedWithoutGroup) {
    throw new Error(`${withoutGroup.n} ballots counted without their group, not ${expectedWithoutGroup}`);
  }
  const left = await sql<{ n: string }>`select count(*) as n from ${sql.id(partition)}`.execute(db);
  if (Number(left.rows[0].n) !== 0) throw new Error("the box is not empty after the count");

  return {
    n,
    closeSeconds,
    processCpuSeconds,
    postgresCpuSeconds,
    loadBefore,
    phases,
    recountSeconds,
    openingCeilingSeconds,
    oneCoreOpenMicros,
  };
}

/** The tally must say exactly what the sealed ballots said. */
function checkTally(tally: Awaited<ReturnType<typeof computeTally>>, n: number, levels: readonly string[]) {
  if (!tally) throw new Error("no tally after the count");
  const expected = Array.from({ length: SUBJECTS }, () => [0, 0, 0, 0]);
  for (let i = 0; i < n; i++) ballotOf(i).levels.forEach((code, s) => expected[s][code]++);
  tally.subjects.forEach((subject, s) => {
    const got = [subject.invalid, ...levels.map((level) => subject.counts[level as keyof typeof subject.counts] ?? 0)];
    if (got.join() !== expected[s].join()) {
      throw new Error(`subject ${s + 1}: counted ${got.join("/")}, sealed ${expected[s].join("/")}`);
    }
  });
  if (!tally.invariant.holds || tally.invariant.ballotsCounted !== n) {
    throw new Error(`the invariant does not hold: ${JSON.stringify(tally.invariant)}`);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function benchCounting(options: { databaseUrl: string; sizes: number[] }): Promise<Figure[]> {
  process.env.PHIEU_SECRET ??= randomBytes(32).toString("base64url");
  const log = (line: string) => process.stderr.write(`[counting] ${line}\n`);
  const figures: Figure[] = [];
  for (const n of options.sizes) {
    const r = await measureSize(options.databaseUrl, n, log);
    const phases = describePhases(r.phases);
    const atMillion = n === 1_000_000;
    figures.push({
      group: "counting",
      name: `counting at close, PostgreSQL, ${n.toLocaleString("en")} ballots of ${SUBJECTS} subjects`,
      value: round(r.closeSeconds),
      unit: "s",
      ceiling: {
        name: `opening alone at one core's rate (${r.oneCoreOpenMicros.toFixed(
          0
        )} µs a ballot) over ${availableParallelism()} cores`,
        value: round(r.openingCeilingSeconds),
        unit: "s",
      },
      ratio: round(r.openingCeilingSeconds / r.closeSeconds),
      ...(atMillion ? { budget: { text: `≤ ${COUNT_BUDGET_S} s`, met: r.closeSeconds <= COUNT_BUDGET_S } } : {}),
      note:
        `closePoll: open, mix, count, truncate in one transaction; ${((r.closeSeconds * 1e6) / n).toFixed(
          1
        )} µs a ballot. ` +
        (phases ? `Phases: ${phases}. ` : "") +
        `CPU: this process ${r.processCpuSeconds.toFixed(1)} s (all threads)` +
        (r.postgresCpuSeconds === null ? "" : `, PostgreSQL backends ${r.postgresCpuSeconds.toFixed(1)} s`) +
        `. Load average ${r.loadBefore.toFixed(1)} on ${availableParallelism()} × ` +
        `${
          cpus()[0]?.model ?? "?"
        } just before the close (other work on the machine stretches wall times). Every ballot sealed on its own to the poll's key (cached under ` +
        `${path.join(tmpdir(), "phieu-bench-sealed")}), bulk-inserted into the box, then VACUUM ANALYZE; the ` +
        `tally checked against the sealed answers.` +
        (atMillion ? "" : ` The budget (≤ ${COUNT_BUDGET_S} s) is for 1,000,000.`),
    });
    const recount = median(r.recountSeconds);
    figures.push({
      group: "results",
      name: `recount of the counted table (computeTally), PostgreSQL, ${n.toLocaleString("en")} ballots`,
      value: round(recount),
      unit: "s",
      budget: { text: `≤ ${RECOUNT_BUDGET_S} s`, met: recount <= RECOUNT_BUDGET_S },
      note:
        `Median of 3 runs: ${r.recountSeconds.map((s) => s.toFixed(2)).join(", ")} s; counts, blanks and the ` +
        `invariant checked against the ballots sealed.`,
    });
  }
  return figures;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

// Run alone: npx tsx scripts/bench/counting.ts 10000 100000 1000000
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const sizes = process.argv.slice(2).map(Number);
  const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  benchCounting({ databaseUrl, sizes: sizes.length > 0 ? sizes : [10_000, 100_000, 1_000_000] })
    .then((figures) => {
      for (const f of figures) {
        const budget = f.budget ? ` [${f.budget.text}: ${f.budget.met ? "met" : "MISSED"}]` : "";
        const ceiling = f.ceiling ? ` (ceiling ${f.ceiling.value} ${f.ceiling.unit}: ${f.ceiling.name})` : "";
        console.log(`${f.group} — ${f.name}: ${f.value} ${f.unit}${budget}${ceiling}`);
        if (f.note) console.log(`  ${f.note}`);
      }
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
