// Phiếu's server as the insider test runs it: server.ts in a process of its own, on a data folder of its own
// (embedded) or a PostgreSQL database of its own, its log captured; and the officer, the counting members and the
// residents speaking to it over HTTP, each form posted as a browser without JavaScript posts it.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ballotForm, freePort, headingOf, receiptOf } from "../../chaos/harness";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

// Spawning Node with tsx, and a new PGlite data folder's first start, take long on a busy two-core machine.
const START_TIMEOUT = 120_000;

export interface PhieuServer {
  url: string;
  child: ChildProcess;
  /** Everything the server wrote to stdout and stderr: its log. */
  log: () => string;
  /** SIGTERM, as an operator stops it: drains, closes the database (PGlite writes its last checkpoint), exits. */
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function assertBuilt() {
  if (!fs.existsSync(path.join(root, "build/index.js"))) {
    throw new Error("The Remix build is missing: run `npx remix build` (npm test does it first).");
  }
}

/**
 * Starts server.ts with exactly the environment given (on top of PATH and HOME): no variable of the test process
 * (its database, its secret, its key folder) leaks into it.
 */
export async function startPhieu(env: Record<string, string>): Promise<PhieuServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      PHIEU_COOKIE_SECURE: "false",
      PORT: String(port),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal }))
  );
  const url = `http://127.0.0.1:${port}`;
  const server: PhieuServer = {
    url,
    child,
    log: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
  const deadline = Date.now() + START_TIMEOUT;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server.ts exited before answering /healthz:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return server;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`server.ts did not answer /healthz within ${START_TIMEOUT / 1000} s:\n${output}`);
}

/** A form post as a browser sends it without JavaScript; redirects are not followed (the officer's pages redirect). */
export async function postForm(url: string, form: URLSearchParams, cookie?: string) {
  const response = await fetch(url, {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: cookie ? { Cookie: cookie } : {},
  });
  return { status: response.status, location: response.headers.get("location"), body: await response.text() };
}

/** Logs in through the login form and returns the session cookie. */
export async function logIn(baseUrl: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/login`, {
    method: "POST",
    body: new URLSearchParams({ username, password, redirectTo: "/" }),
    redirect: "manual",
  });
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  await response.text();
  if (response.status !== 302 || !cookie) throw new Error(`logging in as ${username} failed: ${response.status}`);
  return cookie;
}

/** An officer's or a member's action on a poll's pages: it must redirect back to the poll with the notice named. */
export async function pollAction(
  baseUrl: string,
  cookie: string,
  pathname: string,
  fields: [string, string][],
  notice: string
) {
  const response = await postForm(`${baseUrl}${pathname}`, new URLSearchParams(fields), cookie);
  if (response.status !== 302 || !response.location?.includes(`notice=${notice}`)) {
    throw new Error(
      `POST ${pathname} (${fields.map(([k]) => k).join(", ")}) gave ${response.status} ${response.location ?? ""}: ` +
        headingOf(response.body)
    );
  }
  return response.location;
}

/** A counting member makes their key on the poll's share page; the page shows it once, as a code. */
export async function enrolThroughPage(baseUrl: string, cookie: string, pollId: number): Promise<string> {
  const response = await postForm(`${baseUrl}/polls/${pollId}/share`, new URLSearchParams({ intent: "enrol" }), cookie);
  const code = /class="key-share__code"><code>([^<]+)<\/code>/.exec(response.body)?.[1];
  if (response.status !== 200 || !code)
    throw new Error(`enrolling failed: ${response.status} ${headingOf(response.body)}`);
  return code.trim();
}

/** The moments of one resident's final post, as a request log written on arrival and on finish would show them. */
export interface CastTiming {
  startedAt: number;
  finishedAt: number;
}

/**
 * One resident: opens the slip's page, marks the ballot (a blank subject is a radio group left unmarked), posts it
 * for review, and posts the review page's form with intent=cast. Returns the receipt the last page shows.
 */
export async function castThroughForms(
  baseUrl: string,
  code: string,
  levels: number[],
  timing: (t: CastTiming) => void
): Promise<string> {
  const page = await fetch(`${baseUrl}/v/${code}`);
  const html = await page.text();
  const ballot = ballotForm(html);
  if (page.status !== 200 || !ballot || !ballot.intents.includes("review")) {
    throw new Error(`the slip's page gave ${page.status}: ${headingOf(html)}`);
  }
  const subjects = [...new Set(ballot.inputs.filter((i) => i.type === "radio").map((i) => i.name))];
  if (subjects.length !== levels.length)
    throw new Error(`${subjects.length} subjects on the ballot, ${levels.length} answers`);
  const marked = new URLSearchParams();
  subjects.forEach((name, i) => {
    if (levels[i] > 0) marked.append(name, String(levels[i]));
  });
  marked.append("intent", "review");
  const review = await postForm(`${baseUrl}${ballot.action}`, marked);
  const reviewForm = ballotForm(review.body);
  if (review.status !== 200 || !reviewForm || !reviewForm.intents.includes("cast")) {
    throw new Error(`the review gave ${review.status}: ${headingOf(review.body)}`);
  }
  const form = new URLSearchParams();
  for (const input of reviewForm.inputs) if (input.type === "hidden") form.append(input.name, input.value);
  const carried = subjects.map((name) => Number(form.get(name)));
  if (carried.join() !== levels.join()) throw new Error(`the review carried ${carried.join()} for ${levels.join()}`);
  form.append("intent", "cast");
  const startedAt = performance.timeOrigin + performance.now();
  const cast = await postForm(`${baseUrl}${reviewForm.action}`, form);
  timing({ startedAt, finishedAt: performance.timeOrigin + performance.now() });
  const receipt = receiptOf(cast.body);
  if (cast.status !== 200 || !receipt || receipt.startsWith("malformed")) {
    throw new Error(`the cast gave ${cast.status} without a receipt: ${headingOf(cast.body)}`);
  }
  return receipt;
}
