// Phiếu's own server around the Remix request handler (remix-serve would log every full URL, and with it every
// ballot code). It owns the embedded database's folder, serves it to the command line, and drains on SIGTERM.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Server } from "node:http";
import compression from "compression";
import express from "express";
import helmet from "helmet";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { FolderLockedError } from "./app/db-embedded.server";
import { readEnv } from "./app/env.server";
import { logger } from "./app/logger.server";
import { routePatternMatcher } from "./app/route-patterns.server";
import { startDatabase } from "./app/startup.server";
import { applySchedules } from "./app/polls/lifecycle.server";
import { DEMO_PASSWORD, DEMO_POLL_TITLE, DEMO_USERS } from "./db/seeds/demo";

const root = path.dirname(fileURLToPath(import.meta.url));
const MAX_BODY_BYTES = 5 * 1024 * 1024;

async function main() {
  const env = readEnv();
  const dataDir = path.resolve(env.PHIEU_DATA_DIR);
  let started;
  try {
    started = await startDatabase({ databaseUrl: env.DATABASE_URL, dataDir, serve: true, seed: true });
  } catch (error) {
    if (error instanceof FolderLockedError) {
      console.error(
        `Không thể khởi động: thư mục dữ liệu ${dataDir} đang được một máy chủ Phiếu khác sử dụng.\n` +
          `Hãy dừng máy chủ kia, hoặc đặt PHIEU_DATA_DIR sang một thư mục khác.`,
      );
      process.exit(1);
    }
    throw error;
  }
  const { opened, secret, seeded } = started;

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
    }),
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
  app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));
  app.all("*", createRequestHandler({ build, mode: env.NODE_ENV }));

  let inFlight = 0;
  const server: Server = app.listen(env.PORT, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : env.PORT;
    const url = `http://localhost:${port}`;
    const lines = [
      `Phiếu đang chạy tại ${url}`,
      `Cơ sở dữ liệu: ${opened.describe}`,
      `Khóa bí mật của máy chủ: ${secret.source}${secret.created ? " (vừa tạo)" : ""}`,
    ];
    if (seeded.seeded) {
      lines.push(
        "",
        "Đã tạo dữ liệu mẫu: Phường Thanh Xuân (Hà Nội). Đăng nhập tại " + `${url}/login` + " với:",
        ...DEMO_USERS.map((u) => `  ${u.username.padEnd(12)} ${DEMO_PASSWORD}   (${u.fullName})`),
        "",
        `Cuộc lấy phiếu mẫu "${DEMO_POLL_TITLE}" đang mở. Năm phiếu để bỏ thử (mỗi đường dẫn dùng được một lần;`,
        "mã chỉ hiện ở đây, hệ thống chỉ lưu bản băm):",
        ...seeded.ballotCodes.map((code) => `  ${url}/v/${code}`),
      );
    }
    console.log(lines.join("\n"));
  });
  server.on("request", (_req, res) => {
    inFlight++;
    res.on("close", () => inFlight--);
  });

  // Scheduled openings and closings; casting itself refuses a ballot once the scheduled close has passed, so the
  // few seconds until this runs never let a late ballot in.
  const scheduler = setInterval(() => {
    applySchedules().catch((error) => logger.error({ err: String(error) }, "scheduled transitions failed"));
  }, 15_000);
  scheduler.unref();

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(scheduler);
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
