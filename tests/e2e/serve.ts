// The server of an end-to-end run: a fresh database every time (a temporary data folder, and a fresh PostgreSQL
// database when DATABASE_URL is set), server.ts as a child on the test port, and everything removed when it stops.
// Playwright starts it (see playwright.config.ts) and stops it with SIGTERM.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPostgresDatabase } from "../setup/database";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const port = process.env.PHIEU_E2E_PORT ?? "3210";

async function main() {
  if (!fs.existsSync(path.join(root, "build/index.js"))) {
    console.error("The Remix build is missing: run `npx remix build` first (npm test does it).");
    process.exit(1);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "phieu-e2e-"));
  const database = process.env.DATABASE_URL ? await createPostgresDatabase("phieu_e2e") : null;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: port,
    PHIEU_DATA_DIR: dataDir,
    PHIEU_COOKIE_SECURE: "false",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  };
  delete env.PHIEU_SECRET;
  delete env.PHIEU_KEY_DIR;
  if (database) env.DATABASE_URL = database.url;
  else delete env.DATABASE_URL;

  // Where specs find this run's database, to run the command line beside the server (e2eServerInfo in resident.spec.ts).
  const infoFile = path.join(os.tmpdir(), `phieu-e2e-${port}.json`);
  fs.writeFileSync(infoFile, JSON.stringify({ dataDir, databaseUrl: database?.url ?? null }), { mode: 0o600 });

  const server = spawn(process.execPath, ["--import", "tsx", "server.ts"], { cwd: root, env, stdio: "inherit" });

  let cleaned = false;
  const cleanUp = async () => {
    if (cleaned) return;
    cleaned = true;
    fs.rmSync(infoFile, { force: true });
    try {
      await database?.drop();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      // The key folder beside it (server-keyed polls' keys, the generated secret).
      fs.rmSync(`${dataDir}-keys`, { recursive: true, force: true });
    }
  };

  // Playwright signals the whole process group; forwarding too keeps this working when only this process is told.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (server.exitCode === null && server.signalCode === null) server.kill(signal);
    });
  }

  server.on("exit", (code) => {
    void cleanUp().then(
      () => process.exit(code ?? 1),
      (error) => {
        console.error("Could not remove the end-to-end database:", error);
        process.exit(1);
      }
    );
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
