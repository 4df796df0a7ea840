import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type OpenedDatabase } from "./db.server";
import { FolderLockedError } from "./db-embedded.server";

// These tests are about the embedded folder itself, so they run on PGlite whatever DATABASE_URL says.
const opened: OpenedDatabase[] = [];
const folders: string[] = [];

function tempFolder() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "phieu-lock-"));
  folders.push(dir);
  return dir;
}

afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close().catch(() => undefined);
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the embedded data folder", () => {
  it("is held by one process: a second open in the same place is refused, a client goes through the socket", async () => {
    const dataDir = tempFolder();
    const owner = await openDatabase({ dataDir, serve: true });
    opened.push(owner);
    await expect(openDatabase({ dataDir })).rejects.toBeInstanceOf(FolderLockedError);
    const client = await openDatabase({ dataDir, allowViaServer: true });
    opened.push(client);
    expect(client.mode).toBe("embedded-via-server");
    const row = await sql<{ answer: number }>`select 41 + 1 as answer`.execute(client.db);
    expect(row.rows[0].answer).toBe(42);
  });

  it("frees the folder when its owner closes it", async () => {
    const dataDir = tempFolder();
    const first = await openDatabase({ dataDir });
    await first.close();
    const second = await openDatabase({ dataDir });
    opened.push(second);
    expect(second.mode).toBe("embedded");
  });

  it("never interleaves a socket client's transaction with the owner's own transactions", async () => {
    const dataDir = tempFolder();
    const owner = await openDatabase({ dataDir, serve: true });
    opened.push(owner);
    await sql`create table counter (id int primary key, n int not null)`.execute(owner.db);
    await sql`insert into counter values (1, 0)`.execute(owner.db);

    // Read-modify-write with a pause in the middle: any interleaving loses increments.
    const pool = new pg.Pool({ host: dataDir, port: 5432, user: "postgres", database: "postgres", max: 4 });
    const viaSocket = async () => {
      const client = await pool.connect();
      try {
        await client.query("begin");
        const { rows } = await client.query("select n from counter where id = 1");
        await new Promise((r) => setTimeout(r, 2));
        await client.query("update counter set n = $1 where id = 1", [rows[0].n + 1]);
        await client.query("commit");
      } finally {
        client.release();
      }
    };
    const inProcess = () =>
      owner.db.transaction().execute(async (tx) => {
        const { rows } = await sql<{ n: number }>`select n from counter where id = 1`.execute(tx);
        await new Promise((r) => setTimeout(r, 2));
        await sql`update counter set n = ${rows[0].n + 1} where id = 1`.execute(tx);
      });
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) work.push(viaSocket(), inProcess());
    await Promise.all(work);
    await pool.end();
    const { rows } = await sql<{ n: number }>`select n from counter where id = 1`.execute(owner.db);
    expect(rows[0].n).toBe(40);
  });

  it("rolls back what a client left open when it disconnects, and lets the owner go on", async () => {
    const dataDir = tempFolder();
    const owner = await openDatabase({ dataDir, serve: true });
    opened.push(owner);
    await sql`create table notes (body text)`.execute(owner.db);
    const client = new pg.Client({ host: dataDir, port: 5432, user: "postgres", database: "postgres" });
    await client.connect();
    await client.query("begin");
    await client.query("insert into notes values ('half done')");
    const ended = client.end();
    await ended;
    await sql`insert into notes values ('owner')`.execute(owner.db);
    const { rows } = await sql<{ body: string }>`select body from notes order by body`.execute(owner.db);
    expect(rows.map((r) => r.body)).toEqual(["owner"]);
  });
});
