// The server's secret signs cookies; it opens nothing that is in the database (no key is ever wrapped with it). It
// comes from PHIEU_SECRET, or, for the embedded demo, from a file in the key folder that `ensureServerSecret`
// creates. The key folder also holds the keys of server-keyed polls; it lies beside the data folder, never inside it,
// so that a copy of the data folder, or a backup of the database, holds no secret and no key.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "./env.server";

export function serverSecret(): string {
  const secret = process.env.PHIEU_SECRET;
  if (!secret || secret.length < 32) {
    throw new Error("PHIEU_SECRET chưa được đặt (cần ít nhất 32 ký tự).");
  }
  return secret;
}

/** The key folder of a data folder: PHIEU_KEY_DIR, or `<data folder>-keys` beside it. */
export function keyFolderFor(dataDir: string): string {
  const { PHIEU_KEY_DIR } = env();
  return PHIEU_KEY_DIR ? path.resolve(PHIEU_KEY_DIR) : `${path.resolve(dataDir)}-keys`;
}

let chosen: string | null = null;

/** The process's key folder, as its start chose it (`useKeyFolder`), else that of PHIEU_DATA_DIR. */
export function keyFolder(): string {
  return chosen ?? keyFolderFor(env().PHIEU_DATA_DIR);
}

export function useKeyFolder(folder: string | null) {
  chosen = folder;
}

/**
 * Loads PHIEU_SECRET from the environment or from `<key folder>/server-secret`, creating that file if needed. A
 * secret that an earlier version generated inside the data folder moves to the key folder (sessions survive it).
 */
export function ensureServerSecret({ keyDir, dataDir }: { keyDir: string; dataDir: string }): {
  source: string;
  created: boolean;
  moved: boolean;
} {
  if (process.env.PHIEU_SECRET && process.env.PHIEU_SECRET.length >= 32) {
    return { source: "PHIEU_SECRET", created: false, moved: false };
  }
  const file = path.join(keyDir, "server-secret");
  const legacy = path.join(dataDir, "server-secret");
  let created = false;
  let moved = false;
  fs.mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(file) && fs.existsSync(legacy)) {
    fs.writeFileSync(file, fs.readFileSync(legacy), { mode: 0o600, flag: "wx" });
    fs.rmSync(legacy);
    moved = true;
  }
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, randomBytes(32).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
    created = true;
  }
  fs.rmSync(legacy, { force: true });
  process.env.PHIEU_SECRET = fs.readFileSync(file, "utf8").trim();
  return { source: file, created, moved };
}
