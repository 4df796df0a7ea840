// Pages as a browser gets them from the running server: the published results a reader opens, the weight of the
// ballot page with JavaScript off and on, and the slips download with /healthz timed while the slips are built.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { unzipSync } from "fflate";
import { Agent } from "undici";
import { percentile } from "./casting";
import { root, type RunningServer } from "./server";

const DEMO_PASSWORD = "phieu-demo-2026";

/** Logs a demo account in through the login form; returns the Cookie header to send. */
export async function login(server: RunningServer, username: string): Promise<string> {
  const response = await fetch(`${server.url}/login`, {
    method: "POST",
    body: new URLSearchParams({ username, password: DEMO_PASSWORD, redirectTo: "/" }),
    redirect: "manual",
  });
  await response.arrayBuffer();
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  if (response.status !== 302 || !cookie) throw new Error(`Logging in as ${username} failed (${response.status}).`);
  return cookie;
}

export interface Latencies {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

function latencies(samples: number[]): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

/** `count` sequential GETs of a published poll's results page by a reader of the party committee (danguy). */
export async function measureResults(server: RunningServer, pollId: number, count: number): Promise<Latencies> {
  const cookie = await login(server, "danguy");
  const agent = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
  const get = async () => {
    const start = performance.now();
    const response = await fetch(`${server.url}/polls/${pollId}/results`, {
      headers: { Cookie: cookie },
      dispatcher: agent,
    } as RequestInit);
    const html = await response.text();
    if (response.status !== 200 || !html.includes("</html>")) throw new Error(`Results page: ${response.status}`);
    return performance.now() - start;
  };
  try {
    for (let i = 0; i < 10; i++) await get();
    const samples: number[] = [];
    for (let i = 0; i < count; i++) samples.push(await get());
    return latencies(samples);
  } finally {
    await agent.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Weight.

/** The body's bytes as they crossed the wire (compressed, as served to `Accept-Encoding: gzip`), and the text. */
function getCompressed(url: string): Promise<{ status: number; wireBytes: number; encoding: string; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { "Accept-Encoding": "gzip" } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const wire = Buffer.concat(chunks);
        const encoding = String(response.headers["content-encoding"] ?? "identity");
        const text = (encoding === "gzip" ? gunzipSync(wire) : wire).toString("utf8");
        resolve({ status: response.statusCode ?? 0, wireBytes: wire.length, encoding, text });
      });
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}

export interface PageWeight {
  htmlBytes: number;
  htmlEncoding: string;
  /** Every script and stylesheet the page loads, with the modules they import, compressed as served. */
  assets: { path: string; bytes: number; encoding: string }[];
  totalBytes: number;
  /** The compressed bytes of the scripts shared out by what they hold (by the build's metafile), heaviest first. */
  heaviest: { what: string; bytes: number }[];
}

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** A bundle's input, as a reader would name it: its package, the message catalogs, or the app's own code. */
function sourceOf(input: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (pkg) return pkg[1];
  if (input.startsWith("app/i18n/messages/")) return "message catalogs (app/i18n/messages)";
  return "Phiếu's own code";
}

/** Shares each script's compressed size among its inputs, in proportion to their minified bytes. */
function attribute(assets: PageWeight["assets"]): PageWeight["heaviest"] {
  const file = path.join(root, "build/metafile.js.json");
  if (!fs.existsSync(file)) return [];
  const metafile = JSON.parse(fs.readFileSync(file, "utf8")) as Metafile;
  const totals = new Map<string, number>();
  for (const asset of assets) {
    const output = metafile.outputs[`public${asset.path}`];
    if (!output || output.bytes === 0) {
      totals.set(asset.path, (totals.get(asset.path) ?? 0) + asset.bytes);
      continue;
    }
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const what = sourceOf(input);
      totals.set(what, (totals.get(what) ?? 0) + (asset.bytes * bytesInOutput) / output.bytes);
    }
  }
  return [...totals].map(([what, bytes]) => ({ what, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** The ballot page of a fresh credential: the HTML alone (JavaScript off), then with every script and stylesheet. */
export async function measureBallotWeight(server: RunningServer, code: string): Promise<PageWeight> {
  const page = await getCompressed(`${server.url}/v/${code}`);
  if (page.status !== 200) throw new Error(`Ballot page: ${page.status}`);
  const queue: string[] = [];
  const seen = new Set<string>();
  const add = (href: string, base: string) => {
    const resolved = new URL(href, base);
    if (resolved.origin !== server.url || seen.has(resolved.pathname)) return;
    seen.add(resolved.pathname);
    queue.push(resolved.pathname);
  };
  const pageUrl = `${server.url}/v/${code}`;
  for (const [tag] of page.text.matchAll(/<(?:link|script)\b[^>]*>/g)) {
    const rel = /\srel="([^"]*)"/.exec(tag)?.[1];
    const href = /\s(?:href|src)="([^"]*)"/.exec(tag)?.[1];
    if (!href) continue;
    if (tag.startsWith("<script") || rel === "stylesheet" || rel === "modulepreload") add(href, pageUrl);
  }
  // The inline module script that starts the app imports the entry and the route modules.
  for (const [, script] of page.text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)) {
    for (const [, specifier] of script.matchAll(/import(?:[^"';]*?from)?\s*["']([^"']+\.js)["']/g))
      add(specifier, pageUrl);
  }
  const assets: PageWeight["assets"] = [];
  while (queue.length > 0) {
    const assetPath = queue.shift()!;
    const asset = await getCompressed(`${server.url}${assetPath}`);
    if (asset.status !== 200) throw new Error(`${assetPath}: ${asset.status}`);
    assets.push({ path: assetPath, bytes: asset.wireBytes, encoding: asset.encoding });
    if (assetPath.endsWith(".js")) {
      // Static imports between the build's chunks: the browser fetches them before the module runs.
      for (const [, specifier] of asset.text.matchAll(/(?:\bfrom|\bimport)\s*["']([^"']+\.js)["']/g)) {
        add(specifier, `${server.url}${assetPath}`);
      }
    }
  }
  return {
    htmlBytes: page.wireBytes,
    htmlEncoding: page.encoding,
    assets,
    heaviest: attribute(assets),
    totalBytes: page.wireBytes + assets.reduce((sum, a) => sum + a.bytes, 0),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Slips.

export interface SlipsResult {
  count: number;
  seconds: number;
  zipBytes: number;
  pdfBytes: number;
  csvLines: number;
  /** /healthz asked again and again while the slips were issued and built, and before, at rest. */
  healthDuring: Latencies;
  healthIdle: Latencies;
}

/**
 * The officer's download: POST /polls/<id>/credentials issues `count` credentials for a group and answers with the
 * ZIP (the PDF of QR slips and the CSV of URLs), built in a worker thread. Meanwhile /healthz is asked in a loop,
 * one request at a time: its latency shows whether the server still answers.
 */
export async function measureSlips(
  server: RunningServer,
  { pollId, groupId, count }: { pollId: number; groupId: number; count: number }
): Promise<SlipsResult> {
  const cookie = await login(server, "mattran");
  const health = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
  const healthOnce = async () => {
    const start = performance.now();
    const response = await fetch(`${server.url}/healthz`, { dispatcher: health } as RequestInit);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`/healthz: ${response.status}`);
    return performance.now() - start;
  };
  const idle: number[] = [];
  for (let i = 0; i < 40; i++) {
    idle.push(await healthOnce());
    await new Promise((resolve) => setTimeout(resolve, 10));
  }

  const during: number[] = [];
  let building = true;
  const probe = (async () => {
    while (building) {
      during.push(await healthOnce());
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const start = performance.now();
  let zip: Buffer;
  try {
    const response = await fetch(`${server.url}/polls/${pollId}/credentials`, {
      method: "POST",
      headers: { Cookie: cookie },
      body: new URLSearchParams({ groupId: String(groupId), count: String(count) }),
      redirect: "manual",
    });
    zip = Buffer.from(await response.arrayBuffer());
    if (response.status !== 200 || response.headers.get("content-type") !== "application/zip") {
      throw new Error(`Slips download: ${response.status} ${response.headers.get("location") ?? ""}`);
    }
  } finally {
    building = false;
  }
  const seconds = (performance.now() - start) / 1000;
  await probe;
  await health.close();

  const files = unzipSync(new Uint8Array(zip));
  const pdf = Object.entries(files).find(([name]) => name.endsWith(".pdf"))?.[1];
  const csv = Object.entries(files).find(([name]) => name.endsWith(".csv"))?.[1];
  if (!pdf || !csv) throw new Error(`The ZIP holds ${Object.keys(files).join(", ")}, not a PDF and a CSV.`);
  // One line per slip after the header line.
  const csvLines = Buffer.from(csv).toString("utf8").trim().split(/\r?\n/).length - 1;
  if (csvLines !== count) throw new Error(`The CSV lists ${csvLines} URLs, not ${count}.`);
  return {
    count,
    seconds,
    zipBytes: zip.length,
    pdfBytes: pdf.length,
    csvLines,
    healthDuring: latencies(during),
    healthIdle: latencies(idle),
  };
}
