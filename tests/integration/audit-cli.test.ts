// `npm run phieu -- audit verify` as an operator runs it: on a data folder no server holds (the command line opens it
// itself), then again after the audit table was changed by hand. The folder is written and tampered with from this
// process, only while no command line runs (a folder has one owner at a time).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql, type Kysely } from "kysely";
import { afterAll, describe, expect, test } from "vitest";
import { appendAudit } from "../../app/audit/audit.server";
import { openDatabase, type OpenedDatabase } from "../../app/db.server";
import { migrateToLatest } from "../../db/migrate";
import type { Database } from "../../db/schema";
import { createPostgresDatabase } from "../setup/database";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// Spawning Node with tsx is slow on a busy machine; the bound is for that case.
const SLOW = 90_000;
const folders: string[] = [];

afterAll(() => {
  // Each data folder, and the key folder beside it.
  for (const folder of folders) {
    for (const dir of [folder, `${folder}-keys`]) fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** `audit verify` in a child process, with the test harness's database and secret left out of its environment. */
function auditVerify(extra: Record<string, string>) {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production" };
  delete env.DATABASE_URL;
  delete env.PHIEU_SECRET;
  delete env.LOG_LEVEL;
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/phieu.ts", "audit", "verify"], {
    cwd: root,
    env: { ...env, ...extra },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  );
}

async function withOpened<T>(open: () => Promise<OpenedDatabase>, fn: (db: Kysely<Database>) => Promise<T>) {
  const opened = await open();
  try {
    return await fn(opened.db);
  } finally {
    await opened.close();
  }
}

/** Three officers' actions on a ward, written as the app writes them; their ids and hashes. */
async function writeEntries(db: Kysely<Database>) {
  await migrateToLatest(db);
  const ward = await db
    .insertInto("units")
    .values({ name: "Phường Thanh Xuân", kind: "ward", parent_id: null })
    .returning("id")
    .executeTakeFirstOrThrow();
  const actor = { userId: null, label: "mattran" };
  for (const action of ["poll.create", "poll.open", "poll.close"]) {
    await db.transaction().execute((tx) => appendAudit(tx, { actor, unitId: ward.id, action, details: { pollId: 1 } }));
  }
  return db.selectFrom("audit_log").select(["id", "hash"]).orderBy("id").execute();
}

/** The same walk on any database: a good chain, an edited entry named by its id, then (optionally) a deleted one. */
async function verifyScenario(
  open: () => Promise<OpenedDatabase>,
  env: Record<string, string>,
  { deletion }: { deletion: boolean }
) {
  const entries = await withOpened(open, writeEntries);
  const [, second, third] = entries.map((e) => ({ id: String(e.id), hash: e.hash }));

  const good = await auditVerify(env);
  expect(good.code, good.stderr).toBe(0);
  expect(good.stdout).toContain("Nhật ký kiểm tra toàn vẹn: 3 mục, chuỗi băm khớp.");
  expect(good.stdout).toContain(`Mục mới nhất: ${third.id}, mã băm ${third.hash}`);

  await withOpened(open, (db) => sql`update audit_log set details = '{"x":1}' where id = ${second.id}`.execute(db));
  const edited = await auditVerify(env);
  expect(edited.code).toBe(1);
  expect(edited.stderr).toContain(`Nhật ký kiểm tra bị hỏng tại mục ${second.id} (`);
  expect(edited.stderr).toContain("poll.open, mattran, Phường Thanh Xuân");
  expect(edited.stderr).toContain("nội dung đã bị sửa");
  expect(edited.stdout).toBe("");
  if (!deletion) return;

  await withOpened(open, (db) => sql`delete from audit_log where id = ${second.id}`.execute(db));
  const deleted = await auditVerify(env);
  expect(deleted.code).toBe(1);
  expect(deleted.stderr).toContain(`Nhật ký kiểm tra bị hỏng tại mục ${third.id} (`);
  expect(deleted.stderr).toContain("liên kết với mục trước đã bị phá");
}

describe("audit verify on an embedded data folder", { timeout: SLOW }, () => {
  test("exits 0 with the count on a good chain, 1 naming the entry changed or after the one deleted", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "phieu-audit-"));
    folders.push(dataDir);
    await verifyScenario(() => openDatabase({ dataDir }), { PHIEU_DATA_DIR: dataDir }, { deletion: true });
  });
});

describe.skipIf(!process.env.DATABASE_URL)("audit verify on PostgreSQL", { timeout: SLOW }, () => {
  test("exits 0 with the count on a good chain, 1 naming the entry changed", async () => {
    const database = await createPostgresDatabase("phieu_audit");
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "phieu-audit-"));
    folders.push(dataDir);
    try {
      await verifyScenario(
        () => openDatabase({ databaseUrl: database.url }),
        {
          DATABASE_URL: database.url,
          PHIEU_DATA_DIR: dataDir,
        },
        { deletion: false }
      );
    } finally {
      await database.drop();
    }
  });
});
