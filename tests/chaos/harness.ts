// The chaos suite's tools: Phiếu's server as a real process on a database of the test's own, a poll whose
// credentials are issued before the server starts, residents who cast through HTTP exactly as the ballot form does
// without JavaScript, and the count that must come out whole afterwards. Needs the Remix build.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { currentDatabase, openDatabase, useDatabase, type OpenedDatabase } from "../../app/db.server";
import { hashCode } from "../../app/credentials/credentials.server";
import { closePoll } from "../../app/polls/lifecycle.server";
import { boxPartition } from "../../app/polls/poll-lock.server";
import { readTally } from "../../app/polls/publish.server";
import { migrateToLatest } from "../../db/migrate";
import { createPostgresDatabase } from "../setup/database";
import { createPollFixture } from "../setup/poll-fixtures";

/** `npm run test:chaos` sets this: more kills, more ballots. `npm test` runs the short form. */
export const LONG = process.env.PHIEU_CHAOS === "long";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// Spawning Node with tsx takes seconds on a busy two-core machine; every wait below is bounded for that case.
const START_TIMEOUT = 90_000;
const REQUEST_TIMEOUT = 30_000;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------------
// Cleaning up: every process, folder, database and cluster a test starts is registered here and undone in afterAll.

const children = new Set<ChildProcess>();
const folders: string[] = [];
const finalizers: (() => Promise<void>)[] = [];

export function onCleanup(finalizer: () => Promise<void>) {
  finalizers.push(finalizer);
}

export async function cleanUp() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => child.once("exit", resolve));
    }
  }
  children.clear();
  const errors: unknown[] = [];
  for (const finalizer of finalizers.splice(0).reverse()) {
    await finalizer().catch((error) => errors.push(error));
  }
  // Each data folder, and the key folder a server made beside it.
  for (const folder of folders.splice(0)) {
    for (const dir of [folder, `${folder}-keys`]) fs.rmSync(dir, { recursive: true, force: true });
  }
  if (errors.length > 0) throw new AggregateError(errors, "cleaning up after the chaos tests failed");
}

export function tempFolder(prefix = "phieu-chaos-") {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  folders.push(folder);
  return folder;
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

export function assertBuilt() {
  if (!fs.existsSync(path.join(root, "build/index.js"))) {
    throw new Error("The Remix build is missing: run `npx remix build` (npm test and npm run test:chaos do it first).");
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The database a test's server runs on: a data folder of its own (embedded), or a PostgreSQL database of its own.

export interface Target {
  mode: "embedded" | "postgres";
  /** The server's PHIEU_DATA_DIR; with PostgreSQL it holds nothing but is still the server's folder. */
  dataDir: string;
  databaseUrl: string | null;
}

/** A fresh target: a new database on DATABASE_URL's server when it is set, otherwise a new data folder. */
export async function createTarget(): Promise<Target> {
  const dataDir = tempFolder();
  if (!process.env.DATABASE_URL) return { mode: "embedded", dataDir, databaseUrl: null };
  const database = await createPostgresDatabase("phieu_chaos");
  onCleanup(database.drop);
  return { mode: "postgres", dataDir, databaseUrl: database.url };
}

/**
 * Runs `fn` with the app's `db` pointing at the target (for the embedded folder: only while no server holds it),
 * then puts back the database the test setup opened.
 */
export async function withTarget<T>(target: Target, fn: (opened: OpenedDatabase) => Promise<T>): Promise<T> {
  const previous = currentDatabase();
  const opened = await openDatabase({ databaseUrl: target.databaseUrl ?? undefined, dataDir: target.dataDir });
  try {
    await migrateToLatest(opened.db);
    useDatabase(opened);
    return await fn(opened);
  } finally {
    useDatabase(previous);
    await opened.close();
  }
}

export interface ChaosPoll {
  pollId: number;
  /** Canonical codes, one per resident. */
  codes: string[];
}

/** A confidence poll over three subjects, `voters` credentials issued over two residential groups, opened. */
export async function seedPoll(target: Target, voters: number): Promise<ChaosPoll> {
  return withTarget(target, async () => {
    const fixture = await createPollFixture();
    const first = Math.ceil(voters / 2);
    const a = await fixture.issue(fixture.group1.id, first);
    const b = await fixture.issue(fixture.group2.id, voters - first);
    await fixture.open();
    return { pollId: fixture.pollId, codes: [...a.slips, ...b.slips].map((s) => s.code) };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The server as a process.

export interface Running {
  child: ChildProcess;
  port: number;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive: () => boolean;
}

/** The child's environment: this process's, without the test harness's database, and with its secret. */
function childEnv(target: Target, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", PHIEU_COOKIE_SECURE: "false" };
  delete env.DATABASE_URL;
  delete env.LOG_LEVEL;
  delete env.PHIEU_CHAOS;
  // The poll's private key was wrapped with this process's secret when the test opened the poll.
  env.PHIEU_SECRET = process.env.PHIEU_SECRET;
  env.PORT = String(port);
  env.PHIEU_DATA_DIR = target.dataDir;
  if (target.databaseUrl) env.DATABASE_URL = target.databaseUrl;
  return env;
}

/** Starts server.ts on the target and waits until /healthz answers 200. */
export async function startServer(target: Target): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: root,
    env: childEnv(target, port),
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal }))
  );
  const running: Running = {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
  const deadline = Date.now() + START_TIMEOUT;
  while (Date.now() < deadline) {
    if (!running.alive()) throw new Error(`server.ts exited before answering /healthz:\n${tail(output)}`);
    try {
      if ((await httpRequest(`${running.url}/healthz`)).status === 200) return running;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error(`server.ts did not answer /healthz within ${START_TIMEOUT / 1000} s:\n${tail(output)}`);
}

export async function killServer(running: Running, signal: NodeJS.Signals = "SIGKILL") {
  running.child.kill(signal);
  return running.exited;
}

/** The last lines of a process's output, for a failure message. */
export function tail(output: string, lines = 40) {
  return output.split("\n").slice(-lines).join("\n");
}

/** What a server printed as it died: the text after its last JSON log line (Node's report of an uncaught error). */
export function lastWords(output: string, lines = 25) {
  const all = output.trimEnd().split("\n");
  let last = all.length - 1;
  while (last >= 0 && !all[last].startsWith("{")) last--;
  const words = all.slice(last + 1);
  return (words.length > 0 ? words : all.slice(-lines)).slice(0, lines).join("\n");
}

/** Polls until the captured output contains `text`. */
export async function waitForOutput(running: Running, text: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!running.output().includes(text) && Date.now() < deadline) await sleep(20);
  return running.output().includes(text);
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP as a phone speaks it: a new connection per request (so a killed server shows as a reset or a refusal, and a
// request sent after SIGTERM really is a new arrival), the whole body read before anything is believed.

export interface HttpResult {
  status: number;
  body: string;
}

function send(
  url: string,
  { method = "GET", form, expectContinue }: { method?: string; form?: URLSearchParams; expectContinue?: boolean } = {}
): { request: http.ClientRequest; payload: string | null; response: Promise<HttpResult> } {
  const payload = form ? form.toString() : null;
  const headers: http.OutgoingHttpHeaders = { Connection: "close" };
  if (expectContinue) headers.Expect = "100-continue";
  if (payload !== null) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    headers["Content-Length"] = Buffer.byteLength(payload);
  }
  const request = http.request(url, { method, headers, agent: false, timeout: REQUEST_TIMEOUT });
  const response = new Promise<HttpResult>((resolve, reject) => {
    request.once("timeout", () => request.destroy(new Error("request timed out")));
    request.once("error", reject);
    request.once("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.once("error", reject);
      res.once("aborted", () => reject(new Error("response aborted")));
      res.once("end", () => {
        // A body cut short by a dying server is a failure, never a page to read a receipt from.
        if (!res.complete) reject(new Error("response incomplete"));
        else resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
      });
    });
  });
  return { request, payload, response };
}

export function httpRequest(url: string, options: { method?: string; form?: URLSearchParams } = {}) {
  const { request, payload, response } = send(url, options);
  request.end(payload ?? undefined);
  return response;
}

/**
 * A POST that the server has in hand before its body is sent: it asks `Expect: 100-continue`, and Node's server
 * answers "100 Continue" only once it has parsed the request and handed it to the app (see `inHand`). The body goes
 * out on `release()`; until then the server cannot answer it.
 */
export function heldPost(url: string, form: URLSearchParams) {
  const { request, payload, response } = send(url, { method: "POST", form, expectContinue: true });
  const inHand = new Promise<void>((resolve, reject) => {
    request.once("continue", () => resolve());
    // An answer before the body means the server had it in hand too (and refused it); a failure means it never did.
    response.then(() => resolve(), reject);
  });
  request.flushHeaders();
  // The failure surfaces through `response`; `inHand` must not also reject unhandled.
  inHand.catch(() => {});
  return { inHand, response, release: () => request.end(payload) };
}

export function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}

// ---------------------------------------------------------------------------------------------------------------
// The ballot pages, read as HTML.

const RECEIPT = /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/;

/** The receipt a page shows, if any (the "counted" page prints it in groups). */
export function receiptOf(html: string): string | null {
  const match = /class="receipt__code"[^>]*>([\s\S]*?)<\/p>/.exec(html);
  if (!match) return null;
  const text = match[1].replace(/<[^>]*>/g, "").replace(/\s+/g, "");
  return RECEIPT.test(text) ? text : `malformed:${text}`;
}

/** A page's first heading, to say in a failure what page came instead of the one expected. */
export function headingOf(html: string): string {
  const match = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html);
  return match ? match[1].replace(/<[^>]*>/g, "").trim() : `(no heading; ${html.length} bytes)`;
}

/**
 * Whether a body is a whole page: the document, then the route data Remix streams after `</html>`, ending with the
 * script that closes that stream.
 */
export function isWholeDocument(html: string) {
  return (
    /^<!DOCTYPE html>/i.test(html) &&
    html.includes("</body></html>") &&
    /streamController\.close\(\);<\/script>(<!--\/\$-->)*$/.test(html.trimEnd())
  );
}

interface BallotFormFields {
  action: string;
  /** Every input of the form: radio buttons with their values, hidden fields, in page order. */
  inputs: { type: string; name: string; value: string }[];
  /** The submit buttons' intents. */
  intents: string[];
}

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z-]+)="([^"]*)"/g)) attrs[m[1]] = m[2].replace(/&amp;/g, "&");
  return attrs;
}

/** The ballot (or review) form of a page, or null when the page has none. */
export function ballotForm(html: string): BallotFormFields | null {
  const form = /<form([^>]*class="ballot-form"[^>]*)>([\s\S]*?)<\/form>/.exec(html);
  if (!form) return null;
  const action = attributes(form[1]).action;
  if (!action) return null;
  const inputs = [...form[2].matchAll(/<input\b[^>]*>/g)].map((m) => {
    const a = attributes(m[0]);
    return { type: a.type ?? "text", name: a.name ?? "", value: a.value ?? "" };
  });
  const intents = [...form[2].matchAll(/<button\b[^>]*>/g)]
    .map((m) => attributes(m[0]))
    .filter((a) => a.name === "intent")
    .map((a) => a.value);
  return { action, inputs, intents };
}

/**
 * A resident's choices, fixed by the code so that a retry casts exactly what the first try sent: per subject in the
 * order of the page, 0 (left blank) or a level's 1-based value.
 */
export function choicesFor(code: string, subjects: number): number[] {
  const digest = hashCode(`choices:${code}`);
  return Array.from({ length: subjects }, (_, i) => parseInt(digest.slice(i * 2, i * 2 + 2), 16) % 4);
}

// ---------------------------------------------------------------------------------------------------------------
// One resident's try: GET the slip's page, mark the ballot and review it, cast. Each step is a real form post.

export type Attempt =
  | { outcome: "receipt"; receipt: string; via: "cast" | "page"; levels: number[] | null }
  | { outcome: "failed"; step: "get" | "review" | "cast"; reason: string };

export interface CastHooks {
  /** Called when the final post is about to go out, with the choices it carries, and when it has come back. */
  castStarted?: (levels: number[]) => void;
  castEnded?: () => void;
  /** A page that must never be: a receipt on an error page, a cast answered with no receipt, a wrong status. */
  anomaly: (what: string) => void;
}

async function step(
  name: "get" | "review" | "cast",
  run: () => Promise<HttpResult>,
  hooks: CastHooks
): Promise<{ ok: true; result: HttpResult } | { ok: false; reason: string }> {
  try {
    const result = await run();
    const receipt = receiptOf(result.body);
    if (result.status !== 200) {
      if (receipt) hooks.anomaly(`${name}: status ${result.status} shows receipt ${receipt}`);
      if (result.status < 500) hooks.anomaly(`${name}: unexpected status ${result.status}`);
      return { ok: false, reason: `status ${result.status}` };
    }
    if (!isWholeDocument(result.body)) hooks.anomaly(`${name}: 200 with an incomplete document`);
    return { ok: true, result };
  } catch (error) {
    return { ok: false, reason: errorCode(error) };
  }
}

/** The final post of a resident's ballot, reviewed and ready: what the review page's "Gửi phiếu" button sends. */
export interface ReadyCast {
  action: string;
  form: URLSearchParams;
  levels: number[];
}

/** GET the slip's page, mark the ballot, review it: everything before the one post that writes. */
export async function prepareCast(
  baseUrl: string,
  code: string,
  hooks: CastHooks
): Promise<ReadyCast | Exclude<Attempt, { via: "cast" }>> {
  const page = await step("get", () => httpRequest(`${baseUrl}/v/${code}`), hooks);
  if (!page.ok) return { outcome: "failed", step: "get", reason: page.reason };
  const shown = receiptOf(page.result.body);
  if (shown) return { outcome: "receipt", receipt: shown, via: "page", levels: null };
  const ballot = ballotForm(page.result.body);
  if (!ballot || !ballot.intents.includes("review")) {
    hooks.anomaly(`get: 200 with neither a receipt nor a ballot form: "${headingOf(page.result.body)}"`);
    return { outcome: "failed", step: "get", reason: "no ballot form" };
  }
  const subjects = [...new Set(ballot.inputs.filter((i) => i.type === "radio").map((i) => i.name))];
  const levels = choicesFor(code, subjects.length);
  const marked = new URLSearchParams();
  subjects.forEach((name, i) => {
    // A subject left blank is a radio group left unmarked: the browser sends nothing for it.
    if (levels[i] > 0) marked.append(name, String(levels[i]));
  });
  marked.append("intent", "review");
  const review = await step(
    "review",
    () => httpRequest(`${baseUrl}${ballot.action}`, { method: "POST", form: marked }),
    hooks
  );
  if (!review.ok) return { outcome: "failed", step: "review", reason: review.reason };
  const reviewForm = ballotForm(review.result.body);
  if (!reviewForm || !reviewForm.intents.includes("cast")) {
    hooks.anomaly(`review: 200 without the review form: "${headingOf(review.result.body)}"`);
    return { outcome: "failed", step: "review", reason: "no review form" };
  }
  const form = new URLSearchParams();
  for (const input of reviewForm.inputs) if (input.type === "hidden") form.append(input.name, input.value);
  const carried = subjects.map((name) => Number(form.get(name)));
  if (carried.join() !== levels.join()) hooks.anomaly(`review: carried ${carried.join()} for choices ${levels.join()}`);
  form.append("intent", "cast");
  return { action: reviewForm.action, form, levels };
}

/** What the final post's answer says: a receipt on a whole 200 page, or a failure the resident can only retry. */
export function castOutcome(
  answer: PromiseSettledResult<HttpResult>,
  levels: number[],
  hooks: Pick<CastHooks, "anomaly">
): Attempt {
  if (answer.status === "rejected") {
    return { outcome: "failed", step: "cast", reason: errorCode(answer.reason) };
  }
  const { status, body } = answer.value;
  const receipt = receiptOf(body);
  if (status !== 200) {
    if (receipt) hooks.anomaly(`cast: status ${status} shows receipt ${receipt}`);
    if (status < 500) hooks.anomaly(`cast: unexpected status ${status}`);
    return { outcome: "failed", step: "cast", reason: `status ${status}` };
  }
  if (!isWholeDocument(body)) hooks.anomaly("cast: 200 with an incomplete document");
  if (!receipt) {
    hooks.anomaly(`cast: 200 without a receipt: "${headingOf(body)}"`);
    return { outcome: "failed", step: "cast", reason: "no receipt" };
  }
  if (receipt.startsWith("malformed:")) hooks.anomaly(`cast: ${receipt}`);
  return { outcome: "receipt", receipt, via: "cast", levels };
}

/** One whole try of a resident: the slip's page, the ballot, the review, the cast. */
export async function castOnce(baseUrl: string, code: string, hooks: CastHooks): Promise<Attempt> {
  const ready = await prepareCast(baseUrl, code, hooks);
  if ("outcome" in ready) return ready;
  hooks.castStarted?.(ready.levels);
  try {
    const answer = httpRequest(`${baseUrl}${ready.action}`, { method: "POST", form: ready.form });
    return castOutcome((await Promise.allSettled([answer]))[0], ready.levels, hooks);
  } finally {
    hooks.castEnded?.();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The casting load: residents (one code each) taken by `concurrency` phones at a time; a resident whose try failed
// reloads the slip's page and tries again until a receipt shows, whatever happens to the server meanwhile.

export interface LoadFigures {
  residents: number;
  receipts: number;
  /** Tries that ended without a receipt (the resident then reloads the slip's page) … */
  triesFailed: number;
  /** … of which on an error page (5xx) rather than a dead connection. */
  errorPages: number;
  /** Final posts that got no answer (the connection died): whether the ballot was in was unknown to the resident. */
  castsInterrupted: number;
  /** Of the residents whose final post failed either way: the slip's page then showed the receipt (it was in) … */
  interruptedThenShown: number;
  /** … or the ballot was open again and they cast afresh. */
  interruptedThenCastAfresh: number;
  /** Final posts answered with an error page: the resident did not know whether the ballot was in either. */
  castErrorPages: number;
}

export class CastingLoad {
  readonly receipts = new Map<string, string>();
  /** The level vector each receipt stands for (from the resident's own choices). */
  readonly ballots = new Map<string, number[]>();
  readonly anomalies: string[] = [];
  readonly figures: LoadFigures;
  /** Final posts on their way now. */
  castsInFlight = 0;
  /** Residents in the middle of a try (one of its requests out, or about to be). */
  triesInFlight = 0;
  private queue: string[];
  /** The choices each resident's final posts carried (the same on every try). */
  private castSent = new Map<string, number[]>();
  private interrupted = new Set<string>();
  private progress: (() => void)[] = [];
  private stopped = false;

  constructor(
    private options: {
      codes: string[];
      concurrency: number;
      /** The server to speak to now; null while it is down (the phone then waits a moment and tries again). */
      url: () => string | null;
    }
  ) {
    this.queue = [...options.codes];
    this.figures = {
      residents: options.codes.length,
      receipts: 0,
      triesFailed: 0,
      errorPages: 0,
      castsInterrupted: 0,
      interruptedThenShown: 0,
      interruptedThenCastAfresh: 0,
      castErrorPages: 0,
    };
  }

  get done() {
    return this.receipts.size === this.options.codes.length;
  }

  /** Runs until every resident holds a receipt, or fails when `timeoutMs` passes first. */
  async run(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(Array.from({ length: this.options.concurrency }, () => this.phone(deadline)));
    this.notify();
    if (!this.done) {
      throw new Error(
        `the load did not finish: ${this.receipts.size} of ${this.options.codes.length} receipts after ` +
          `${timeoutMs / 1000} s (${JSON.stringify(this.figures)})`
      );
    }
  }

  stop() {
    this.stopped = true;
    this.notify();
  }

  /** Resolves once `count` receipts are in (or the load is over). */
  waitForReceipts(count: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.receipts.size >= count || this.done || this.stopped) resolve();
        else this.progress.push(check);
      };
      check();
    });
  }

  /** Resolves once a final post is on its way (or after `ms`): the moment to pull the plug. */
  async waitForCastInFlight(ms = 3_000) {
    const deadline = Date.now() + ms;
    while (this.castsInFlight === 0 && Date.now() < deadline && !this.done) await sleep(2);
  }

  private notify() {
    const waiting = this.progress.splice(0);
    for (const waiter of waiting) waiter();
  }

  private async phone(deadline: number) {
    for (let code = this.queue.shift(); code !== undefined; code = this.queue.shift()) {
      await this.resident(code, deadline);
    }
  }

  private async resident(code: string, deadline: number) {
    while (Date.now() < deadline && !this.stopped) {
      const url = this.options.url();
      if (!url) {
        await sleep(50 + Math.random() * 100);
        continue;
      }
      this.triesInFlight++;
      const attempt = await castOnce(url, code, {
        castStarted: (levels) => {
          this.castsInFlight++;
          this.castSent.set(code, levels);
        },
        castEnded: () => this.castsInFlight--,
        anomaly: (what) => this.anomalies.push(`${code.slice(0, 4)}…: ${what}`),
      }).finally(() => this.triesInFlight--);
      if (attempt.outcome === "receipt") {
        this.record(code, attempt);
        return;
      }
      this.figures.triesFailed++;
      if (attempt.reason.startsWith("status ")) this.figures.errorPages++;
      if (attempt.step === "cast") {
        if (attempt.reason.startsWith("status ") || attempt.reason === "no receipt") this.figures.castErrorPages++;
        else this.figures.castsInterrupted++;
        this.interrupted.add(code);
      }
      // A resident waits a moment before reloading the slip's page.
      await sleep(100 + Math.random() * 200);
    }
  }

  private record(code: string, attempt: Extract<Attempt, { outcome: "receipt" }>) {
    if (attempt.via === "page") {
      // The page showed a receipt before this resident's post was answered: only possible if a post of theirs went out.
      if (!this.castSent.has(code)) this.anomalies.push(`${code.slice(0, 4)}…: a receipt shown for a code never cast`);
      if (this.interrupted.has(code)) this.figures.interruptedThenShown++;
    } else if (this.interrupted.has(code)) {
      this.figures.interruptedThenCastAfresh++;
    }
    this.receipts.set(code, attempt.receipt);
    // Every try of a resident sends the same choices, so the ballot behind the receipt is known either way.
    const levels = attempt.levels ?? this.castSent.get(code);
    if (levels) this.ballots.set(code, levels);
    this.figures.receipts = this.receipts.size;
    this.notify();
  }
}

/** Every slip's page shows the receipt its resident holds (read back through the server, `concurrency` at a time). */
export async function pagesShowReceipts(url: string, receipts: Map<string, string>, concurrency = 8) {
  const entries = [...receipts];
  const wrong: string[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let entry = entries.shift(); entry; entry = entries.shift()) {
        const [code, receipt] = entry;
        const page = await httpRequest(`${url}/v/${code}`);
        const shown = page.status === 200 ? receiptOf(page.body) : `status ${page.status}`;
        if (shown !== receipt) wrong.push(`${code.slice(0, 4)}…: holds ${receipt}, page shows ${shown}`);
      }
    })
  );
  return wrong;
}

// ---------------------------------------------------------------------------------------------------------------
// After the load: close the poll (counting the box) with no server running, and read back what was counted.

export interface CountCheck {
  ballotsCounted: number;
  credentialsUsed: number;
  countedRows: number;
  boxLeft: number;
  invariant: { receipts: number; credentialsUsed: number; ballotsCounted: number; holds: boolean };
  /** Receipts a resident holds that credential_uses does not have for that resident's code. */
  receiptsMissing: string[];
  /** The counted ballots' level vectors and the ones the residents cast, each sorted. */
  countedBallots: string[];
  castBallots: string[];
}

export async function closeAndCount(
  target: Target,
  poll: ChaosPoll,
  load: { receipts: Map<string, string>; ballots: Map<string, number[]> }
): Promise<CountCheck> {
  return withTarget(target, async ({ db }) => {
    const { ballotsCounted } = await closePoll({ actor: { userId: null, label: "chaos" }, pollId: poll.pollId });
    const uses = await db
      .selectFrom("credential_uses")
      .select(["code_hash", "receipt"])
      .where("poll_id", "=", poll.pollId)
      .execute();
    const byHash = new Map(uses.map((u) => [u.code_hash, u.receipt]));
    const receiptsMissing = [...load.receipts]
      .filter(([code, receipt]) => byHash.get(hashCode(code)) !== receipt)
      .map(([code, receipt]) => `${code.slice(0, 4)}… ${receipt} (stored: ${byHash.get(hashCode(code)) ?? "none"})`);
    const counted = await db
      .selectFrom("counted_ballots")
      .select("levels")
      .where("poll_id", "=", poll.pollId)
      .execute();
    const box = await sql<{ n: string }>`select count(*) as n from ${sql.id(boxPartition(poll.pollId))}`.execute(db);
    const tally = await readTally({ pollId: poll.pollId });
    return {
      ballotsCounted: ballotsCounted ?? -1,
      credentialsUsed: uses.length,
      countedRows: counted.length,
      boxLeft: Number(box.rows[0].n),
      invariant: tally!.tally.invariant,
      receiptsMissing,
      countedBallots: counted.map((c) => (c.levels as number[]).map(Number).join(",")).sort(),
      castBallots: [...load.ballots.values()].map((l) => l.join(",")).sort(),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// A private PostgreSQL cluster, to restart without disturbing the shared server other test files use.

export interface Cluster {
  url: string;
  stop: (mode: "fast" | "immediate") => Promise<void>;
  start: () => Promise<void>;
  log: () => string;
}

/** Why a private cluster cannot be started here, or null when it can. */
export function clusterUnavailable(): string | null {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) {
    return "needs root, to run initdb and pg_ctl as the postgres user";
  }
  if (!postgresBin()) return "initdb and pg_ctl were not found under /usr/lib/postgresql/<version>/bin";
  if (spawnSync("id", ["-u", "postgres"]).status !== 0) return "there is no postgres user";
  return null;
}

function postgresBin(): string | null {
  const base = "/usr/lib/postgresql";
  if (!fs.existsSync(base)) return null;
  const versions = fs
    .readdirSync(base)
    .filter((v) => fs.existsSync(path.join(base, v, "bin/initdb")) && fs.existsSync(path.join(base, v, "bin/pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(base, versions[0], "bin") : null;
}

/** Runs a PostgreSQL program as the postgres user, without blocking the load that runs meanwhile. */
function asPostgres(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("runuser", ["-u", "postgres", "--", path.join(postgresBin()!, bin), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${bin} ${args.join(" ")} failed (${code}):\n${output}`));
    });
  });
}

export async function startCluster(): Promise<Cluster> {
  const folder = tempFolder("phieu-chaos-pg-");
  const data = path.join(folder, "data");
  const log = path.join(folder, "postgres.log");
  fs.chownSync(folder, Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim()), 0);
  fs.chmodSync(folder, 0o700);
  await asPostgres("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  fs.appendFileSync(
    path.join(data, "postgresql.conf"),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${folder}'`,
      "max_connections = 50",
      "shared_buffers = 16MB",
      "",
    ].join("\n")
  );
  const start = () => asPostgres("pg_ctl", ["-D", data, "-l", log, "-w", "-t", "60", "start"]);
  const stop = (mode: "fast" | "immediate") => asPostgres("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
  await start();
  onCleanup(async () => {
    if (fs.existsSync(path.join(data, "postmaster.pid"))) await stop("immediate");
  });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    log: () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8") : ""),
  };
}
