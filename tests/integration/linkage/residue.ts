// What is left of a poll's private key after the count, for whoever also holds the server's secret: the wrapped key
// in a dead version of the poll's row and in the write-ahead log, and the sealed ballots in the write-ahead log.
// Measured and reported: the threat model does not claim to defend against the holder of the server's secret.
import { ballotOpener, unwrapPrivateKey } from "../../../app/ballots/seal.server";
import { decodeBallot } from "../../../app/ballots/cast.server";
import { serverSecret } from "../../../app/secret.server";
import { columnInAllVersions, currentLsn, rawWal, type BoxCopy, type InsiderSession } from "./insider";
import type { RecordedCast } from "./poll";

export interface KeyResidue {
  keyInDeadRow: boolean;
  keyInWal: boolean;
  sealedInWal: number;
  /** Ballots whose credential the secret, the dead row's key and a copy of the box taken during the poll give. */
  linkedWithSecret: number;
}

export async function keyResidue(
  s: InsiderSession,
  {
    pollId,
    walFrom,
    box,
    wrappedKey,
    publicKey,
    castingXid,
    log,
  }: {
    pollId: number;
    walFrom: string;
    box: BoxCopy;
    wrappedKey: Buffer;
    publicKey: Buffer;
    castingXid: Map<number, string>;
    log: RecordedCast[];
  }
): Promise<KeyResidue> {
  let key: Buffer | null = null;
  for (const version of await columnInAllVersions(s, "polls", "wrapped_private_key")) {
    try {
      key = unwrapPrivateKey(version, { secret: serverSecret(), pollId });
      break;
    } catch {
      // Another poll's key.
    }
  }
  const wal = await rawWal(s, walFrom, await currentLsn(s));
  let linkedWithSecret = 0;
  if (key) {
    const open = ballotOpener({ publicKey, privateKey: key });
    const answers = new Map(log.map((l) => [l.codeHash, l.levels.join(",")]));
    for (const row of box.rows) {
      if (decodeBallot(open(row.sealed)).l.join(",") === answers.get(castingXid.get(row.xmin)!)) linkedWithSecret++;
    }
  }
  return {
    keyInDeadRow: key !== null,
    keyInWal: wal.includes(wrappedKey),
    sealedInWal: box.rows.filter((r) => wal.includes(r.sealed)).length,
    linkedWithSecret,
  };
}
