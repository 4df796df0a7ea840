import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import { useDatabase } from "../../app/db.server";
import { resetEnv } from "../../app/env.server";
import { useKeyFolder } from "../../app/secret.server";
import { createTestDatabase, truncateAll } from "./database";

process.env.NODE_ENV = "test";
process.env.PHIEU_SECRET ??= "test-secret-0123456789abcdefghijklmnopqrstuvwxyz";
resetEnv();
// The keys of server-keyed polls: a key folder of this test file's own, like its database. Chosen in this process
// only: a server or command line a test spawns finds its own beside its data folder.
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "phieu-test-keys-"));
useKeyFolder(keyDir);

let database: Awaited<ReturnType<typeof createTestDatabase>> | null = null;

beforeAll(async () => {
  database = await createTestDatabase();
  useDatabase(database);
});

afterAll(async () => {
  useDatabase(null);
  await database?.drop();
  database = null;
  fs.rmSync(keyDir, { recursive: true, force: true });
});

// Each test starts from empty tables.
beforeEach(async () => {
  if (database) await truncateAll(database.db);
});

// A console.error during a test is a defect the user would see in the logs: fail the test.
let consoleErrors: unknown[][] = [];
beforeEach(() => {
  consoleErrors = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    consoleErrors.push(args);
  });
});
afterEach(() => {
  vi.mocked(console.error).mockRestore();
  if (consoleErrors.length > 0) {
    throw new Error(`console.error was called during the test: ${consoleErrors.map((a) => a.join(" ")).join("\n")}`);
  }
});
