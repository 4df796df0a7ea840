// Every test file gets a database of its own, created here and dropped afterwards, so runs never collide:
// a fresh PostgreSQL database on the server of DATABASE_URL when it is set, an in-memory PGlite otherwise.
import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PGliteDialect, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "../../db/schema";
import { migrateToLatest } from "../../db/migrate";
import { BUILTIN_TITLES } from "../../db/migrations/20261128T220000_create_foundation";
import { PGLITE_PARSERS } from "../../app/db-embedded.server";
import type { OpenedDatabase } from "../../app/db.server";

export function usingPostgres(): boolean {
  return Boolean(process.env.DATABASE_URL);
}

/** Creates an empty PostgreSQL database on DATABASE_URL's server and returns its URL and a way to drop it. */
export async function createPostgresDatabase(prefix = "phieu_test") {
  const adminUrl = process.env.DATABASE_URL!;
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists "${name}" with (force)`);
      await client.end();
    },
  };
}

export async function createTestDatabase(): Promise<OpenedDatabase & { drop: () => Promise<void> }> {
  if (usingPostgres()) {
    const created = await createPostgresDatabase();
    const pool = new pg.Pool({ connectionString: created.url, max: 20 });
    // pool.end() resolves before its connections have closed; dropping the database "with (force)" would then kill
    // them, and their error would surface as an unhandled one. Closing waits until every connection is gone.
    const connections = new Set<unknown>();
    pool.on("connect", (client) => connections.add(client));
    pool.on("remove", (client) => connections.delete(client));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await migrateToLatest(db);
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
      while (connections.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    return {
      db,
      mode: "postgres",
      describe: `PostgreSQL ${created.name}`,
      close,
      drop: async () => {
        await close();
        await created.drop();
      },
    };
  }
  const pglite = await PGlite.create({ parsers: PGLITE_PARSERS });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  await migrateToLatest(db);
  const close = async () => {
    if (!pglite.closed) await db.destroy();
  };
  return { db, mode: "embedded", describe: "PGlite (memory)", close, drop: close };
}

/** Empties every table the tests write to, back to what the migrations left (the built-in position titles). */
export async function truncateAll(db: Kysely<Database>) {
  // Each open poll has a partition of the ballot box; ids restart below, so drop them rather than empty them.
  const partitions = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent where p.relname = 'ballot_box'`.execute(db);
  for (const { name } of partitions.rows) await sql`drop table ${sql.id(name)}`.execute(db);
  await sql`truncate audit_log, import_drafts, positions, cadres, position_titles, sessions, login_throttles, grants, users, units restart identity cascade`.execute(
    db,
  );
  await db
    .insertInto("position_titles")
    .values(BUILTIN_TITLES.map((name, i) => ({ ward_id: null, name, sort_order: (i + 1) * 10 })))
    .execute();
}
