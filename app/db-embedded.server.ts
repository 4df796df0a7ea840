// The embedded database: PGlite in a data folder that this process owns, and a PostgreSQL-protocol socket in that
// folder through which other processes (the command line) reach it. See docs/decisions/002-embedded-database.md.
import { createHash } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketHandler } from "@electric-sql/pglite-socket";
import { securePrivateFolder } from "./private-folder.server";

/** PGlite keeps `date`, bigint and numeric as text, like `pg`, so that the two drivers return the same values. */
export const PGLITE_PARSERS = { 20: (v: string) => v, 1082: (v: string) => v, 1700: (v: string) => v };

/** The socket file a `pg` client finds with `host` = the data folder (PostgreSQL's own naming). */
export function socketPath(dataDir: string) {
  return path.join(dataDir, ".s.PGSQL.5432");
}

export class FolderLockedError extends Error {
  constructor(public dataDir: string) {
    super(`Thư mục dữ liệu ${dataDir} đang được một máy chủ Phiếu khác sử dụng.`);
  }
}

/**
 * Holds the data folder with an abstract Unix socket named after it: only one process can bind a name, and the
 * kernel frees it the moment the process dies (SIGKILL included), so no stale lock file is ever left behind.
 * Resolves to null when another process holds the folder.
 */
export function acquireFolderLock(dataDir: string): Promise<net.Server | null> {
  const real = fs.realpathSync(dataDir);
  const name = "\0phieu-data-" + createHash("sha256").update(real).digest("hex").slice(0, 40);
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolve(null);
      else reject(error);
    });
    server.listen({ path: name }, () => {
      server.unref();
      resolve(server);
    });
  });
}

export async function openPglite(dataDir: string): Promise<PGlite> {
  fs.mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create({ dataDir, parsers: PGLITE_PARSERS });
  // PGlite sets its files' modes itself, whatever the umask: 0666 in a new folder, 0644 for the catalog cache it
  // rewrites at every opening. Whoever opens the folder leaves it its owner's alone.
  try {
    securePrivateFolder(dataDir);
  } catch (error) {
    await pglite.close();
    throw error;
  }
  return pglite;
}

type Pglite = PGlite & {
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
};

const READY_FOR_QUERY_IDLE = [0x5a, 0, 0, 0, 5, 0x49]; // 'Z', length 5, status 'I'

/**
 * Serializes socket clients with this process's own queries. PGlite has one session: a client's transaction
 * (or an extended-protocol Parse..Sync run) must not interleave with anyone else's. A client takes a lease on
 * PGlite's transaction mutex, which this process's own `query` and `transaction` also take, with its first
 * message, and gives it back when the server answers ReadyForQuery with status idle.
 */
class LeaseQueue {
  private holder: number | null = null;
  private endLease: (() => void) | null = null;
  private detached = new Set<number>();

  constructor(private pg: Pglite) {}

  async enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    if (this.holder !== handlerId) await this.acquire(handlerId);
    if (this.detached.has(handlerId)) {
      await this.clearTransactionIfNeeded(handlerId);
      throw new Error("Handler disconnected");
    }
    let bytes = 0;
    let tail: number[] = [];
    await this.pg.runExclusive(() =>
      this.pg.execProtocolRawStream(message, {
        onRawData: (data: Uint8Array) => {
          bytes += data.length;
          tail = [...tail, ...data.subarray(Math.max(0, data.length - 6))].slice(-6);
          onData(data);
        },
      }),
    );
    if (tail.length === 6 && tail.every((b, i) => b === READY_FOR_QUERY_IDLE[i])) this.release();
    return bytes;
  }

  private acquire(handlerId: number): Promise<void> {
    return new Promise((granted) => {
      void this.pg._runExclusiveTransaction(
        () =>
          new Promise<void>((ended) => {
            this.holder = handlerId;
            this.endLease = ended;
            granted();
          }),
      );
    });
  }

  private release() {
    const end = this.endLease;
    this.holder = null;
    this.endLease = null;
    end?.();
  }

  getQueueLength() {
    return 0;
  }

  clearQueueForHandler(handlerId: number) {
    this.detached.add(handlerId);
  }

  async clearTransactionIfNeeded(handlerId: number) {
    if (this.holder !== handlerId) return;
    if (this.pg.isInTransaction()) {
      await this.pg.runExclusive(() => this.pg.execProtocolRaw(simpleQuery("ROLLBACK")));
    }
    this.release();
  }
}

function simpleQuery(text: string): Uint8Array {
  const body = Buffer.from(text + "\0", "utf8");
  const message = Buffer.alloc(5 + body.length);
  message.write("Q", 0, "ascii");
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return message;
}

/** Serves the PostgreSQL protocol on the folder's Unix socket. The caller must hold the folder lock. */
export async function serveSocket(pg: PGlite, dataDir: string): Promise<net.Server> {
  const file = socketPath(dataDir);
  // Left behind by a process that was killed; safe to remove because we hold the folder lock.
  fs.rmSync(file, { force: true });
  const queue = new LeaseQueue(pg as Pglite);
  const server = net.createServer((socket) => {
    const handler = new PGLiteSocketHandler({
      queryQueue: queue as never,
      closeOnDetach: true,
      idleTimeout: 60_000,
    });
    void handler.attach(socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(file, () => resolve());
  });
  fs.chmodSync(file, 0o600);
  server.unref();
  return server;
}
