// The ceiling: what this machine's PostgreSQL does with Phiếu's own casting transaction when nothing but pgbench
// stands in front of it, at the same concurrency as the casting test. The same statements as castBallot
// (app/ballots/cast.server.ts) sends for one ballot, in a database migrated by Phiếu's migrations, on a real open
// poll's partition; and a bare single-row INSERT beside it, for scale.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { encodeBallot } from "../../app/ballots/cast.server";
import { generatePollKeyPair, sealBallot } from "../../app/ballots/seal.server";
import { LOCKS } from "../../app/db-locks.server";
import { prepareWard } from "./casting";
import { createBenchDatabase, tempFolder } from "./server";

const PGBENCH = process.env.BENCH_PGBENCH ?? "/usr/bin/pgbench";

/**
 * One ballot, statement for statement as castBallot runs it: the read of the credential and its poll, then the
 * transaction of the poll's shared lock and the one statement that checks again and writes the receipt and the
 * ballot. The only change: the credential's hash is not a parameter but the next pre-inserted one, drawn inside the
 * first statement (so that there is no extra round trip); its receipt is derived from it. The sealed ballot is a
 * real one, sealed to the poll's key.
 */
const CASTING_SCRIPT = `SELECT c.code_hash AS code, c.poll_id AS poll_id, c.voided_at IS NOT NULL AS voided, b.voided_at IS NOT NULL AS batch_voided, b.group_id AS group_id, p.status, p.public_key, p.kind, p.scheduled_close_at, u.receipt, (SELECT count(*) FROM poll_subjects AS s WHERE s.poll_id = c.poll_id) AS subjects FROM credentials AS c INNER JOIN credential_batches AS b ON b.id = c.batch_id INNER JOIN polls AS p ON p.id = c.poll_id LEFT JOIN credential_uses AS u ON u.code_hash = c.code_hash WHERE c.code_hash = (SELECT encode(sha256(('c' || nextval('bench_credential_seq'))::bytea), 'hex')) \\gset
BEGIN;
SELECT pg_advisory_xact_lock_shared(${LOCKS.poll}, :poll_id);
WITH target AS (SELECT c.code_hash, c.poll_id FROM credentials c JOIN credential_batches b ON b.id = c.batch_id JOIN polls p ON p.id = c.poll_id WHERE c.code_hash = :code AND c.poll_id = :poll_id AND b.group_id = :group_id AND c.voided_at IS NULL AND b.voided_at IS NULL AND p.status = 'open' AND p.public_key = :public_key AND (p.scheduled_close_at IS NULL OR p.scheduled_close_at > now())), used AS (INSERT INTO credential_uses (code_hash, poll_id, receipt) SELECT code_hash, poll_id, upper(substr(code_hash, 1, 14)) FROM target ON CONFLICT (code_hash) DO NOTHING RETURNING poll_id) INSERT INTO ballot_box (poll_id, sealed) SELECT poll_id, decode(:sealed, 'hex') FROM used RETURNING poll_id;
END;
`;

const INSERT_SCRIPT = `INSERT INTO bench_insert (sealed) VALUES (decode(:sealed, 'hex'));
`;

export interface PgbenchResult {
  script: "casting" | "insert";
  clients: number;
  tps: number;
  latencyMs: number;
  transactions: number;
  failed: number;
  /** pgbench's own CPU (user + system) per wall second: what the load generator took from the machine. */
  loadCores: number;
}

export interface CeilingResult {
  casting: PgbenchResult[];
  insert: PgbenchResult[];
  credentialsUsed: number;
  ballotsInBox: number;
}

export async function measureCeiling({
  clients,
  seconds,
  credentials,
}: {
  clients: number[];
  seconds: number;
  credentials: number;
}): Promise<CeilingResult> {
  const database = await createBenchDatabase("ceiling");
  const folder = tempFolder("ceiling");
  try {
    const ward = await prepareWard({
      databaseUrl: database.url,
      dataDir: folder.path,
      castingCredentials: 1,
      resultsBallots: 0,
    });
    const pollId = ward.castingPollId;
    const sealed = sealBallot(
      encodeBallot({ g: ward.groupIds[0], l: Array.from({ length: ward.subjects }, (_, i) => (i % 3) + 1) }),
      generatePollKeyPair().publicKey
    ).toString("hex");

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      // Fresh credentials in the poll's one batch, their hashes as long and as scattered as real ones.
      await client.query("create sequence bench_credential_seq");
      await client.query(
        `insert into credentials (code_hash, batch_id, poll_id, seq)
         select encode(sha256(('c' || n)::bytea), 'hex'), b.id, b.poll_id, n + 1
         from credential_batches b, generate_series(1, $2::int) n where b.poll_id = $1`,
        [pollId, credentials]
      );
      await client.query("create table bench_insert (id bigserial primary key, sealed bytea not null)");
      await client.query("vacuum analyze");
    } finally {
      await client.end();
    }

    fs.writeFileSync(path.join(folder.path, "casting.sql"), CASTING_SCRIPT);
    fs.writeFileSync(path.join(folder.path, "insert.sql"), INSERT_SCRIPT);
    const run = (script: "casting" | "insert", c: number) =>
      pgbench({
        url: database.url,
        file: path.join(folder.path, `${script}.sql`),
        script,
        clients: c,
        seconds,
        sealed,
      });
    const casting: PgbenchResult[] = [];
    for (const c of clients) casting.push(await run("casting", c));
    const insert: PgbenchResult[] = [];
    for (const c of clients) insert.push(await run("insert", c));

    const check = new pg.Client({ connectionString: database.url });
    await check.connect();
    try {
      const { rows } = await check.query<{ used: string; boxed: string }>(
        `select (select count(*) from credential_uses where poll_id = $1) as used,
                (select count(*) from ballot_box where poll_id = $1) as boxed`,
        [pollId]
      );
      return { casting, insert, credentialsUsed: Number(rows[0].used), ballotsInBox: Number(rows[0].boxed) };
    } finally {
      await check.end();
    }
  } finally {
    await database.drop();
    await folder.remove();
  }
}

/** Runs pgbench inside bash so that `times` reports pgbench's own CPU afterwards. */
async function pgbench({
  url,
  file,
  script,
  clients,
  seconds,
  sealed,
}: {
  url: string;
  file: string;
  script: "casting" | "insert";
  clients: number;
  seconds: number;
  sealed: string;
}): Promise<PgbenchResult> {
  const target = new URL(url);
  const args = [
    "-h",
    target.hostname,
    "-p",
    target.port || "5432",
    "-U",
    decodeURIComponent(target.username || "postgres"),
    "-n",
    "-M",
    "prepared",
    "-c",
    String(clients),
    "-j",
    String(Math.min(2, clients)),
    "-T",
    String(seconds),
    "-D",
    `sealed=${sealed}`,
    "-f",
    file,
    target.pathname.slice(1),
  ];
  const quoted = [PGBENCH, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn("bash", ["-c", `${quoted}; status=$?; times; exit $status`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`pgbench failed (${code}):\n${text}`))));
  });
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? NaN);
  // `times` prints the shell's own user and system time, then its children's: the second line is pgbench's.
  const times = [...output.matchAll(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/g)];
  const children = times[times.length - 1];
  const cpu = children
    ? Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4])
    : NaN;
  return {
    script,
    clients,
    tps: number(/tps = ([\d.]+) \(without initial connection time\)/),
    latencyMs: number(/latency average = ([\d.]+) ms/),
    transactions: number(/number of transactions actually processed: (\d+)/),
    failed: number(/number of failed transactions: (\d+)/) || 0,
    loadCores: cpu / seconds,
  };
}
