// One run of the insider scenario, from an empty database to everything the insider takes: the server started on a
// data folder (embedded) or a PostgreSQL database of its own; the ward set up; the committee members enrol and the
// officer opens the polls through the pages; residents cast through the ballot pages; just before the close, the
// insider copies each box and the operator (the test) reads the server-held keys and, having acted as every member,
// rebuilds the committee's key; then the officer closes, the members count, the test closes the control poll with
// mixing off; the server is stopped and the insider takes the files, the log and the write-ahead log.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { combine } from "shamir-secret-sharing";
import { openDatabase, type OpenedDatabase } from "../../../app/db.server";
import { openSealed, publicKeyOf } from "../../../app/ballots/seal.server";
import { closePoll } from "../../../app/polls/lifecycle.server";
import { decodeKeyCode, shareInfo } from "../../../app/polls/key-holders.server";
import { boxPartition } from "../../../app/polls/poll-lock.server";
import { useKeyFolder } from "../../../app/secret.server";
import { createPostgresDatabase } from "../../setup/database";
import {
  boxDuringPoll,
  currentLsn,
  openInsider,
  openInsiderOnFolder,
  type BoxCopy,
  type InsiderSession,
} from "../linkage/insider";
import type { RecordedCast } from "../linkage/poll";
import {
  filesUnder,
  postgresFiles,
  postgresWal,
  walBlocks,
  walFromFolder,
  walSegmentSize,
  withoutPageHeaders,
} from "./evidence";
import type { Haystack } from "./keys";
import { castEverything, onDatabase, queryableOf, setUpMeeting, type Meeting, type PollRole } from "./meeting";
import { enrolThroughPage, logIn, pollAction, startPhieu, type PhieuServer } from "./server";

export interface KnownKeys {
  /** Each poll's private key: read from the key file (server, control) or rebuilt from the members' shares. */
  poll: Record<PollRole, Buffer>;
  publicKey: Record<PollRole, Buffer>;
  /** The committee poll's shares (33 bytes: the value, then its x coordinate), as each member's key opens them. */
  shares: { userId: number; share: Buffer; sealed: Buffer; publicKey: Buffer }[];
  /** The members' own private keys, from the codes the share page showed them. */
  members: { userId: number; code: string; key: Buffer }[];
}

export interface Run {
  mode: "embedded" | "postgres";
  meeting: Meeting;
  secret: string;
  keyDir: string;
  /** Embedded: the server's data folder; PostgreSQL: none of Phiếu's. */
  dataDir: string | null;
  /** Paths under the data and key folders that someone other than their owner may read, after the stop. */
  openToOthers: string[];
  /** Key files left in the key folder after the count, by poll. */
  keyFilesAfter: Record<PollRole, boolean>;
  known: KnownKeys;
  boxes: Record<PollRole, BoxCopy>;
  logs: Map<number, RecordedCast[]>;
  serverLog: string;
  serverExit: { code: number | null; signal: NodeJS.Signals | null };
  counted: { committee: string | null; server: string | null; control: number | null };
  /** Before the members enrol, and before the first cast. */
  walStart: string;
  walFrom: string;
  /** Every file of the database, the raw log and the log without its page headers, and each record's blocks. */
  files: Haystack[];
  walRaw: Buffer;
  walStream: Buffer;
  blocks: Haystack[] | null;
  insider: InsiderSession;
  timings: Record<string, number>;
  cleanUp: () => Promise<void>;
}

/** Every path under `top` (itself included, links not followed) whose mode lets its group or others in. */
function pathsOpenToOthers(top: string): string[] {
  const open: string[] = [];
  const walk = (at: string) => {
    const stat = fs.lstatSync(at);
    if ((stat.mode & 0o077) !== 0) open.push(`${at} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of fs.readdirSync(at)) walk(path.join(at, name));
  };
  if (fs.existsSync(top)) walk(top);
  return open;
}

/** The key file of a server-keyed poll, as the operator reads it: magic, poll id, public key, private key. */
function readKeyFile(keyDir: string, pollId: number) {
  const bytes = fs.readFileSync(path.join(keyDir, `poll-${pollId}.key`));
  return { publicKey: Buffer.from(bytes.subarray(12, 44)), privateKey: Buffer.from(bytes.subarray(44, 76)) };
}

export async function insiderRun(): Promise<Run> {
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - mark);
    mark = now;
  };
  const mode = process.env.DATABASE_URL ? "postgres" : "embedded";
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "phieu-insider-"));
  const dataDir = path.join(folder, "data");
  const finalizers: (() => Promise<void>)[] = [async () => fs.rmSync(folder, { recursive: true, force: true })];
  let server: PhieuServer | null = null;
  let opened: OpenedDatabase | null = null;
  let insider: InsiderSession | null = null;
  const cleanUp = async () => {
    await opened?.close().catch(() => {});
    if (server) await server.stop();
    await insider?.close().catch(() => {});
    for (const f of finalizers.splice(0).reverse()) await f();
  };
  try {
    let keyDir: string;
    let env: Record<string, string>;
    let database: Awaited<ReturnType<typeof createPostgresDatabase>> | null = null;
    if (mode === "postgres") {
      database = await createPostgresDatabase("phieu_insider");
      finalizers.push(database.drop);
      keyDir = path.join(folder, "keys");
      env = {
        DATABASE_URL: database.url,
        PHIEU_DATA_DIR: dataDir,
        PHIEU_KEY_DIR: keyDir,
        PHIEU_SECRET: randomBytes(32).toString("base64url"),
        PHIEU_WORKERS: "2",
      };
    } else {
      // No key folder and no secret given: the server makes its secret in <data folder>-keys, beside the data.
      keyDir = `${dataDir}-keys`;
      env = { PHIEU_DATA_DIR: dataDir };
    }
    server = await startPhieu(env);
    lap("server start");
    opened =
      mode === "postgres"
        ? await openDatabase({ databaseUrl: database!.url })
        : await openDatabase({ dataDir, allowViaServer: true });
    const q = queryableOf(opened);
    const lsn = async () => (await q.query<{ lsn: string }>("select pg_current_wal_lsn()::text as lsn")).rows[0].lsn;
    if (mode === "postgres") {
      // The DBA's own session, from the start: its replication slot keeps every segment of the log from now on.
      insider = await openInsider(database!.name);
    }
    const walStart = await lsn();
    const meeting = await setUpMeeting(opened);
    lap("ward set up");

    const officer = await logIn(server.url, meeting.officer.username, meeting.password);
    const memberCookies = [];
    for (const m of meeting.members) memberCookies.push(await logIn(server.url, m.username, meeting.password));
    const { committee, server: serverPoll, control } = meeting.polls;
    const codes: string[] = [];
    for (const cookie of memberCookies) codes.push(await enrolThroughPage(server.url, cookie, committee.pollId));
    for (const poll of [committee, serverPoll, control]) {
      await pollAction(server.url, officer, `/polls/${poll.pollId}`, [["intent", "open"]], "opened");
    }
    lap("enrolment and opening");

    const walFrom = await lsn();
    const logs = await castEverything(server.url, [committee, serverPoll, control]);
    lap("casting");

    // Just before the close. The insider copies each box; the operator reads the server-held keys; the test, which
    // acted as every member, opens each member's share and rebuilds the committee's key.
    const boxSession = { client: q, dbOid: 0, close: async () => {} };
    const boxes = {
      committee: await boxDuringPoll(boxSession, boxPartition(committee.pollId)),
      server: await boxDuringPoll(boxSession, boxPartition(serverPoll.pollId)),
      control: await boxDuringPoll(boxSession, boxPartition(control.pollId)),
    };
    const publicKeys = await q.query<{ id: number; public_key: Buffer }>(
      "select id, public_key from polls where id = any($1::int[])",
      [[committee.pollId, serverPoll.pollId, control.pollId]]
    );
    const publicKeyOfPoll = (id: number) => publicKeys.rows.find((r) => r.id === id)!.public_key;
    const holders = await q.query<{ user_id: number; public_key: Buffer; sealed_share: Buffer }>(
      "select user_id, public_key, sealed_share from poll_key_holders where poll_id = $1",
      [committee.pollId]
    );
    const members = meeting.members.map((m, i) => ({ userId: m.id, code: codes[i], key: decodeKeyCode(codes[i])! }));
    const shares = holders.rows.map((h) => {
      const member = members.find((m) => m.userId === h.user_id)!;
      const share = openSealed(
        h.sealed_share,
        { publicKey: h.public_key, privateKey: member.key },
        shareInfo(committee.pollId, h.user_id)
      );
      return { userId: h.user_id, share, sealed: h.sealed_share, publicKey: h.public_key };
    });
    const committeeKey = Buffer.from(await combine(shares.map((s) => new Uint8Array(s.share))));
    if (!publicKeyOf(committeeKey)?.equals(publicKeyOfPoll(committee.pollId))) {
      throw new Error("the members' shares do not rebuild the committee poll's key");
    }
    const serverKey = readKeyFile(keyDir, serverPoll.pollId);
    const controlKey = readKeyFile(keyDir, control.pollId);
    const known: KnownKeys = {
      poll: { committee: committeeKey, server: serverKey.privateKey, control: controlKey.privateKey },
      publicKey: {
        committee: publicKeyOfPoll(committee.pollId),
        server: publicKeyOfPoll(serverPoll.pollId),
        control: publicKeyOfPoll(control.pollId),
      },
      shares,
      members,
    };
    const secret =
      mode === "postgres" ? env.PHIEU_SECRET : fs.readFileSync(path.join(keyDir, "server-secret"), "utf8").trim();
    lap("copies before the close");

    // The close and the count, as the officer and the members make them; the control poll by the test itself.
    await pollAction(
      server.url,
      officer,
      `/polls/${committee.pollId}`,
      [
        ["intent", "close"],
        ["confirm", "yes"],
      ],
      "closedAwaitingShares"
    );
    const committeeCounted = await pollAction(
      server.url,
      memberCookies[0],
      `/polls/${committee.pollId}/count`,
      [
        ["shares", codes[0]],
        ["shares", codes[2]],
      ],
      "counted"
    );
    const serverCounted = await pollAction(
      server.url,
      officer,
      `/polls/${serverPoll.pollId}`,
      [
        ["intent", "close"],
        ["confirm", "yes"],
      ],
      "closed"
    );
    useKeyFolder(keyDir);
    let controlCounted: number | null;
    try {
      ({ ballotsCounted: controlCounted } = await onDatabase(opened, () =>
        closePoll({
          actor: { userId: meeting.officer.id, label: meeting.officer.username },
          pollId: control.pollId,
          mixing: "off-for-tests",
        })
      ));
    } finally {
      useKeyFolder(null);
    }
    const keyFilesAfter = {
      committee: fs.existsSync(path.join(keyDir, `poll-${committee.pollId}.key`)),
      server: fs.existsSync(path.join(keyDir, `poll-${serverPoll.pollId}.key`)),
      control: fs.existsSync(path.join(keyDir, `poll-${control.pollId}.key`)),
    };
    lap("close and count");

    await opened.close();
    opened = null;
    const serverExit = await server.stop();
    const openToOthers = [mode === "embedded" ? dataDir : null, keyDir].flatMap((top) =>
      top === null ? [] : pathsOpenToOthers(top)
    );
    const serverLog = server.log();
    server = null;
    lap("server stop");

    let files: Haystack[];
    let walRaw: Buffer;
    let walStream: Buffer;
    let blocks: Haystack[] | null;
    if (mode === "postgres") {
      files = await postgresFiles(insider!);
      const wal = await postgresWal(insider!, walStart);
      const segSize = await walSegmentSize(insider!.client);
      walRaw = wal.raw;
      walStream = withoutPageHeaders(wal.raw, wal.from, segSize);
      blocks = await walBlocks(insider!, walStart, wal.to);
    } else {
      // The thief's copy of the folder, as the stopped server left it; opened by the insider's own PGlite.
      files = filesUnder(dataDir);
      const copy = path.join(folder, "copy");
      fs.cpSync(dataDir, copy, { recursive: true, filter: (source) => !path.basename(source).startsWith(".s.PGSQL") });
      insider = await openInsiderOnFolder(copy);
      const segSize = await walSegmentSize(insider.client);
      const wal = walFromFolder(dataDir, walStart, segSize);
      walRaw = wal.raw;
      walStream = withoutPageHeaders(wal.raw, wal.from, segSize);
      blocks = await walBlocks(insider, walStart, await currentLsn(insider));
    }
    lap("evidence taken");

    return {
      mode,
      meeting,
      secret,
      keyDir,
      dataDir: mode === "embedded" ? dataDir : null,
      openToOthers,
      keyFilesAfter,
      known,
      boxes,
      logs,
      serverLog,
      serverExit,
      counted: { committee: committeeCounted, server: serverCounted, control: controlCounted },
      walStart,
      walFrom,
      files,
      walRaw,
      walStream,
      blocks,
      insider: insider!,
      timings,
      cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
