import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import { useDatabase } from "../../app/db.server";
import { resetEnv } from "../../app/env.server";
import { createTestDatabase, truncateAll } from "./database";

process.env.NODE_ENV = "test";
process.env.PHIEU_SECRET ??= "test-secret-0123456789abcdefghijklmnopqrstuvwxyz";
resetEnv();

let database: Awaited<ReturnType<typeof createTestDatabase>> | null = null;

beforeAll(async () => {
  database = await createTestDatabase();
  useDatabase(database);
});

afterAll(async () => {
  useDatabase(null);
  await database?.drop();
  database = null;
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
