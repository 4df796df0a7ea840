// What is left of a poll's private key after the count, for whoever also holds the server's secret. Until issue 11
// the key was stored wrapped with the secret in the poll's row, and a dead version of that row and the write-ahead
// log kept it after the count: with the secret, it opened every sealed ballot the log or a backup held, and linked
// them all (213 of 213, measured here then). The key now lives in a file outside the database, deleted by the count;
// this measures that nothing of it, and nothing the secret opens, is left in the database's files or its log.
import { serverSecret } from "../../../app/secret.server";
import { byteaValues, postgresFiles } from "../insider/evidence";
import { scanForWrappedSizes, searchAll, unwrapAll } from "../insider/keys";
import { currentLsn, rawWal, type BoxCopy, type InsiderSession } from "./insider";

export interface KeyResidue {
  /** The columns and tables that held the wrapped key and shares, if they still exist. */
  oldColumns: string[];
  /** Places, in the database's files and the raw WAL since before the opening, holding the key in any form. */
  keyFound: number;
  /** Values tried with the secret (every bytea of every version, and every value of the old wrapped sizes). */
  blobsTried: number;
  unwrapped: number;
  sealedInWal: number;
}

export async function keyResidue(
  s: InsiderSession,
  { walFrom, box, privateKey }: { walFrom: string; box: BoxCopy; privateKey: Buffer }
): Promise<KeyResidue> {
  const old = await s.client.query<{ name: string }>(
    `select table_name || '.' || column_name as name from information_schema.columns
      where table_schema = 'public' and (column_name = 'wrapped_private_key' or table_name = 'poll_key_shares')`
  );
  const files = await postgresFiles(s);
  const wal = await rawWal(s, walFrom, await currentLsn(s));
  const keyFound = searchAll(
    [{ name: "the poll's private key", bytes: privateKey }],
    [...files.map((f) => ({ name: f.name, bytes: f.bytes })), { name: "WAL", bytes: wal }]
  ).length;
  const context = {
    pollIds: (await s.client.query<{ id: number }>("select id from polls")).rows.map((r) => r.id),
    members: (
      await s.client.query<{ poll_id: number; id: number }>("select poll_id, id from poll_committee_members")
    ).rows.map((r) => ({ pollId: r.poll_id, memberId: r.id })),
    holders: [],
  };
  const blobs = [
    ...(await byteaValues(s)),
    ...scanForWrappedSizes("WAL", wal),
    ...files.flatMap((f) => scanForWrappedSizes(f.name, f.bytes)),
  ];
  const { opened } = unwrapAll(serverSecret(), context, blobs);
  return {
    oldColumns: old.rows.map((r) => r.name),
    keyFound,
    blobsTried: blobs.length,
    unwrapped: opened.length,
    sealedInWal: box.rows.filter((r) => wal.includes(r.sealed)).length,
  };
}
