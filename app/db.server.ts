// The one Kysely<Database> of the process: PostgreSQL through `pg` when DATABASE_URL is set, otherwise the
// embedded PGlite in PHIEU_DATA_DIR. Whoever starts the process (server.ts, the command line, the tests) opens it
// once with `openDatabase`; application code imports `db`.
import path from "node:path";
import type net from "node:net";
import { Kysely, PGliteDialect, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "../db/schema";
import { logger } from "./logger.server";
import {
  FolderLockedError,
  acquireFolderLock,
  openPglite,
  serveSocket,
  socketPath,
} from "./db-embedded.server";

// Same values from both drivers: dates as 'YYYY-MM-DD', bigint and numeric as strings (convert counts explicitly).
pg.types.setTypeParser(1082, (v) => v);

export type DatabaseMode = "postgres" | "embedded" | "embedded-via-server";

/**
 * A database that restarts ends every connection with an 'error' event, on the pool for idle clients and on the
 * client itself for one in use; unheard, either kills the process. The pool drops a broken client and the next
 * query opens a new one; the request that was using it fails on its own (and its transaction with it).
 */
function survivingRestarts(pool: pg.Pool): pg.Pool {
  const warn = (error: Error) => logger.warn({ err: { message: error.message } }, "database connection lost");
  pool.on("error", warn);
  pool.on("connect", (client) => client.on("error", warn));
  return pool;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  dataDir?: string;
  /** Serve the embedded database on the folder's socket so that other processes can reach it (the server does). */
  serve?: boolean;
  /** Reach a running server's embedded database through its socket instead of refusing (the command line does). */
  allowViaServer?: boolean;
  poolSize?: number;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  mode: DatabaseMode;
  describe: string;
  close: () => Promise<void>;
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  if (options.databaseUrl) {
    const pool = survivingRestarts(new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 }));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const url = new URL(options.databaseUrl);
    return { db, mode: "postgres", describe: `PostgreSQL ${url.host}${url.pathname}`, close: () => db.destroy() };
  }

  const dataDir = path.resolve(options.dataDir ?? "data");
  (await import("node:fs")).mkdirSync(dataDir, { recursive: true });
  const lock = await acquireFolderLock(dataDir);
  if (!lock) {
    if (!options.allowViaServer) throw new FolderLockedError(dataDir);
    // A server owns the folder: speak to it through its socket, never open the folder a second time.
    const pool = survivingRestarts(
      new pg.Pool({ host: dataDir, port: 5432, database: "postgres", user: "postgres", max: 1 })
    );
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      mode: "embedded-via-server",
      describe: `PGlite ${dataDir} (qua máy chủ đang chạy, ${socketPath(dataDir)})`,
      close: () => db.destroy(),
    };
  }

  const pglite = await openPglite(dataDir);
  let socket: net.Server | null = null;
  if (options.serve) socket = await serveSocket(pglite, dataDir);
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    mode: "embedded",
    describe: `PGlite ${dataDir}`,
    close: async () => {
      if (socket) await new Promise<void>((resolve) => socket!.close(() => resolve()));
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      lock.close();
    },
  };
}

type Holder = { current: OpenedDatabase | null };
const holder: Holder = ((globalThis as { __phieuDb?: Holder }).__phieuDb ??= { current: null });

/** Makes `opened` the database that `db` refers to (the server build and the process share it through globalThis). */
export function useDatabase(opened: OpenedDatabase | null) {
  holder.current = opened;
}

export function currentDatabase(): OpenedDatabase {
  if (!holder.current) throw new Error("The database is not open: call openDatabase() and useDatabase() first.");
  return holder.current;
}

/** The application's Kysely instance (delegates to the database the process opened). */
export const db: Kysely<Database> = new Proxy({} as Kysely<Database>, {
  get(_target, property) {
    const kysely = currentDatabase().db;
    const value = Reflect.get(kysely, property, kysely);
    // Methods need their own `this` (Kysely uses private fields); getters such as `fn` return functions that carry
    // properties (fn.countAll), which a bound copy would lose.
    return typeof value === "function" && !isGetter(kysely, property) ? value.bind(kysely) : value;
  },
});

function isGetter(object: object, property: string | symbol): boolean {
  for (let proto: object | null = object; proto; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, property);
    if (descriptor) return typeof descriptor.get === "function";
  }
  return false;
}

/** What /healthz reports: whether the database answers a query, and how fast. */
export async function databaseHealth(): Promise<{ ok: true; mode: DatabaseMode; latencyMs: number } | { ok: false }> {
  const started = Date.now();
  try {
    await sql`select 1`.execute(db);
    return { ok: true, mode: currentDatabase().mode, latencyMs: Date.now() - started };
  } catch {
    return { ok: false };
  }
}
