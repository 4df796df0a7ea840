// The key of a server-keyed poll: a file in the key folder (outside the database and the data folder), never a row.
// Written and fsynced before the opening commits, read by the count, deleted once the count has committed; what a
// crash leaves behind is swept at the next start. A copy of the database, its WAL, backups and replicas then hold
// the public key and ciphertext only. See docs/decisions/015-keys-outside-the-database.md.
import fs from "node:fs";
import path from "node:path";
import { db } from "~/db.server";
import { keyFolder } from "~/secret.server";
import { publicKeyOf } from "~/ballots/seal.server";

const MAGIC = Buffer.from("PHIEUK01");
const RAW = 32;
const FILE_SIZE = MAGIC.length + 4 + 2 * RAW;
const FILE_NAME = /^poll-(\d+)\.key$/;
/** A key file of a draft poll younger than this may belong to an opening in progress in another process. */
const OPENING_GRACE_MS = 10 * 60_000;

function keyFile(pollId: number, folder = keyFolder()) {
  return path.join(folder, `poll-${pollId}.key`);
}

function syncFolder(folder: string) {
  const fd = fs.openSync(folder, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes the poll's key pair to its file, durably (the file and the folder's entry fsynced) before the caller's
 * opening commits: a poll is never open without a key that can count it.
 */
export function writeServerKey(pollId: number, pair: { publicKey: Uint8Array; privateKey: Uint8Array }) {
  const folder = keyFolder();
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  const bytes = Buffer.alloc(FILE_SIZE);
  MAGIC.copy(bytes, 0);
  bytes.writeUInt32BE(pollId, MAGIC.length);
  Buffer.from(pair.publicKey).copy(bytes, MAGIC.length + 4);
  Buffer.from(pair.privateKey).copy(bytes, MAGIC.length + 4 + RAW);
  const temporary = path.join(folder, `.poll-${pollId}.${process.pid}.tmp`);
  try {
    const fd = fs.openSync(temporary, "w", 0o600);
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, keyFile(pollId, folder));
    syncFolder(folder);
  } finally {
    bytes.fill(0);
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * The poll's key pair from its file, checked against the poll's public key; null when the file is missing, is not
 * this poll's, or holds another key. The caller zeroes `privateKey` when done.
 */
export function readServerKey(
  pollId: number,
  publicKey: Uint8Array
): { publicKey: Buffer; privateKey: Buffer } | null {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(keyFile(pollId));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    if (
      bytes.length !== FILE_SIZE ||
      !bytes.subarray(0, MAGIC.length).equals(MAGIC) ||
      bytes.readUInt32BE(MAGIC.length) !== pollId
    ) {
      return null;
    }
    const pub = Buffer.from(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + RAW));
    const privateKey = Buffer.from(bytes.subarray(MAGIC.length + 4 + RAW));
    const derived = publicKeyOf(privateKey);
    if (!pub.equals(Buffer.from(publicKey)) || !derived?.equals(pub)) {
      privateKey.fill(0);
      return null;
    }
    return { publicKey: pub, privateKey };
  } finally {
    bytes.fill(0);
  }
}

/** Deletes the poll's key file, durably; with `onlyIf`, only when the file holds that public key. */
export function removeServerKey(pollId: number, { onlyIf }: { onlyIf?: Uint8Array } = {}) {
  const folder = keyFolder();
  const file = keyFile(pollId, folder);
  if (onlyIf) {
    let held: Buffer;
    try {
      held = fs.readFileSync(file);
    } catch {
      return;
    }
    const same = held.subarray(MAGIC.length + 4, MAGIC.length + 4 + RAW).equals(Buffer.from(onlyIf));
    held.fill(0);
    if (!same) return;
  }
  try {
    // Zeros over the key first, on disk, then the name: a file system that writes in place keeps no copy of it (a
    // copy-on-write one, or a snapshot of the folder, may: see decision 015).
    const fd = fs.openSync(file, "r+");
    try {
      fs.writeSync(fd, Buffer.alloc(fs.fstatSync(fd).size));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.rmSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  syncFolder(folder);
}

/** Whether the poll's key file is there (the poll page warns before a close that could not count). */
export function hasServerKey(pollId: number): boolean {
  return fs.existsSync(keyFile(pollId));
}

/**
 * Deletes the key files that nothing will read again: those of counted polls, of polls that no longer exist, and of
 * drafts (an opening that did not commit) older than the grace an opening in progress elsewhere may need. Run at
 * each start. Returns the poll ids whose files were removed.
 */
export async function sweepServerKeys({ now = new Date() }: { now?: Date } = {}): Promise<number[]> {
  const folder = keyFolder();
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files = names.flatMap((name) => {
    const match = FILE_NAME.exec(name);
    return match ? [{ pollId: Number(match[1]), name }] : [];
  });
  if (files.length === 0) return [];
  const polls = await db
    .selectFrom("polls")
    .select(["id", "status", "counted_at"])
    .where(
      "id",
      "in",
      files.map((f) => f.pollId)
    )
    .execute();
  const byId = new Map(polls.map((p) => [p.id, p]));
  const removed: number[] = [];
  for (const { pollId, name } of files) {
    const poll = byId.get(pollId);
    const stale =
      !poll ||
      poll.counted_at !== null ||
      (poll.status === "draft" && now.getTime() - fs.statSync(path.join(folder, name)).mtimeMs > OPENING_GRACE_MS);
    if (stale) {
      removeServerKey(pollId);
      removed.push(pollId);
    }
  }
  return removed;
}
