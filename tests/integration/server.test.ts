// Phiếu as real processes: server.ts and the command line are spawned on a temporary data folder and spoken to over
// HTTP, as an operator would. Needs the Remix build (`npm test` builds first).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createPostgresDatabase } from "../setup/database";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DEMO_PASSWORD = "phieu-demo-2026";
const FOLDER_LOCKED = "đang được một máy chủ Phiếu khác sử dụng";
// Spawning Node with tsx is slow on a busy two-core machine; these bounds are for that case, not the usual one.
const SLOW = 120_000;

interface Running {
  child: ChildProcess;
  port: number;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
const folders: string[] = [];

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  // Each data folder, and the key folder a server made beside it.
  for (const folder of folders) {
    for (const dir of [folder, `${folder}-keys`]) fs.rmSync(dir, { recursive: true, force: true });
  }
});

function tempFolder() {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "phieu-it-"));
  folders.push(folder);
  return folder;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The environment of a child: this process's, without the test harness's database and secret. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", PHIEU_COOKIE_SECURE: "false" };
  delete env.DATABASE_URL;
  delete env.PHIEU_SECRET;
  delete env.LOG_LEVEL;
  return { ...env, ...extra };
}

function spawnNode(script: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function startServer(dataDir: string, extra: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const spawned = spawnNode("server.ts", [], childEnv({ PORT: String(port), PHIEU_DATA_DIR: dataDir, ...extra }));
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void spawned.exited.then(() => (gone = true));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`server.ts exited before answering /healthz:\n${spawned.output()}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.status === 200) return { ...spawned, port, url };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  spawned.child.kill("SIGKILL");
  throw new Error(`server.ts did not answer /healthz within 90 s:\n${spawned.output()}`);
}

async function cli(dataDir: string, args: string[]) {
  const spawned = spawnNode("scripts/phieu.ts", args, childEnv({ PHIEU_DATA_DIR: dataDir }));
  const code = await spawned.exited;
  return { code, output: spawned.output() };
}

async function login(url: string, username: string, password: string) {
  const response = await fetch(`${url}/login`, {
    method: "POST",
    body: new URLSearchParams({ username, password, redirectTo: "/" }),
    redirect: "manual",
  });
  return { status: response.status, cookie: response.headers.get("set-cookie") ?? "" };
}

/** Polls until the captured output contains `text` (log lines are written after the response is sent). */
async function waitForOutput(running: { output: () => string }, text: string, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!running.output().includes(text) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return running.output();
}

beforeAll(() => {
  if (!fs.existsSync(path.join(root, "build/index.js"))) {
    throw new Error("The Remix build is missing: run `npx remix build` (npm test does it first).");
  }
});

describe("the server on an embedded data folder", { timeout: SLOW }, () => {
  let dataDir: string;
  let server: Running;

  beforeAll(async () => {
    dataDir = tempFolder();
    server = await startServer(dataDir);
  }, SLOW);

  test("starts, seeds the demo ward and says how to log in", () => {
    const output = server.output();
    expect(output).toContain(`Phiếu đang chạy tại http://localhost:${server.port}`);
    expect(output).toContain("Phường Thanh Xuân");
    expect(output).toContain(DEMO_PASSWORD);
  });

  test("GET /healthz answers JSON with the database's status", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.json();
    expect(body).toMatchObject({ status: "ok", database: { status: "ok", mode: "embedded" } });
  });

  test("pages carry security headers and are compressed", async () => {
    const response = await fetch(`${server.url}/login`, { headers: { "Accept-Encoding": "gzip" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin");
    expect(response.headers.get("x-powered-by")).toBeNull();
    expect(response.headers.get("content-encoding")).toBe("gzip");
    expect(await response.text()).toContain("Đăng nhập");
  });

  test("a post another site's page makes a browser send is refused before Remix: login, data requests, resource routes", async () => {
    const form = new URLSearchParams({ username: "mattran", password: DEMO_PASSWORD, redirectTo: "/" });
    const attempts: { path: string; headers: Record<string, string> }[] = [
      // Login CSRF, as a document post and as a data request (Remix checks neither's origin for ?_data=).
      { path: "/login", headers: { "Sec-Fetch-Site": "cross-site", Origin: "https://evil.example" } },
      { path: "/login?_data=routes%2Flogin", headers: { "Sec-Fetch-Site": "cross-site" } },
      // A resource route, from an older browser that sends only Origin.
      { path: "/lang", headers: { Origin: "https://evil.example" } },
      { path: "/logout", headers: { "Sec-Fetch-Site": "same-site" } },
    ];
    for (const { path: target, headers } of attempts) {
      const response = await fetch(`${server.url}${target}`, { method: "POST", body: form, headers, redirect: "manual" });
      expect(response.status, target).toBe(403);
      expect(response.headers.get("set-cookie"), target).toBeNull();
      expect(await response.text()).toBe("Yêu cầu bị từ chối: biểu mẫu được gửi từ một trang khác.");
    }
    // Phiếu's own form, as a browser sends it.
    const own = await fetch(`${server.url}/login`, {
      method: "POST",
      body: form,
      headers: { "Sec-Fetch-Site": "same-origin", Origin: server.url },
      redirect: "manual",
    });
    expect(own.status).toBe(302);
    expect(own.headers.get("set-cookie")).toContain("phieu_session");
    // An older browser on Phiếu's own page: its Origin is this host.
    const older = await fetch(`${server.url}/login`, { method: "POST", body: form, headers: { Origin: server.url }, redirect: "manual" });
    expect(older.status).toBe(302);
  });

  test("request logs carry route patterns, never codes, query strings or addresses", async () => {
    const withQuery = await fetch(`${server.url}/login?redirectTo=%2FSECRETCODE123`);
    expect(withQuery.status).toBe(200);
    await withQuery.text();
    const ballot = await fetch(`${server.url}/v/ABCD-EFGH-SECRET`);
    expect([200, 404]).toContain(ballot.status);
    await ballot.text();
    const data = await fetch(`${server.url}/v/ABCD-EFGH-SECRET.data`);
    await data.text();
    const output = await waitForOutput(server, '"route":"/login"');
    expect(output).toContain('"route":"/login"');
    expect(output).not.toContain("SECRETCODE123");
    expect(output).not.toContain("ABCD-EFGH-SECRET");
    expect(output).not.toContain("redirectTo");
    expect(output).not.toContain("127.0.0.1");
  });

  test("a second server on the same folder refuses with a clear message and exit code 1", async () => {
    const port = await freePort();
    const second = spawnNode("server.ts", [], childEnv({ PORT: String(port), PHIEU_DATA_DIR: dataDir }));
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(FOLDER_LOCKED);
    // The first server is unharmed.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  test("the command line works beside the running server, through it", async () => {
    const units = await cli(dataDir, ["units", "list", "--json"]);
    expect(units.code, units.output).toBe(0);
    const list = JSON.parse(units.output) as { id: number; name: string; kind: string }[];
    expect(list).toContainEqual(expect.objectContaining({ name: "Phường Thanh Xuân", kind: "ward" }));
    expect(list).toContainEqual(expect.objectContaining({ name: "Phường Khương Đình", kind: "ward" }));

    const created = await cli(dataDir, [
      "users",
      "create-admin",
      "--username",
      "quantri",
      "--name",
      "Nguyễn Văn Quản",
      "--password",
      "mat-khau-quan-tri-1",
    ]);
    expect(created.code, created.output).toBe(0);
    expect(created.output).toContain("quantri");
    // Written through the server: the server sees the new account at once.
    expect((await login(server.url, "quantri", "mat-khau-quan-tri-1")).status).toBe(302);

    const duplicate = await cli(dataDir, [
      "users",
      "create-admin",
      "--username",
      "quantri",
      "--name",
      "X",
      "--password",
      "mat-khau-quan-tri-1",
    ]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.output).toContain("đã tồn tại");

    // An import is one transaction through the server's socket: all of a good file, nothing of a bad one.
    const wardId = list.find((u) => u.name === "Phường Thanh Xuân")!.id;
    const files = tempFolder();
    fs.writeFileSync(path.join(files, "to.csv"), "Tên tổ dân phố\r\nTổ dân phố số 7\r\nTổ dân phố số 8\r\n");
    fs.writeFileSync(
      path.join(files, "can-bo.csv"),
      "Họ và tên,Năm sinh,Chức vụ,Đơn vị,Từ ngày\r\nMai Đức Long,1979,Phó Chủ tịch UBMTTQ,,15/08/2021\r\n" +
        "Lý Thị Hạnh,1985,Chủ tịch Hội Cựu chiến binh,,31/02/2022\r\n"
    );
    const groups = await cli(dataDir, [
      "import",
      "groups",
      "--ward",
      String(wardId),
      "--file",
      path.join(files, "to.csv"),
    ]);
    expect(groups.code, groups.output).toBe(0);
    const badCadres = await cli(dataDir, [
      "import",
      "cadres",
      "--ward",
      String(wardId),
      "--file",
      path.join(files, "can-bo.csv"),
    ]);
    expect(badCadres.code).toBe(1);
    expect(badCadres.output).toContain("Dòng 3");
    const after = JSON.parse((await cli(dataDir, ["units", "list", "--json"])).output) as { name: string }[];
    expect(after.map((u) => u.name)).toEqual(expect.arrayContaining(["Tổ dân phố số 7", "Tổ dân phố số 8"]));

    const audit = await cli(dataDir, ["audit", "verify"]);
    expect(audit.code, audit.output).toBe(0);
    expect(audit.output).toContain("chuỗi băm khớp");
  });

  test("a server killed with SIGKILL restarts on the same folder with its data", async () => {
    server.child.kill("SIGKILL");
    await server.exited;
    server = await startServer(dataDir);
    expect(server.output()).not.toContain("Đã tạo dữ liệu mẫu");
    expect((await login(server.url, "quantri", "mat-khau-quan-tri-1")).status).toBe(302);
    const audit = await cli(dataDir, ["audit", "verify"]);
    expect(audit.code, audit.output).toBe(0);
  });

  test("SIGTERM lets a request in flight finish, then exits 0", async () => {
    const body = new URLSearchParams({ username: "mattran", password: DEMO_PASSWORD, redirectTo: "/" }).toString();
    const socket = net.connect(server.port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    let response = "";
    socket.on("data", (chunk: Buffer) => (response += chunk.toString("utf8")));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write(
      "POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`
    );
    // A request on another connection, answered after the held one's headers were read: the held request is in
    // flight when the signal comes.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(server.child.exitCode, "the server must wait for the request in flight").toBeNull();
    socket.write(body);
    await closed;
    expect(response).toMatch(/^HTTP\/1\.1 302 /);
    expect(response).toMatch(/set-cookie: phieu_session=/i);
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain("stopped");
    // New connections are refused once it is gone.
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  test("with no server running, the command line opens the folder itself", async () => {
    const units = await cli(dataDir, ["units", "list", "--json"]);
    expect(units.code, units.output).toBe(0);
    expect(JSON.parse(units.output)).toContainEqual(expect.objectContaining({ name: "Phường Thanh Xuân" }));
    const audit = await cli(dataDir, ["audit", "verify"]);
    expect(audit.code, audit.output).toBe(0);
    // The folder is free again afterwards: a server starts on it.
    server = await startServer(dataDir);
    expect((await login(server.url, "quantri", "mat-khau-quan-tri-1")).status).toBe(302);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });
});

describe.skipIf(!process.env.DATABASE_URL)("the server on PostgreSQL", { timeout: SLOW }, () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let server: Running;

  beforeAll(async () => {
    database = await createPostgresDatabase("phieu_it");
    server = await startServer(tempFolder(), { DATABASE_URL: database.url });
  }, SLOW);

  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill("SIGTERM");
      await server.exited;
    }
    await database?.drop();
  }, SLOW);

  test("migrates, seeds and answers /healthz with mode postgres", async () => {
    const body = await (await fetch(`${server.url}/healthz`)).json();
    expect(body).toMatchObject({ status: "ok", database: { status: "ok", mode: "postgres" } });
    // The banner comes once every worker listens; the first may answer /healthz before the last has started.
    const deadline = Date.now() + 60_000;
    while (!server.output().includes("Đã tạo dữ liệu mẫu") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(server.output()).toContain("Đã tạo dữ liệu mẫu");
    expect((await login(server.url, "mattran", DEMO_PASSWORD)).status).toBe(302);
  });

  test("the command line reaches the same database", async () => {
    const spawned = spawnNode(
      "scripts/phieu.ts",
      ["units", "list", "--json"],
      childEnv({ DATABASE_URL: database.url, PHIEU_DATA_DIR: tempFolder() })
    );
    expect(await spawned.exited, spawned.output()).toBe(0);
    expect(JSON.parse(spawned.output())).toContainEqual(expect.objectContaining({ name: "Phường Thanh Xuân" }));
  });
});
