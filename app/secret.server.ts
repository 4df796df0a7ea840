// The server's secret signs cookies (and will wrap poll keys). It is never stored in the database: it comes from
// PHIEU_SECRET, or for the embedded demo from a file in the data folder that `ensureServerSecret` creates.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export function serverSecret(): string {
  const secret = process.env.PHIEU_SECRET;
  if (!secret || secret.length < 32) {
    throw new Error("PHIEU_SECRET chưa được đặt (cần ít nhất 32 ký tự).");
  }
  return secret;
}

/** Loads PHIEU_SECRET from the environment or from `<dataDir>/server-secret`, creating that file if needed. */
export function ensureServerSecret(dataDir: string): { source: string; created: boolean } {
  if (process.env.PHIEU_SECRET && process.env.PHIEU_SECRET.length >= 32) {
    return { source: "PHIEU_SECRET", created: false };
  }
  const file = path.resolve(dataDir, "server-secret");
  let created = false;
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
    created = true;
  }
  process.env.PHIEU_SECRET = fs.readFileSync(file, "utf8").trim();
  return { source: file, created };
}
