// What every process that owns the database does first: the secret, the database, migrations and (for the
// server) the demo ward. Shared by server.ts, the command line and the end-to-end test server.
import cluster from "node:cluster";
import path from "node:path";
import { migrateToLatest } from "../db/migrate";
import { seedDemo } from "../db/seeds/demo";
import { openDatabase, useDatabase, type OpenedDatabase, type OpenDatabaseOptions } from "./db.server";
import { logger } from "./logger.server";
import {
  restrictNewFileModes,
  securePrivateFolder,
  startupHardeningWarnings,
  statementLoggingRisks,
} from "./private-folder.server";
import { ensureServerSecret, keyFolderFor, useKeyFolder } from "./secret.server";
import { sweepServerKeys } from "./polls/server-key.server";

export interface StartedDatabase {
  opened: OpenedDatabase;
  secret: { source: string; created: boolean; moved: boolean };
  /** Polls whose leftover key files this start deleted (counted, gone, or an opening that never committed). */
  sweptKeys: number[];
  seeded: Awaited<ReturnType<typeof seedDemo>>;
}

export async function startDatabase({
  databaseUrl,
  dataDir,
  serve,
  allowViaServer,
  seed,
}: OpenDatabaseOptions & { dataDir: string; seed?: boolean }): Promise<StartedDatabase> {
  restrictNewFileModes();
  const keyDir = keyFolderFor(dataDir);
  useKeyFolder(keyDir);
  const secret = ensureServerSecret({ keyDir, dataDir: path.resolve(dataDir) });
  // The key folder, and the embedded database's pages and write-ahead log, are their owner's alone (opening the
  // data folder leaves it so): whatever is found open to others at a start was opened while no Phiếu held it, a
  // restored copy for instance.
  const folders = [{ folder: keyDir, name: "thư mục khóa" }];
  if (!databaseUrl) folders.push({ folder: path.resolve(dataDir), name: "thư mục dữ liệu" });
  for (const { folder, name } of folders) {
    const { corrected } = securePrivateFolder(folder);
    if (corrected.length > 0) {
      logger.warn(
        { folder, corrected: corrected.length },
        `Đã giới hạn quyền truy cập của ${corrected.length} tệp và thư mục trong ${name} cho riêng chủ sở hữu.`
      );
    }
  }
  const opened = await openDatabase({ databaseUrl, dataDir, serve, allowViaServer });
  try {
    // Through a running server, its own start already migrated.
    if (opened.mode !== "embedded-via-server") await migrateToLatest(opened.db);
    // A cluster's primary has already checked the same process limits, flags and database for its workers.
    if (!cluster.isWorker) {
      for (const warning of startupHardeningWarnings()) logger.warn(warning);
      if (opened.mode === "postgres") for (const risk of await statementLoggingRisks(opened.db)) logger.warn(risk);
    }
    useDatabase(opened);
    const seeded = seed ? await seedDemo(opened.db) : { seeded: false as const };
    const sweptKeys = await sweepServerKeys();
    return { opened, secret, seeded, sweptKeys };
  } catch (error) {
    useDatabase(null);
    await opened.close();
    throw error;
  }
}
