// Casting through the real server: a poll of 10 cadres prepared with the domain functions before the server starts,
// then residents posting exactly what the no-JavaScript ballot posts (GET /v/<code>, "Xem lại" with the choices,
// "Gửi phiếu" with the carried hidden fields), each resident with a credential of its own.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Agent } from "undici";
import pg from "pg";
import { castBallot } from "../../app/ballots/cast.server";
import { issueBatch, recordHandedOut } from "../../app/credentials/credentials.server";
import { db, useDatabase } from "../../app/db.server";
import { closePoll, openPoll } from "../../app/polls/lifecycle.server";
import { createPoll } from "../../app/polls/polls.server";
import { confirmTally, publishPoll, readTally } from "../../app/polls/publish.server";
import { startDatabase } from "../../app/startup.server";
import { processCpuSeconds, startServer, type RunningServer } from "./server";

const WARD = "Phường Thanh Xuân";
const BATCH = 10_000;

export interface PreparedWard {
  castingPollId: number;
  /** Fresh credentials of the casting poll, handed to residents one each (consumed from `next`). */
  codes: { list: string[]; next: number };
  groupIds: number[];
  subjects: number;
  resultsPollId: number;
  resultsBallots: number;
}

/**
 * Migrates and seeds the database (the demo ward and its accounts, as the server would on its first start), then
 * with the domain functions: a poll over the ward's 10 cadres in their positions, open, with `castingCredentials`
 * fresh credentials; and a second poll with `resultsBallots` ballots cast, closed, counted, confirmed by both
 * counting members and published, whose results page reads the frozen tally. Closes the database afterwards: an
 * embedded data folder is then free for the server.
 */
export async function prepareWard({
  databaseUrl,
  dataDir,
  castingCredentials,
  resultsBallots,
}: {
  databaseUrl?: string;
  dataDir: string;
  castingCredentials: number;
  resultsBallots: number;
}): Promise<PreparedWard> {
  const started = await startDatabase({ databaseUrl, dataDir, seed: true });
  try {
    const ward = await db
      .selectFrom("units")
      .select("id")
      .where("name", "=", WARD)
      .where("kind", "=", "ward")
      .executeTakeFirstOrThrow();
    const users = await db.selectFrom("users").select(["id", "username", "full_name"]).execute();
    const user = (username: string) => users.find((u) => u.username === username)!;
    const officer = user("mattran");
    const actor = { userId: officer.id, label: officer.username };
    const positions = await db
      .selectFrom("positions")
      .innerJoin("cadres", "cadres.id", "positions.cadre_id")
      .select("positions.id")
      .where("cadres.ward_id", "=", ward.id)
      .where("positions.ended_on", "is", null)
      .execute();
    const groups = await db
      .selectFrom("units")
      .select("id")
      .where("parent_id", "=", ward.id)
      .where("kind", "=", "residential_group")
      .orderBy("id")
      .execute();
    const groupIds = groups.map((g) => g.id);
    const newPoll = (title: string) =>
      createPoll({
        actor,
        input: {
          unitId: ward.id,
          kind: "confidence_poll",
          title,
          place: "Hội trường UBND phường Thanh Xuân",
          positionIds: positions.map((p) => p.id),
          groupIds,
          committee: [
            { fullName: user("kiemphieu1").full_name, role: "Trưởng ban", userId: user("kiemphieu1").id },
            { fullName: user("kiemphieu2").full_name, role: "Thành viên", userId: user("kiemphieu2").id },
          ],
          // Server key mode: each run closes and counts its polls at once, with no member to type a key.
          keyMode: "server",
        },
      });

    // The published poll: every group gets the same share of ballots, all handed out, none left over.
    const publishedPoll = async () => {
      const results = await newPoll("Lấy phiếu tín nhiệm cán bộ chủ chốt năm 2025 (đã công bố)");
      const perGroup = Math.max(5, Math.ceil(resultsBallots / groupIds.length));
      const resultCodes: string[] = [];
      for (const groupId of groupIds) {
        const { slips, batchId } = await issueBatch({ actor, pollId: results.id, groupId, count: perGroup });
        await recordHandedOut({ actor, pollId: results.id, batchId, handedOut: perGroup });
        resultCodes.push(...slips.map((s) => s.code));
      }
      await openPoll({ actor, pollId: results.id });
      for (const code of resultCodes) {
        const cast = await castBallot({ code, levels: positions.map(() => randomLevel()) });
        if (cast.status !== "counted") throw new Error(`Preparing the published poll: a ballot was ${cast.status}.`);
      }
      await closePoll({ actor, pollId: results.id });
      const tally = await readTally({ pollId: results.id });
      if (!tally) throw new Error("Preparing the published poll: no tally after the count.");
      for (const member of ["kiemphieu1", "kiemphieu2"]) {
        const u = user(member);
        await confirmTally({ actor: { userId: u.id, label: u.username }, pollId: results.id, shownHash: tally.hash });
      }
      await publishPoll({ actor, pollId: results.id });
      return { pollId: results.id, ballots: resultCodes.length };
    };

    const casting = await newPoll("Lấy phiếu tín nhiệm cán bộ chủ chốt năm 2026 (đo hiệu năng)");
    const codes: string[] = [];
    for (let i = 0; codes.length < castingCredentials; i++) {
      const count = Math.min(BATCH, castingCredentials - codes.length);
      const { slips } = await issueBatch({ actor, pollId: casting.id, groupId: groupIds[i % groupIds.length], count });
      codes.push(...slips.map((s) => s.code));
    }
    await openPoll({ actor, pollId: casting.id });

    const published = resultsBallots > 0 ? await publishedPoll() : { pollId: 0, ballots: 0 };

    return {
      castingPollId: casting.id,
      codes: { list: codes, next: 0 },
      groupIds,
      subjects: positions.length,
      resultsPollId: published.pollId,
      resultsBallots: published.ballots,
    };
  } finally {
    useDatabase(null);
    await started.opened.close();
  }
}

/** 1–3 (Tín nhiệm cao, Tín nhiệm, Tín nhiệm thấp), mostly the first two, as a real ward's ballots would be. */
function randomLevel() {
  const r = Math.random();
  return r < 0.55 ? 1 : r < 0.9 ? 2 : 3;
}

// ---------------------------------------------------------------------------------------------------------------
// The residents.

const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

function inputsOf(html: string, type: "radio" | "hidden") {
  // Only the ballot's own form: the page's layout has forms of its own (the language switch).
  const start = html.indexOf('class="ballot-form"');
  const form = start < 0 ? "" : html.slice(start, html.indexOf("</form>", start));
  const found: { name: string; value: string }[] = [];
  for (const tag of form.match(new RegExp(`<input[^>]*type="${type}"[^>]*>`, "g")) ?? []) {
    const name = /\sname="([^"]*)"/.exec(tag)?.[1];
    const value = /\svalue="([^"]*)"/.exec(tag)?.[1];
    if (name && value !== undefined) found.push({ name, value });
  }
  return found;
}

/** What a resident's browser posts on "Xem lại": one checked radio button per subject, and the button's intent. */
export function ballotChoices(html: string): URLSearchParams {
  const bySubject = new Map<string, string[]>();
  for (const { name, value } of inputsOf(html, "radio")) bySubject.set(name, [...(bySubject.get(name) ?? []), value]);
  const form = new URLSearchParams();
  for (const [name, values] of bySubject) form.set(name, values[Math.min(values.length, randomLevel()) - 1]);
  form.set("intent", "review");
  return form;
}

/** What "Gửi phiếu" posts: the review page's hidden fields, and the button's intent. */
export function carriedChoices(html: string): URLSearchParams {
  const form = new URLSearchParams();
  for (const { name, value } of inputsOf(html, "hidden")) form.set(name, value);
  form.set("intent", "cast");
  return form;
}

interface ResidentTimes {
  getMs: number;
  reviewMs: number;
  castMs: number;
  endedAt: number;
  error?: string;
}

async function resident(url: string, code: string, agent: Agent, subjects: number): Promise<ResidentTimes> {
  const request = (init: RequestInit = {}) =>
    fetch(`${url}/v/${code}`, { ...init, dispatcher: agent } as RequestInit & { dispatcher: Agent });
  const t0 = performance.now();
  const page = await request();
  const ballotHtml = await page.text();
  const t1 = performance.now();
  const choices = ballotChoices(ballotHtml);
  if (page.status !== 200 || choices.size !== subjects + 1) {
    return {
      getMs: t1 - t0,
      reviewMs: 0,
      castMs: 0,
      endedAt: t1,
      error: `GET ${page.status}, ${choices.size - 1} subjects`,
    };
  }
  const review = await request({ method: "POST", headers: FORM, body: choices });
  const reviewHtml = await review.text();
  const t2 = performance.now();
  const carried = carriedChoices(reviewHtml);
  if (review.status !== 200 || carried.size !== subjects + 1) {
    return { getMs: t1 - t0, reviewMs: t2 - t1, castMs: 0, endedAt: t2, error: `review ${review.status}` };
  }
  const cast = await request({ method: "POST", headers: FORM, body: carried });
  const receiptHtml = await cast.text();
  const t3 = performance.now();
  const times = { getMs: t1 - t0, reviewMs: t2 - t1, castMs: t3 - t2, endedAt: t3 };
  if (cast.status !== 200 || !receiptHtml.includes('class="receipt__code"')) {
    return { ...times, error: `cast ${cast.status}` };
  }
  return times;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface CastingLevel {
  concurrency: number;
  seconds: number;
  ballots: number;
  ballotsPerSecond: number;
  castMs: { p50: number; p99: number };
  getMs: { p50: number; p99: number };
  reviewMs: { p50: number; p99: number };
  flowMs: { p50: number; p99: number };
  errors: number;
  firstError?: string;
  /** Cores' worth of CPU the load generator (this process) used during the window: CPU seconds / wall seconds. */
  loadCores: number;
  /** The server process's CPU (its database too, when embedded) per ballot, in ms. */
  serverCpuMsPerBallot: number | null;
  ranOutOfCredentials: boolean;
  /** The measured window on the monotonic clock (µs), which V8's profiles also use. */
  monotonicWindowUs: { start: number; end: number };
  /** Every "Gửi phiếu" post the server answered in this level, warm-up included, to check against the database. */
  castsIncludingWarmup: number;
}

/**
 * `concurrency` residents, each voting again with the next fresh credential as soon as its receipt arrives, for a
 * warm-up and then `seconds` measured. A ballot counts in the window when its receipt arrives inside it.
 */
export async function castingLoad({
  server,
  ward,
  concurrency,
  seconds,
  warmupSeconds,
}: {
  server: RunningServer;
  ward: PreparedWard;
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
}): Promise<CastingLevel> {
  const agent = new Agent({ connections: concurrency + 4, keepAliveTimeout: 60_000, pipelining: 1 });
  const window = { start: Infinity, end: Infinity, stop: false };
  const measured: ResidentTimes[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let castsIncludingWarmup = 0;
  let ranOut = false;
  let lastInWindow = 0;

  const worker = async () => {
    while (!window.stop) {
      if (ward.codes.next >= ward.codes.list.length) {
        ranOut = true;
        return;
      }
      const code = ward.codes.list[ward.codes.next++];
      const times = await resident(server.url, code, agent, ward.subjects).catch(
        (error: unknown): ResidentTimes => ({
          getMs: 0,
          reviewMs: 0,
          castMs: 0,
          endedAt: performance.now(),
          error: error instanceof Error ? error.message : String(error),
        })
      );
      if (!times.error || times.castMs > 0) castsIncludingWarmup++;
      if (times.endedAt < window.start || times.endedAt > window.end) continue;
      if (times.error) {
        errors++;
        firstError ??= times.error;
        continue;
      }
      measured.push(times);
      lastInWindow = Math.max(lastInWindow, times.endedAt);
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await sleep(warmupSeconds * 1000);
  window.start = performance.now();
  const monotonicStart = Number(process.hrtime.bigint() / 1000n);
  const cpuBefore = process.cpuUsage();
  const serverBefore = processCpuSeconds(server.pid);
  await Promise.race([sleep(seconds * 1000), Promise.all(workers)]);
  window.end = ranOut ? Math.max(lastInWindow, window.start + 1) : performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  const monotonicEnd = Number(process.hrtime.bigint() / 1000n);
  const serverAfter = processCpuSeconds(server.pid);
  window.stop = true;
  await Promise.all(workers);
  await agent.close();

  const wall = (window.end - window.start) / 1000;
  const stats = (pick: (t: ResidentTimes) => number) => {
    const sorted = measured.map(pick).sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  return {
    concurrency,
    seconds: wall,
    ballots: measured.length,
    ballotsPerSecond: measured.length / wall,
    castMs: stats((t) => t.castMs),
    getMs: stats((t) => t.getMs),
    reviewMs: stats((t) => t.reviewMs),
    flowMs: stats((t) => t.getMs + t.reviewMs + t.castMs),
    errors,
    firstError,
    loadCores: (cpu.user + cpu.system) / 1e6 / wall,
    serverCpuMsPerBallot:
      serverBefore === null || serverAfter === null || measured.length === 0
        ? null
        : ((serverAfter - serverBefore) * 1000) / measured.length,
    ranOutOfCredentials: ranOut,
    monotonicWindowUs: { start: monotonicStart, end: monotonicEnd },
    castsIncludingWarmup,
  };
}

export interface FloorLevel {
  concurrency: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** The server's CPU (its workers' and, when embedded, its database's) per request, in ms. */
  serverCpuMsPerRequest: number | null;
}

/**
 * The floor under every page: `GET /healthz` (one `select 1`, nothing rendered) through the same server, the same
 * middleware and Remix's request handler, by `concurrency` clients for a warm-up and then `seconds`. Whatever a
 * ballot page costs beyond it is the page's own work.
 */
export async function floorLoad({
  server,
  concurrency,
  seconds,
  warmupSeconds,
}: {
  server: RunningServer;
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
}): Promise<FloorLevel> {
  const agent = new Agent({ connections: concurrency + 4, keepAliveTimeout: 60_000, pipelining: 1 });
  const window = { measuring: false, stop: false };
  const latencies: number[] = [];
  let failures = 0;
  const client = async () => {
    while (!window.stop) {
      const start = performance.now();
      const response = await fetch(`${server.url}/healthz`, { dispatcher: agent } as RequestInit & {
        dispatcher: Agent;
      });
      await response.arrayBuffer();
      if (!window.measuring) continue;
      if (response.status !== 200) failures++;
      else latencies.push(performance.now() - start);
    }
  };
  const clients = Array.from({ length: concurrency }, client);
  await sleep(warmupSeconds * 1000);
  window.measuring = true;
  const started = performance.now();
  const serverBefore = processCpuSeconds(server.pid);
  await sleep(seconds * 1000);
  const serverAfter = processCpuSeconds(server.pid);
  const wall = (performance.now() - started) / 1000;
  const count = latencies.length;
  window.stop = true;
  await Promise.all(clients);
  await agent.close();
  if (failures > 0) throw new Error(`GET /healthz failed ${failures} times under load.`);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    concurrency,
    requestsPerSecond: count / wall,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    serverCpuMsPerRequest:
      serverBefore === null || serverAfter === null || count === 0
        ? null
        : ((serverAfter - serverBefore) * 1000) / count,
  };
}

/** Credentials used and ballots in the box of the casting poll, read from the server's database. */
export async function boxCount({ connection, pollId }: { connection: pg.ClientConfig; pollId: number }) {
  const client = new pg.Client(connection);
  await client.connect();
  try {
    const { rows } = await client.query<{ used: string; boxed: string }>(
      `select (select count(*) from credential_uses where poll_id = $1) as used,
              (select count(*) from ballot_box where poll_id = $1) as boxed`,
      [pollId]
    );
    return { used: Number(rows[0].used), boxed: Number(rows[0].boxed) };
  } finally {
    await client.end();
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------------------
// Where the server's time goes: a second, profiled run of the heaviest level, summarised by self time.

export interface ProfileSummary {
  /** Where the whole profile was kept. */
  file?: string;
  sampledMs: number;
  areas: { area: string; share: number }[];
  /** Time with a package or Phiếu's code anywhere on the stack (its callees included), heaviest first. */
  inclusive: { area: string; share: number }[];
  functions: { name: string; where: string; share: number }[];
}

/**
 * Starts the server again on the same database with `--cpu-prof`, runs `concurrency` residents for `seconds`, stops
 * it (the profile is written as it exits) and summarises the profile. Separate from the measured run, which the
 * profiler would slow down.
 */
export async function profileCasting({
  dataDir,
  databaseUrl,
  secret,
  ward,
  concurrency,
  seconds,
}: {
  dataDir: string;
  databaseUrl?: string;
  secret: string;
  ward: PreparedWard;
  concurrency: number;
  seconds: number;
}): Promise<ProfileSummary | null> {
  const profileDir = path.join(dataDir, `cpu-profile-${Date.now()}`);
  const server = await startServer({
    dataDir,
    databaseUrl,
    secret,
    nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`],
  });
  let level: CastingLevel;
  try {
    level = await castingLoad({ server, ward, concurrency, seconds, warmupSeconds: 1 });
  } finally {
    await server.stop();
  }
  // On PostgreSQL the server is a primary and its workers, each writing its own profile: the busiest one (the
  // largest file) is a worker's, and the workers share the load evenly.
  const file = fs.existsSync(profileDir)
    ? fs
        .readdirSync(profileDir)
        .filter((f) => f.endsWith(".cpuprofile"))
        .sort((a, b) => fs.statSync(path.join(profileDir, b)).size - fs.statSync(path.join(profileDir, a)).size)[0]
    : null;
  if (!file) return null;
  // Kept outside the run's folders (which are removed), to open in Chrome DevTools' Performance panel.
  const kept = path.join(os.tmpdir(), `phieu-bench-casting-${databaseUrl ? "postgres" : "embedded"}.cpuprofile`);
  fs.copyFileSync(path.join(profileDir, file), kept);
  return { ...summariseProfile(kept, level.monotonicWindowUs), file: kept };
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Self time per function and per area (package, PGlite's WebAssembly, the app, GC), idle left out. Only the samples
 * inside `window` count (the server's start and module loading are not the load), when the clocks agree.
 */
export function summariseProfile(file: string, window?: { start: number; end: number }): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const collect = (inWindow: (t: number) => boolean) => {
    const self = new Map<number, number>();
    let t = profile.startTime;
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      t += delta;
      if (inWindow(t)) self.set(id, (self.get(id) ?? 0) + delta);
    });
    return self;
  };
  let self = window ? collect((t) => t >= window.start && t <= window.end) : new Map<number, number>();
  if (self.size === 0) self = collect(() => true);
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)!;
    if (frame.functionName === "(idle)") continue;
    total += us;
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : area;
    const name = frame.functionName || "(anonymous)";
    const key = `${name} ${where}`;
    const entry = functions.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    // Inclusive: each package (or Phiếu's code) on this sample's stack, once however often it appears.
    const onStack = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
      const caller = byId.get(node)!;
      const callerArea = areaOf(caller.url, caller.functionName);
      if (!callerArea.startsWith("node:") && callerArea !== "native" && !callerArea.startsWith("V8")) {
        onStack.add(callerArea);
      }
    }
    for (const a of onStack) inclusive.set(a, (inclusive.get(a) ?? 0) + us);
  }
  const share = (us: number) => (total > 0 ? us / total : 0);
  return {
    sampledMs: total / 1000,
    areas: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([area, us]) => ({ area, share: share(us) })),
    inclusive: [...inclusive]
      .filter(([area]) => area !== "garbage collection")
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([area, us]) => ({ area, share: share(us) })),
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, 8)
      .map((f) => ({ name: f.name, where: f.where, share: share(f.us) })),
  };
}

function areaOf(url: string, functionName: string): string {
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(program)") return "V8 and native code (program)";
  if (!url) return "native";
  if (url.startsWith("wasm://")) return "PGlite (WebAssembly)";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const parts = url.slice(modules + "/node_modules/".length).split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  // node:zlib, node:_http_server, node:internal/streams…: the module, not every file.
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  if (url.includes("/build/")) return "Phiếu (server build)";
  return "Phiếu (source)";
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) return url.slice(modules + "/node_modules/".length);
  if (url.startsWith("wasm://")) return "wasm";
  const rootAt = url.indexOf("/work/");
  return rootAt >= 0 ? url.slice(url.indexOf("/", rootAt + "/work/".length) + 1) : url;
}

/** One line for a figure's note: the areas, then the functions, with the heaviest first. */
export function profileLine(summary: ProfileSummary): string {
  const pct = (share: number) => `${Math.round(share * 100)}%`;
  return (
    `server CPU profile (${(summary.sampledMs / 1000).toFixed(1)} s sampled), self time: ` +
    summary.areas
      .slice(0, 6)
      .map((a) => `${a.area} ${pct(a.share)}`)
      .join(", ") +
    "; with callees: " +
    summary.inclusive
      .slice(0, 8)
      .map((a) => `${a.area} ${pct(a.share)}`)
      .join(", ") +
    "; top self time: " +
    summary.functions
      .slice(0, 5)
      .map((f) => `${f.name} (${f.where}) ${pct(f.share)}`)
      .join(", ")
  );
}
