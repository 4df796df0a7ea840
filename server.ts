// Phiếu's own server around the Remix request handler (remix-serve would log every full URL, and with it every
// ballot code). It owns the embedded database's folder, serves it to the command line, and drains on SIGTERM.
import cluster from "node:cluster";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Server } from "node:http";
import compression from "compression";
import express from "express";
import helmet from "helmet";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { FolderLockedError } from "./app/db-embedded.server";
import { readEnv, type Env } from "./app/env.server";
import { logger } from "./app/logger.server";
import { routePatternMatcher } from "./app/route-patterns.server";
import { startDatabase, type StartedDatabase } from "./app/startup.server";
import { keyFolder } from "./app/secret.server";
import { isCrossSiteWrite } from "./app/auth/cross-site";
import { applySchedules } from "./app/polls/lifecycle.server";
import { DEMO_PASSWORD, DEMO_POLL_TITLE, DEMO_USERS } from "./db/seeds/demo";

const root = path.dirname(fileURLToPath(import.meta.url));
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * On PostgreSQL, one worker process per core (PHIEU_WORKERS to choose): rendering pages is the server's work, and a
 * Node.js process renders on one core. The primary migrates and seeds, runs the schedules and forks the workers,
 * which share the port. The embedded database lives inside one process, so on it Phiếu is that one process.
 */
function workerCount(env: Env): number {
  if (!env.DATABASE_URL) return 1;
  return env.PHIEU_WORKERS ?? os.availableParallelism();
}

async function main() {
  const env = readEnv();
  const dataDir = path.resolve(env.PHIEU_DATA_DIR);
  if (cluster.isWorker) {
    const started = await startDatabase({ databaseUrl: env.DATABASE_URL, dataDir, seed: false });
    await serve(env, started, { worker: true });
    return;
  }
  let started;
  try {
    started = await startDatabase({ databaseUrl: env.DATABASE_URL, dataDir, serve: true, seed: true });
  } catch (error) {
    if (error instanceof FolderLockedError) {
      console.error(
        `Không thể khởi động: thư mục dữ liệu ${dataDir} đang được một máy chủ Phiếu khác sử dụng.\n` +
          `Hãy dừng máy chủ kia, hoặc đặt PHIEU_DATA_DIR sang một thư mục khác.`
      );
      process.exit(1);
    }
    throw error;
  }
  const workers = workerCount(env);
  if (workers > 1) await primary(started, workers);
  else await serve(env, started, { worker: false });
}

function banner(port: number, { opened, secret, seeded, sweptKeys }: StartedDatabase, workers: number) {
  const url = `http://localhost:${port}`;
  const lines = [
    `Phiếu đang chạy tại ${url}`,
    `Cơ sở dữ liệu: ${opened.describe}` + (workers > 1 ? ` (${workers} tiến trình phục vụ)` : ""),
    `Khóa bí mật của máy chủ: ${secret.source}${secret.created ? " (vừa tạo)" : ""}` +
      (secret.moved ? " (đã chuyển ra khỏi thư mục dữ liệu)" : ""),
    `Thư mục khóa (khóa của các cuộc lấy phiếu do máy chủ giữ khóa): ${keyFolder()}`,
  ];
  if (sweptKeys.length > 0) {
    lines.push(`Đã xóa tệp khóa còn sót của cuộc lấy phiếu đã kiểm hoặc không còn: ${sweptKeys.join(", ")}`);
  }
  if (seeded.seeded) {
    lines.push(
      "",
      "Đã tạo dữ liệu mẫu: Phường Thanh Xuân (Hà Nội). Đăng nhập tại " + `${url}/login` + " với:",
      ...DEMO_USERS.map((u) => `  ${u.username.padEnd(12)} ${DEMO_PASSWORD}   (${u.fullName})`),
      "",
      `Cuộc lấy phiếu mẫu "${DEMO_POLL_TITLE}" đang mở. Năm phiếu để bỏ thử (mỗi đường dẫn dùng được một lần;`,
      "mã chỉ hiện ở đây, hệ thống chỉ lưu bản băm):",
      ...seeded.ballotCodes.map((code) => `  ${url}/v/${code}`)
    );
  }
  console.log(lines.join("\n"));
}

/** Scheduled openings and closings; casting itself refuses a ballot once the scheduled close has passed. */
function startScheduler() {
  const scheduler = setInterval(() => {
    applySchedules().catch((error) => logger.error({ err: String(error) }, "scheduled transitions failed"));
  }, 15_000);
  scheduler.unref();
  return scheduler;
}

/**
 * The primary of a cluster: forks the workers, prints the banner once every one listens, replaces a worker that
 * dies, and on SIGTERM lets each drain its requests before closing the database and leaving.
 */
async function primary(started: StartedDatabase, workers: number) {
  const scheduler = startScheduler();
  let stopping = false;
  let listening = 0;
  let bannerShown = false;
  const listened = new Set<number>();
  const fork = () => {
    const worker = cluster.fork();
    worker.on("listening", (address) => {
      listened.add(worker.id);
      listening++;
      if (!bannerShown && listening >= workers) {
        bannerShown = true;
        banner(address.port, started, workers);
      }
    });
  };
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, "a worker died: starting another");
    fork();
  });
  for (let i = 0; i < workers; i++) fork();

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(scheduler);
    logger.info({ signal }, "shutting down: the workers drain their requests");
    const force = setTimeout(() => {
      logger.error("drain timed out");
      process.exit(1);
    }, 27_000);
    force.unref();
    let failed = false;
    const alive = () => Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead());
    cluster.on("exit", async (worker, code, signal) => {
      // A worker still starting when the signal came has no handler yet and dies of it: it had nothing to drain.
      const stoppedBeforeServing = signal === "SIGTERM" && !listened.has(worker.id);
      if (code !== 0 && !stoppedBeforeServing) failed = true;
      if (alive().length > 0) return;
      try {
        await started.opened.close();
        logger.info("stopped");
        process.exit(failed ? 1 : 0);
      } catch (error) {
        logger.error({ err: String(error) }, "closing the database failed");
        process.exit(1);
      }
    });
    for (const worker of alive()) worker?.process.kill("SIGTERM");
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

/** One process serving requests: the only one on the embedded database, or one worker of a cluster. */
async function serve(env: Env, started: StartedDatabase, { worker }: { worker: boolean }) {
  const { opened } = started;
  const build = (await import(path.join(root, "build/index.js"))) as unknown as ServerBuild;
  const patternOf = routePatternMatcher(build.routes as never);

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          "default-src": ["'self'"],
          // Remix inlines its hydration data and module loader.
          "script-src": ["'self'", "'unsafe-inline'"],
          "style-src": ["'self'", "'unsafe-inline'"],
          "img-src": ["'self'", "data:"],
          "connect-src": ["'self'"],
          "form-action": ["'self'"],
          "frame-ancestors": ["'none'"],
          "upgrade-insecure-requests": null,
        },
      },
      strictTransportSecurity: false,
      // The bare origin, never the path: a ballot URL carries its code, and proxies log Referer headers. Not
      // "no-referrer": with it Chromium sends `Origin: null` on a plain form post, which Remix's CSRF check
      // refuses, so no form would work without JavaScript.
      referrerPolicy: { policy: "strict-origin" },
    })
  );
  app.use(compression());

  // One line per request: method, route pattern, status and time. Never the URL, query, body or address.
  app.use((req, res, next) => {
    const start = process.hrtime.bigint();
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      logger.info({ method: req.method, route: patternOf(req.path), status: res.statusCode, ms: Math.round(ms) });
    });
    next();
  });

  // A post that another site's page makes the browser send is refused before anyone acts on it (app/auth/cross-site.ts).
  app.use((req, res, next) => {
    const cross = isCrossSiteWrite({
      method: req.method,
      host: req.headers.host,
      secFetchSite: req.get("sec-fetch-site"),
      origin: req.get("origin"),
    });
    if (cross) {
      res.status(403).type("text/plain; charset=utf-8").send("Yêu cầu bị từ chối: biểu mẫu được gửi từ một trang khác.");
      return;
    }
    next();
  });

  // No form of Phiếu takes more than an import file (2 MB); refuse larger bodies before anyone reads them.
  app.use((req, res, next) => {
    const length = Number(req.headers["content-length"] ?? 0);
    if (length > MAX_BODY_BYTES) {
      res.status(413).type("text/plain; charset=utf-8").send("Nội dung gửi lên quá lớn (tối đa 5 MB).");
      return;
    }
    next();
  });

  app.use("/build", express.static(path.join(root, "public/build"), { immutable: true, maxAge: "1y" }));
  // Other files of public/ have an extension; a page's path has none, and looking each one up on disk first (a
  // failed stat per ballot page) costs more than the test.
  const publicFiles = express.static(path.join(root, "public"), { maxAge: "1h" });
  app.use((req, res, next) => (path.extname(req.path) ? publicFiles(req, res, next) : next()));
  app.all("*", createRequestHandler({ build, mode: env.NODE_ENV }));

  let inFlight = 0;
  const server: Server = app.listen(env.PORT, () => {
    const address = server.address();
    if (!worker) banner(typeof address === "object" && address ? address.port : env.PORT, started, 1);
  });
  server.on("request", (_req, res) => {
    inFlight++;
    res.on("close", () => inFlight--);
  });

  // The few seconds until the scheduler runs never let a late ballot in: casting checks the scheduled close itself.
  const scheduler = worker ? null : startScheduler();
  // A worker whose primary is gone (killed) must not go on serving alone.
  if (worker) process.on("disconnect", () => process.exit(1));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (scheduler) clearInterval(scheduler);
    logger.info({ signal, inFlight }, "shutting down: draining requests");
    const force = setTimeout(() => {
      logger.error({ inFlight }, "drain timed out");
      process.exit(1);
    }, 25_000);
    force.unref();
    server.close(async () => {
      try {
        await opened.close();
        logger.info("stopped");
        process.exit(0);
      } catch (error) {
        logger.error({ err: String(error) }, "closing the database failed");
        process.exit(1);
      }
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error) => {
  console.error("Không thể khởi động Phiếu:", error instanceof Error ? error.message : error);
  process.exit(1);
});
