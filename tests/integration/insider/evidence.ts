// What the insider takes once the count is done and the server stopped: every file of the database (embedded: the
// whole data folder; PostgreSQL: this database's relation files and the cluster's global ones, read after a
// checkpoint so that nothing is left only in shared memory), the write-ahead log since before the keys were made
// (raw, as the pg_wal folder or an archive holds it, and with its page headers taken out so that no value is cut in
// two), every record's block data where pg_walinspect gives it (PostgreSQL 16 and later, PGlite included), and
// every value of every table, dead versions included. Never the key folder.
import fs from "node:fs";
import path from "node:path";
import {
  columnInAllVersions,
  currentLsn,
  parseLsn,
  rawWal,
  type InsiderSession,
  type Queryable,
} from "../linkage/insider";
import type { Blob, Haystack } from "./keys";

const WAL_PAGE = 8192;
/** xlp_info's flag for the long header that begins each segment. */
const XLP_LONG_HEADER = 0x0002;
/** MAXALIGN'd sizes of XLogPageHeaderData and XLogLongPageHeaderData (8-byte alignment, wasm32 included). */
const SHORT_HEADER = 24;
const LONG_HEADER = 40;

/** Every regular file under a folder (sockets and links left out), named by its path inside the folder. */
export function filesUnder(folder: string): Haystack[] {
  const out: Haystack[] = [];
  const visit = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const full = path.join(dir, name);
      const stats = fs.lstatSync(full);
      if (stats.isDirectory()) visit(full);
      else if (stats.isFile()) out.push({ name: path.relative(folder, full), bytes: fs.readFileSync(full) });
    }
  };
  visit(folder);
  return out;
}

function walFileName(timeline: number, segNo: bigint, segSize: bigint) {
  const perId = 0x100000000n / segSize;
  const hex = (n: bigint | number) => n.toString(16).toUpperCase().padStart(8, "0");
  return `${hex(timeline)}${hex(segNo / perId)}${hex(segNo % perId)}`;
}

/**
 * The write-ahead log of a data folder from `fromLsn` to the end of the last segment file there: what a copy of the
 * pg_wal folder holds. (A segment recycled at a checkpoint is renamed ahead; its old bytes are still in the folder's
 * files, which the search reads whole.)
 */
export function walFromFolder(dataDir: string, fromLsn: string, segSize: bigint): { raw: Buffer; from: bigint } {
  const walDir = path.join(dataDir, "pg_wal");
  const names = fs.readdirSync(walDir).filter((n) => /^[0-9A-F]{24}$/.test(n));
  const timeline = Math.max(...names.map((n) => parseInt(n.slice(0, 8), 16)));
  const from = parseLsn(fromLsn);
  const chunks: Buffer[] = [];
  for (let segNo = from / segSize; ; segNo++) {
    const file = path.join(walDir, walFileName(timeline, segNo, segSize));
    if (!fs.existsSync(file)) break;
    const bytes = fs.readFileSync(file);
    chunks.push(segNo === from / segSize ? bytes.subarray(Number(from % segSize)) : bytes);
  }
  return { raw: Buffer.concat(chunks), from };
}

/**
 * The log's bytes without its page headers: a record that crosses a page continues right after the next header,
 * so a value cut by a header in the raw bytes is whole here.
 */
export function withoutPageHeaders(raw: Buffer, from: bigint, segSize: bigint): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  const firstPage = Number((WAL_PAGE - Number(from % BigInt(WAL_PAGE))) % WAL_PAGE);
  if (firstPage > 0) parts.push(raw.subarray(0, Math.min(firstPage, raw.length)));
  at = firstPage;
  while (at < raw.length) {
    const lsn = from + BigInt(at);
    const info = at + 4 <= raw.length ? raw.readUInt16LE(at + 2) : 0;
    const header = lsn % segSize === 0n || info & XLP_LONG_HEADER ? LONG_HEADER : SHORT_HEADER;
    parts.push(raw.subarray(Math.min(at + header, raw.length), Math.min(at + WAL_PAGE, raw.length)));
    at += WAL_PAGE;
  }
  return Buffer.concat(parts);
}

export async function walSegmentSize(q: Queryable): Promise<bigint> {
  const r = await q.query<{ setting: string }>("select setting from pg_settings where name = 'wal_segment_size'");
  return BigInt(r.rows[0].setting);
}

/**
 * Each WAL record's block data and full-page images in this database, from pg_get_wal_block_info (PostgreSQL 16 and
 * later); none before (PostgreSQL 15's pg_walinspect has no block data: the raw log stands in for it).
 */
export async function walBlocks(s: InsiderSession, fromLsn: string, toLsn: string): Promise<Haystack[] | null> {
  try {
    const rows = await s.client.query<{ lsn: string; block_data: Buffer | null; block_fpi_data: Buffer | null }>(
      `select start_lsn::text as lsn, block_data, block_fpi_data
         from pg_get_wal_block_info($1::pg_lsn, $2::pg_lsn) where reldatabase = $3`,
      [fromLsn, toLsn, s.dbOid]
    );
    const out: Haystack[] = [];
    for (const r of rows.rows) {
      if (r.block_data?.length) out.push({ name: `wal block data @${r.lsn}`, bytes: r.block_data });
      if (r.block_fpi_data?.length) out.push({ name: `wal full-page image @${r.lsn}`, bytes: r.block_fpi_data });
    }
    return out;
  } catch (error) {
    if (/pg_get_wal_block_info/.test((error as Error).message)) return null;
    throw error;
  }
}

/** On PostgreSQL: this database's files and the global ones, as bytes, read by the superuser after a checkpoint. */
export async function postgresFiles(s: InsiderSession): Promise<Haystack[]> {
  await s.client.query("checkpoint");
  const out: Haystack[] = [];
  for (const dir of [`base/${s.dbOid}`, "global"]) {
    const names = await s.client.query<{ name: string }>("select pg_ls_dir($1) as name", [dir]);
    for (const { name } of names.rows) {
      const file = `${dir}/${name}`;
      try {
        // (PostgreSQL 15 has no missing_ok form without an offset and a length.)
        const r = await s.client.query<{ data: Buffer }>("select pg_read_binary_file($1) as data", [file]);
        out.push({ name: file, bytes: r.rows[0].data });
      } catch (error) {
        // A temporary file gone since the listing, or a folder: nothing to read.
        if (!/could not (open|stat|read) file|is a directory/i.test((error as Error).message)) throw error;
      }
    }
  }
  return out;
}

/** On PostgreSQL: the log's raw bytes from `fromLsn` to now, read from pg_wal by the superuser. */
export async function postgresWal(s: InsiderSession, fromLsn: string) {
  const to = await currentLsn(s);
  return { raw: await rawWal(s, fromLsn, to), from: parseLsn(fromLsn), to };
}

/** Every bytea value of every table of the schema: live rows, and every version of every row in the pages. */
export async function byteaValues(s: InsiderSession): Promise<Blob[]> {
  const columns = await s.client.query<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns
      where table_schema = 'public' and data_type = 'bytea' order by table_name, column_name`
  );
  const out: Blob[] = [];
  for (const { table_name: table, column_name: column } of columns.rows) {
    const live = await s.client.query<{ v: Buffer | null }>(`select "${column}" as v from "${table}"`);
    for (const [i, r] of live.rows.entries()) if (r.v) out.push({ where: `${table}.${column} row ${i}`, bytes: r.v });
    try {
      for (const [i, v] of (await columnInAllVersions(s, table, column)).entries()) {
        out.push({ where: `${table}.${column} tuple version ${i} in the pages`, bytes: v });
      }
    } catch (error) {
      // The partitioned parent has no pages of its own; its partitions are listed on their own.
      if (!/cannot get raw page|has no storage|could not open file/i.test((error as Error).message)) throw error;
    }
  }
  return out;
}

/** Every value of every text, varchar and json column of the schema, as text. */
export async function textValues(s: InsiderSession): Promise<{ where: string; text: string }[]> {
  const columns = await s.client.query<{ table_name: string; column_name: string }>(
    `select c.table_name, c.column_name from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
        and c.data_type in ('text', 'character varying', 'json', 'jsonb')
      order by 1, 2`
  );
  const out: { where: string; text: string }[] = [];
  for (const { table_name: table, column_name: column } of columns.rows) {
    const rows = await s.client.query<{ v: string | null }>(`select "${column}"::text as v from "${table}"`);
    for (const r of rows.rows) if (r.v) out.push({ where: `${table}.${column}`, text: r.v });
  }
  return out;
}
