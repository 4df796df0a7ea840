// Shared plumbing of the admin command line: a command is a name, a usage line and a function that gets the
// parsed arguments; it throws CliError for a failure the user must read (exit code 1 with that message).
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { readEnv } from "../app/env.server";
import { startDatabase } from "../app/startup.server";
import type { OpenedDatabase } from "../app/db.server";

export class CliError extends Error {}

export interface Command {
  name: string;
  usage: string;
  options?: ParseArgsConfig["options"];
  run: (args: { values: Record<string, string | boolean | undefined>; positionals: string[] }) => Promise<void>;
}

/** Opens the database: through the running server's socket when a server holds the embedded folder. */
export async function openCliDatabase(): Promise<OpenedDatabase> {
  const env = readEnv();
  const { opened } = await startDatabase({
    databaseUrl: env.DATABASE_URL,
    dataDir: path.resolve(env.PHIEU_DATA_DIR),
    allowViaServer: true,
  });
  return opened;
}

export async function withDatabase<T>(fn: (opened: OpenedDatabase) => Promise<T>): Promise<T> {
  const opened = await openCliDatabase();
  try {
    return await fn(opened);
  } finally {
    await opened.close();
  }
}

export function parseCommandArgs(command: Command, argv: string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: command.options ?? {},
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    throw new CliError(`Tham số không hợp lệ: ${(error as Error).message}\nCách dùng: npm run phieu -- ${command.usage}`);
  }
}

export function printJson(value: unknown) {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}
