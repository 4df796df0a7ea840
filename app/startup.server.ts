// What every process that owns the database does first: the secret, the database, migrations and (for the
// server) the demo ward. Shared by server.ts, the command line and the end-to-end test server.
import path from "node:path";
import { migrateToLatest } from "../db/migrate";
import { seedDemo } from "../db/seeds/demo";
import { openDatabase, useDatabase, type OpenedDatabase, type OpenDatabaseOptions } from "./db.server";
import { ensureServerSecret } from "./secret.server";

export interface StartedDatabase {
  opened: OpenedDatabase;
  secret: { source: string; created: boolean };
  seeded: Awaited<ReturnType<typeof seedDemo>>;
}

export async function startDatabase({
  databaseUrl,
  dataDir,
  serve,
  allowViaServer,
  seed,
}: OpenDatabaseOptions & { dataDir: string; seed?: boolean }): Promise<StartedDatabase> {
  const secret = ensureServerSecret(path.resolve(dataDir));
  const opened = await openDatabase({ databaseUrl, dataDir, serve, allowViaServer });
  try {
    // Through a running server, its own start already migrated.
    if (opened.mode !== "embedded-via-server") await migrateToLatest(opened.db);
    useDatabase(opened);
    const seeded = seed ? await seedDemo(opened.db) : { seeded: false as const };
    return { opened, secret, seeded };
  } catch (error) {
    useDatabase(null);
    await opened.close();
    throw error;
  }
}
