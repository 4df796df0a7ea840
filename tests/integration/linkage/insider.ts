// What an insider with superuser rights on the PostgreSQL server can take after a poll: every table with its
// system columns, every timestamp, the raw heap pages (dead rows included, through pageinspect) and the records of
// the write-ahead log (through pg_walinspect). It connects on its own, like a DBA's psql session would; on the
// embedded database, it opens a copy of the data folder in a PGlite of its own that loads both extensions.
import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { pageinspect } from "@electric-sql/pglite/contrib/pageinspect";
import { pg_walinspect } from "@electric-sql/pglite/contrib/pg_walinspect";
import pg from "pg";

/** What the insider's queries need of a session: `pg.Client`, or a PGlite adapted to give Buffers for bytea. */
export interface Queryable {
  query<R = any>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface InsiderSession {
  client: Queryable;
  dbOid: number;
  close: () => Promise<void>;
}

/**
 * A session of the insider's own on the test database. It also holds a temporary physical replication slot, so
 * that no checkpoint recycles the write-ahead log the attack will read (the slot goes with the session).
 */
export async function openInsider(databaseName: string): Promise<InsiderSession> {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${databaseName}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query("create extension if not exists pageinspect");
  await client.query("create extension if not exists pg_walinspect");
  await client.query("select pg_create_physical_replication_slot($1, true, true)", [
    `linkage_${process.pid}_${randomBytes(4).toString("hex")}`,
  ]);
  const oid = await client.query<{ oid: string }>(
    "select oid::text from pg_database where datname = current_database()"
  );
  return { client, dbOid: Number(oid.rows[0].oid), close: () => client.end() };
}

/** PGlite gives bytea as Uint8Array; the insider's code, like `pg`, expects Buffers. */
function asBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  if (Array.isArray(value)) return value.map(asBuffers);
  return value;
}

/**
 * The insider on the embedded database: a copy of the data folder (files and write-ahead log, taken once the
 * server has stopped) opened in a PGlite of the insider's own, with pageinspect and pg_walinspect, which the
 * server's PGlite does not load. The copy is all a thief of the folder, or of a backup of it, has.
 */
export async function openInsiderOnFolder(folder: string): Promise<InsiderSession> {
  const pglite = await PGlite.create({ dataDir: folder, extensions: { pageinspect, pg_walinspect } });
  await pglite.exec("create extension if not exists pageinspect; create extension if not exists pg_walinspect;");
  const client: Queryable = {
    async query(text, params) {
      const result = await pglite.query<Record<string, unknown>>(text, params as unknown[] | undefined);
      return {
        rows: result.rows.map(
          (row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, asBuffers(v)])) as never
        ),
      };
    },
  };
  const oid = await client.query<{ oid: string }>(
    "select oid::text from pg_database where datname = current_database()"
  );
  return { client, dbOid: Number(oid.rows[0].oid), close: () => pglite.close() };
}

export function parseLsn(lsn: string): bigint {
  const [high, low] = lsn.split("/");
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

export async function currentLsn(s: InsiderSession): Promise<string> {
  const r = await s.client.query<{ lsn: string }>("select pg_current_wal_flush_lsn()::text as lsn");
  return r.rows[0].lsn;
}

function parseTid(tid: string): { blk: number; off: number } {
  const m = /^\((\d+),(\d+)\)$/.exec(tid);
  if (!m) throw new Error(`not a tuple id: ${tid}`);
  return { blk: Number(m[1]), off: Number(m[2]) };
}

/** Orders tuple ids as a sequential scan meets them. */
export const XMAX_LOCK_ONLY = 0x0080;
export const XMAX_IS_MULTI = 0x1000;

export function tidOrder(a: { blk: number; off: number }, b: { blk: number; off: number }) {
  return a.blk - b.blk || a.off - b.off;
}

export interface PageTuple {
  relation: string;
  blk: number;
  lp: number;
  /** 1 normal, 2 redirect, 3 dead, 0 unused. */
  lpFlags: number;
  xmin: number | null;
  xmax: number | null;
  /** t_infomask: says whether xmax only locked the row (0x0080) and whether it is a multixact (0x1000). */
  infomask: number;
  /** The tuple's t_ctid: itself, or the newer version of an updated row. */
  next: { blk: number; off: number } | null;
}

export interface WalRecord {
  lsn: bigint;
  xid: number;
  rmgr: string;
  type: string;
  description: string;
  relfilenode: number | null;
  blk: number | null;
  /** The line pointer a heap insert wrote, from the record's description. */
  off: number | null;
  /** Commit records carry the commit time. */
  committedAt: number | null;
}

export interface Snapshot {
  credentialUses: { codeHash: string; receipt: string; xmin: number; blk: number; off: number }[];
  credentials: { codeHash: string; groupId: number; batchId: number; seq: number; xmin: number; xmax: number }[];
  counted: { ballotNo: number; groupId: number | null; levels: number[]; xmin: number; blk: number; off: number }[];
  poll: { openedAt: number; closedAt: number; publicKey: Buffer | null };
  audit: { at: number; action: string; xmin: number }[];
  /** Every column of a time type, in every table. */
  timeColumns: { table: string; column: string }[];
  columnsOf: Record<string, string[]>;
  filenodes: Record<string, number | null>;
  pages: PageTuple[];
  /** Relations whose pages could not be read, and why (the partitioned parent has no storage). */
  pageErrors: Record<string, string>;
  wal: WalRecord[];
}

/** Reads every heap page of a relation through pageinspect. */
async function readPages(s: InsiderSession, relation: string): Promise<PageTuple[]> {
  const rows = await s.client.query<{
    blk: string;
    lp: number;
    lp_flags: number;
    t_xmin: string | null;
    t_xmax: string | null;
    t_ctid: string | null;
    t_infomask: number | null;
  }>(
    `select b::text as blk, h.lp, h.lp_flags, h.t_xmin::text, h.t_xmax::text, h.t_ctid::text, h.t_infomask
       from generate_series(0::bigint, pg_relation_size($1::regclass) / current_setting('block_size')::bigint - 1) b,
            heap_page_items(get_raw_page($1::text, b)) h
      order by b, h.lp`,
    [relation]
  );
  return rows.rows.map((r) => ({
    relation,
    blk: Number(r.blk),
    lp: r.lp,
    lpFlags: r.lp_flags,
    xmin: r.t_xmin === null ? null : Number(r.t_xmin),
    xmax: r.t_xmax === null ? null : Number(r.t_xmax),
    infomask: r.t_infomask ?? 0,
    next: r.t_ctid === null ? null : parseTid(r.t_ctid),
  }));
}

const BLOCK_REF = /rel \d+\/(\d+)\/(\d+) fork main blk (\d+)/;

async function readWal(s: InsiderSession, startLsn: string, endLsn: string): Promise<WalRecord[]> {
  const rows = await s.client.query<{
    start_lsn: string;
    xid: string;
    resource_manager: string;
    record_type: string;
    description: string | null;
    block_ref: string | null;
  }>(
    `select start_lsn::text, xid::text, resource_manager, record_type, description, block_ref
       from pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)`,
    [startLsn, endLsn]
  );
  const records: WalRecord[] = [];
  for (const r of rows.rows) {
    const ref = r.block_ref ? BLOCK_REF.exec(r.block_ref) : null;
    // The log is the whole server's: keep this database's records and the transactions' commits.
    if (ref && Number(ref[1]) !== s.dbOid) continue;
    if (!ref && r.resource_manager !== "Transaction") continue;
    const description = r.description ?? "";
    const isHeapInsert = r.resource_manager === "Heap" && r.record_type.startsWith("INSERT");
    // "off 3" up to PostgreSQL 15, "off: 3" from 16 (PGlite is 18).
    const off = isHeapInsert ? /off:? (\d+)/.exec(description) : null;
    const commit = r.resource_manager === "Transaction" && r.record_type === "COMMIT";
    const time = commit ? /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?[+-]\d\d(?::?\d\d)?)/.exec(description) : null;
    records.push({
      lsn: parseLsn(r.start_lsn),
      xid: Number(r.xid),
      rmgr: r.resource_manager,
      type: r.record_type,
      description,
      relfilenode: ref ? Number(ref[2]) : null,
      blk: ref ? Number(ref[3]) : null,
      off: off ? Number(off[1]) : null,
      committedAt: time ? Date.parse(time[1].replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00")) : null,
    });
  }
  return records;
}

const PAGE_RELATIONS = [
  "credential_uses",
  "credentials",
  "credential_batches",
  "counted_ballots",
  "ballot_box",
  "polls",
  "audit_log",
] as const;

/** Everything, after the close. `box` is the poll's partition of the ballot box. */
export async function takeEverything(
  s: InsiderSession,
  { pollId, box, walFrom }: { pollId: number; box: string; walFrom: string }
): Promise<Snapshot> {
  const q = s.client;
  const walTo = await currentLsn(s);
  const credentialUses = await q.query<{ code_hash: string; receipt: string; xmin: string; ctid: string }>(
    "select code_hash, receipt, xmin::text, ctid::text from credential_uses where poll_id = $1",
    [pollId]
  );
  const credentials = await q.query<{
    code_hash: string;
    group_id: number;
    batch_id: number;
    seq: number;
    xmin: string;
    xmax: string;
  }>(
    `select c.code_hash, b.group_id, c.batch_id, c.seq, c.xmin::text, c.xmax::text
       from credentials c join credential_batches b on b.id = c.batch_id where c.poll_id = $1`,
    [pollId]
  );
  const counted = await q.query<{
    ballot_no: number;
    group_id: number | null;
    levels: number[];
    xmin: string;
    ctid: string;
  }>("select ballot_no, group_id, levels, xmin::text, ctid::text from counted_ballots where poll_id = $1", [pollId]);
  const poll = await q.query<{ opened_at: Date; closed_at: Date; public_key: Buffer | null }>(
    "select opened_at, closed_at, public_key from polls where id = $1",
    [pollId]
  );
  const audit = await q.query<{ at: Date; action: string; xmin: string }>(
    "select at, action, xmin::text from audit_log order by id"
  );
  const timeColumns = await q.query<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns
      where table_schema = 'public' and (data_type like 'timestamp%' or data_type in ('date', 'time with time zone',
        'time without time zone', 'interval'))`
  );
  const columns = await q.query<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns where table_schema = 'public'
      order by table_name, ordinal_position`
  );
  const columnsOf: Record<string, string[]> = {};
  for (const c of columns.rows) (columnsOf[c.table_name] ??= []).push(c.column_name);

  const filenodes: Record<string, number | null> = {};
  const pages: PageTuple[] = [];
  const pageErrors: Record<string, string> = {};
  for (const relation of [...PAGE_RELATIONS, box]) {
    const node = await q.query<{ n: string | null }>("select pg_relation_filenode($1::regclass)::text as n", [
      relation,
    ]);
    filenodes[relation] = node.rows[0].n === null ? null : Number(node.rows[0].n);
    try {
      pages.push(...(await readPages(s, relation)));
      // A relation without a file (the partitioned parent) has no size either: ask for its first page anyway.
      if (filenodes[relation] === null) await q.query("select get_raw_page($1::text, 0)", [relation]);
    } catch (error) {
      pageErrors[relation] = (error as Error).message;
    }
  }

  return {
    credentialUses: credentialUses.rows.map((r) => ({
      codeHash: r.code_hash,
      receipt: r.receipt,
      xmin: Number(r.xmin),
      ...parseTid(r.ctid),
    })),
    credentials: credentials.rows.map((r) => ({
      codeHash: r.code_hash,
      groupId: r.group_id,
      batchId: r.batch_id,
      seq: r.seq,
      xmin: Number(r.xmin),
      xmax: Number(r.xmax),
    })),
    counted: counted.rows.map((r) => ({
      ballotNo: r.ballot_no,
      groupId: r.group_id,
      levels: r.levels.map(Number),
      xmin: Number(r.xmin),
      ...parseTid(r.ctid),
    })),
    poll: {
      openedAt: poll.rows[0].opened_at.getTime(),
      closedAt: poll.rows[0].closed_at.getTime(),
      publicKey: poll.rows[0].public_key,
    },
    audit: audit.rows.map((r) => ({ at: r.at.getTime(), action: r.action, xmin: Number(r.xmin) })),
    timeColumns: timeColumns.rows.map((r) => ({ table: r.table_name, column: r.column_name })),
    columnsOf,
    filenodes,
    pages,
    pageErrors,
    wal: await readWal(s, walFrom, walTo),
  };
}

/**
 * The raw bytes of the write-ahead log between two positions, as they lie in the pg_wal folder (page headers
 * included): what a copy of that folder, or a WAL archive, gives.
 */
export async function rawWal(s: InsiderSession, fromLsn: string, toLsn: string): Promise<Buffer> {
  const settings = await s.client.query<{ seg: string; tli: number }>(
    `select (select setting from pg_settings where name = 'wal_segment_size') as seg,
            (select timeline_id from pg_control_checkpoint()) as tli`
  );
  const segSize = BigInt(settings.rows[0].seg);
  const perId = 0x100000000n / segSize;
  const hex = (n: bigint | number) => n.toString(16).toUpperCase().padStart(8, "0");
  const chunks: Buffer[] = [];
  let at = parseLsn(fromLsn);
  const end = parseLsn(toLsn);
  while (at < end) {
    const segNo = at / segSize;
    const offset = at % segSize;
    const length = end - at < segSize - offset ? end - at : segSize - offset;
    const file = `pg_wal/${hex(settings.rows[0].tli)}${hex(segNo / perId)}${hex(segNo % perId)}`;
    const r = await s.client.query<{ data: Buffer }>("select pg_read_binary_file($1, $2, $3) as data", [
      file,
      offset.toString(),
      length.toString(),
    ]);
    chunks.push(r.rows[0].data);
    at += length;
  }
  return Buffer.concat(chunks);
}

export interface BoxCopy {
  filenode: number;
  path: string;
  rows: { xmin: number; blk: number; off: number; sealed: Buffer }[];
}

/** The poll's box partition as a DBA sees it while the poll is open: its file and its rows' transaction ids. */
export async function boxDuringPoll(s: InsiderSession, box: string): Promise<BoxCopy> {
  const node = await s.client.query<{ filenode: string; path: string }>(
    "select pg_relation_filenode($1::regclass)::text as filenode, pg_relation_filepath($1::regclass) as path",
    [box]
  );
  const rows = await s.client.query<{ xmin: string; ctid: string; sealed: Buffer }>(
    `select xmin::text, ctid::text, sealed from ${box}`
  );
  return {
    filenode: Number(node.rows[0].filenode),
    path: node.rows[0].path,
    rows: rows.rows.map((r) => ({ xmin: Number(r.xmin), ...parseTid(r.ctid), sealed: r.sealed })),
  };
}

/** The size of a data file, or null when it no longer exists. */
export async function fileSize(s: InsiderSession, path: string): Promise<number | null> {
  const r = await s.client.query<{ size: string | null }>("select (pg_stat_file($1, true)).size::text as size", [path]);
  return r.rows[0].size === null ? null : Number(r.rows[0].size);
}

/** Every stored value of one column in every version of a table's rows, dead versions included. */
export async function columnInAllVersions(s: InsiderSession, table: string, column: string): Promise<Buffer[]> {
  const rows = await s.client.query<{ value: Buffer | null }>(
    `select h.t_attrs[a.attnum] as value
       from generate_series(0::bigint, pg_relation_size($1::regclass) / current_setting('block_size')::bigint - 1) b,
            heap_page_item_attrs(get_raw_page($1::text, b), $1::regclass) h,
            pg_attribute a
      where a.attrelid = $1::regclass and a.attname = $2 and h.lp_flags = 1`,
    [table, column]
  );
  return rows.rows.filter((r) => r.value !== null).map((r) => stripVarlenaHeader(r.value!));
}

/** A bytea as stored: a 1-byte header for short values, 4 bytes otherwise. */
function stripVarlenaHeader(raw: Buffer): Buffer {
  return (raw[0] & 0x01) === 1 ? raw.subarray(1) : raw.subarray(4);
}
