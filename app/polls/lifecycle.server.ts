// The poll's lifecycle: draft → open → closed (counted at once with the server's key file, or once k committee members
// enter their keys) → published. Every transition is audited; a transition asked of a poll in the wrong state is
// refused with a reason the page can show.
import diagnostics from "node:diagnostics_channel";
import { sql, type Transaction } from "kysely";
import { db } from "~/db.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { createOpenPool, type OpenedChunk } from "~/ballots/open-pool.server";
import { pooledGroups } from "~/ballots/pooling";
import { shuffle } from "~/ballots/shuffle";
import { generatePollKeyPair } from "~/ballots/seal.server";
import type { Database, PollStatus } from "../../db/schema";
import { sealSharesToHolders } from "./key-holders.server";
import { boxPartition, lockPollExclusive } from "./poll-lock.server";
import { readServerKey, removeServerKey, writeServerKey } from "./server-key.server";
import { MIN_K } from "~/results/suppression";
import { DEFAULT_RULES, type PollRules } from "~/results/tally";

export class PollStateError extends Error {
  constructor(
    public reason:
      | "notFound"
      | "wrongState"
      | "noSubjects"
      | "noGroups"
      | "committeeIncomplete"
      | "committeeNotEnrolled"
      | "serverKeyMissing",
    public status?: PollStatus,
    /** committeeNotEnrolled: the members who have not made their key yet. */
    public names: string[] = []
  ) {
    super(reason);
  }
}

export function pollRules(raw: unknown): PollRules {
  return { ...DEFAULT_RULES, ...(raw as Partial<PollRules>) };
}

export async function openPoll({ actor, pollId }: { actor: AuditActor; pollId: number }) {
  const keys = generatePollKeyPair();
  let keyFileWritten = false;
  try {
    await db.transaction().execute(async (tx) => {
      await lockPollExclusive(tx, pollId);
      const poll = await tx
        .selectFrom("polls")
        .select(["status", "unit_id", "key_mode", "shares_required"])
        .where("id", "=", pollId)
        .forUpdate()
        .executeTakeFirst();
      if (!poll) throw new PollStateError("notFound");
      if (poll.status !== "draft") throw new PollStateError("wrongState", poll.status);
      const counts = await tx
        .selectFrom("polls")
        .select((eb) => [
          eb
            .selectFrom("poll_subjects")
            .select(eb.fn.countAll<string>().as("n"))
            .where("poll_id", "=", pollId)
            .as("subjects"),
          eb
            .selectFrom("poll_groups")
            .select(eb.fn.countAll<string>().as("n"))
            .where("poll_id", "=", pollId)
            .as("groups"),
        ])
        .where("id", "=", pollId)
        .executeTakeFirstOrThrow();
      if (Number(counts.subjects) === 0) throw new PollStateError("noSubjects");
      if (Number(counts.groups) === 0) throw new PollStateError("noGroups");
      await sql`create table if not exists ${sql.id(
        boxPartition(pollId)
      )} partition of ballot_box for values in (${sql.lit(pollId)})`.execute(tx);
      if (poll.key_mode === "committee") {
        // The private key leaves this process only as shares sealed to the members' enrolled keys.
        const sealed = await sealSharesToHolders(tx, { pollId, k: poll.shares_required, privateKey: keys.privateKey });
        if (sealed.refused) throw new PollStateError(sealed.refused, poll.status, sealed.names);
      } else {
        // The key file is on disk before the poll is open: an open poll always has a key that can count it.
        writeServerKey(pollId, keys);
        keyFileWritten = true;
      }
      await tx
        .updateTable("polls")
        .set({ status: "open", opened_at: new Date(), public_key: keys.publicKey })
        .where("id", "=", pollId)
        .execute();
      await appendAudit(tx, { actor, unitId: poll.unit_id, action: "poll.open", details: { pollId } });
    });
  } catch (error) {
    // The opening did not commit: its key file must not outlive it (unless another opening has replaced it since).
    if (keyFileWritten) removeServerKey(pollId, { onlyIf: keys.publicKey });
    throw error;
  } finally {
    keys.privateKey.fill(0);
  }
}


/** The box is read in chunks of at most this many pages (8 kB each, some 60 sealed ballots a page). */
const READ_BLOCKS = 64;
/** Chunks per opening thread at the least: a box of a few thousand ballots still keeps every thread busy. */
const CHUNKS_PER_THREAD = 8;
/** Counted ballots written per INSERT. */
const INSERT_ROWS = 50_000;
/** Below this many ballots the box is opened in the calling thread: sooner than workers would start. */
const POOL_FROM = 1_000;
/** Chunks read ahead of the openers: enough to keep every worker busy, few enough to bound the memory. */
const READ_AHEAD_PER_THREAD = 4;

/** Where a count's time went, for whoever subscribes (the benchmark): { phase, ms, ballots, threads }. */
const countPhases = diagnostics.channel("phieu.count");

/**
 * Opens the poll's box and counts it, inside the caller's transaction and under its exclusive poll lock: every
 * ballot is opened, shuffled into counted_ballots, the box emptied with TRUNCATE (a new file: no dead rows left in
 * its pages). The caller stores counted_at and destroys the key, and holds the poll's row locked (FOR UPDATE):
 * counted_ballots has no foreign keys (docs/decisions/011-counting-on-every-core.md), so that lock is what keeps the
 * poll in place while its ballots are written, and the check of every ballot's group is done here.
 *
 * The box is read in chunks of pages, each chunk one bytea aggregated by the database; a pool of worker threads
 * opens them while the next are read (a small box is opened in this thread). Once every ballot is open, the
 * secure shuffle orders them and they are written 50,000 to an INSERT, as arrays unnested by the database.
 */
export async function countBox(
  tx: Transaction<Database>,
  {
    pollId,
    privateKey,
    publicKey,
    rules,
    mixing = "on",
  }: { pollId: number; privateKey: Uint8Array; publicKey: Uint8Array; rules: PollRules; mixing?: Mixing }
) {
  const partition = boxPartition(pollId);
  let phaseStart = performance.now();
  const phase = (name: string, details: Record<string, number> = {}) => {
    const now = performance.now();
    if (countPhases.hasSubscribers) countPhases.publish({ phase: name, ms: now - phaseStart, ...details });
    phaseStart = now;
  };

  const size = await sql<{ ballots: string; blocks: string }>`
    select (select count(*) from ${sql.id(partition)}) as ballots,
      pg_relation_size(${partition}::regclass) / current_setting('block_size')::bigint as blocks`.execute(tx);
  const boxed = Number(size.rows[0].ballots);
  const blocks = Number(size.rows[0].blocks);
  const pool = createOpenPool({ publicKey, privateKey }, { threads: boxed >= POOL_FROM ? undefined : 0 });
  const chunks: OpenedChunk[] = [];
  let readMs = 0;
  try {
    let failure: unknown = null;
    const inFlight = new Set<Promise<void>>();
    // Pages in physical order; a chunk's ballots in physical order too when mixing is off. The last chunk has no
    // upper bound, so no row can be missed whatever the size said.
    const physicalOrder = mixing === "off-for-tests" ? sql` order by ctid` : sql``;
    const step = Math.min(
      READ_BLOCKS,
      Math.max(1, Math.ceil(blocks / (CHUNKS_PER_THREAD * Math.max(1, pool.threads))))
    );
    for (let first = 0, index = 0; first === 0 || first < blocks; first += step, index++) {
      const last = first + step < blocks ? first + step : null;
      const readStart = performance.now();
      const read = await sql<{ chunk: Uint8Array | null }>`
        select string_agg(int4send(octet_length(sealed)) || sealed, ''::bytea${physicalOrder}) as chunk
        from ${sql.id(partition)}
        where ctid >= ${`(${first},0)`}::tid${last === null ? sql`` : sql` and ctid < ${`(${last},0)`}::tid`}`.execute(
        tx
      );
      readMs += performance.now() - readStart;
      const chunk = read.rows[0]?.chunk;
      if (!chunk) continue;
      const position = index;
      const task = pool.open(chunk).then(
        (opened) => {
          chunks[position] = opened;
        },
        (error) => {
          failure ??= error;
        }
      );
      inFlight.add(task);
      void task.then(() => inFlight.delete(task));
      if (inFlight.size >= READ_AHEAD_PER_THREAD * Math.max(1, pool.threads)) await Promise.race(inFlight);
      if (failure) throw failure;
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
  } finally {
    await pool.close();
  }

  // Every ballot of the box, opened exactly once, in the box's order.
  const opened = chunks.filter(Boolean);
  const n = opened.reduce((sum, c) => sum + c.count, 0);
  if (n !== boxed) throw new Error(`opened ${n} ballots of a box of ${boxed}`);
  const groups = new Int32Array(n);
  const starts = new Int32Array(n + 1);
  const levels = new Int16Array(opened.reduce((sum, c) => sum + c.levels.length, 0));
  for (let c = 0, i = 0, l = 0; c < opened.length; c++) {
    const chunk = opened[c];
    groups.set(chunk.groups, i);
    levels.set(chunk.levels, l);
    for (let j = 0; j < chunk.count; j++) starts[i + j + 1] = l + chunk.ends[j];
    i += chunk.count;
    l += chunk.levels.length;
    chunk.levels.fill(0);
  }
  phase("open", { ballots: n, threads: pool.threads, readMs });

  const order = Array.from({ length: n }, (_, i) => i);
  if (mixing !== "off-for-tests") shuffle(order);
  const perGroup = new Map<number, number>();
  for (const g of groups) perGroup.set(g, (perGroup.get(g) ?? 0) + 1);
  // Every ballot names one of the poll's groups (a unit that a poll lists cannot be deleted): checked here, once,
  // before anything is written, in place of a foreign key that looked up each counted row's unit.
  const pollGroups = await tx.selectFrom("poll_groups").select("unit_id").where("poll_id", "=", pollId).execute();
  const listed = new Set(pollGroups.map((g) => g.unit_id));
  const stranger = [...perGroup.keys()].find((g) => !listed.has(g));
  if (stranger !== undefined) throw new Error(`a ballot names group ${stranger}, not one of the poll's`);
  phase("mix", { ballots: n });

  // Ballots of groups under k, and of whatever groups must join them, carry no group (app/ballots/pooling.ts).
  // The tally never shows a cell under MIN_K whatever the poll says: nor does the count keep a smaller group.
  const pooled = pooledGroups(perGroup, Math.max(MIN_K, rules.k));
  // Each INSERT's arrays, in PostgreSQL's text form: one parameter each, parsed once by the database; each row
  // takes its slice of the answers. The next INSERT's arrays are built while the database runs this one.
  const insertParams = (first: number) => {
    const rows = Math.min(INSERT_ROWS, n - first);
    const groupIds: (number | string)[] = new Array(rows);
    const bounds = new Int32Array(rows + 1);
    let size = 0;
    for (let k = 0; k < rows; k++) size += starts[order[first + k] + 1] - starts[order[first + k]];
    const answers = new Int16Array(size);
    for (let k = 0, at = 0; k < rows; k++) {
      const i = order[first + k];
      groupIds[k] = pooled.has(groups[i]) ? "NULL" : groups[i];
      for (let j = starts[i]; j < starts[i + 1]; j++) answers[at++] = levels[j];
      bounds[k + 1] = at;
    }
    const params = {
      first,
      answers: `{${answers.join(",")}}`,
      bounds: `{${bounds.join(",")}}`,
      groups: `{${groupIds.join(",")}}`,
    };
    answers.fill(0);
    return params;
  };
  let next = n > 0 ? insertParams(0) : null;
  while (next) {
    const { first, answers, bounds, groups: groupIds } = next;
    const insert = sql`
      insert into counted_ballots (poll_id, ballot_no, group_id, levels)
      select ${pollId}, ${first}::int + b.i, b.group_id, p.answers[p.bounds[b.i] + 1 : p.bounds[b.i + 1]]
      from (select ${answers}::smallint[] as answers, ${bounds}::int[] as bounds) p,
        unnest(${groupIds}::int[]) with ordinality as b(group_id, i)`.execute(tx);
    // Let the query go out before the next arrays take this thread; its failure is awaited below, not lost.
    insert.catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    next = first + INSERT_ROWS < n ? insertParams(first + INSERT_ROWS) : null;
    await insert;
  }
  levels.fill(0);
  groups.fill(0);
  phase("insert", { ballots: n });

  await sql`truncate table ${sql.id(partition)}`.execute(tx);
  phase("truncate");
  // The results are computed from counted_ballots right after the close: fresh statistics let the planner see the
  // rows just written (a parallel scan for a large poll) without waiting a minute for autovacuum. ANALYZE reads a
  // fixed sample, whatever the table's size.
  await sql`analyze counted_ballots`.execute(tx);
  phase("analyze");
  return { ballotsCounted: n };
}

/** "off-for-tests" skips the shuffle and counts in the box's physical order: the linkage test shows the attack. */
export type Mixing = "on" | "off-for-tests";

/**
 * Closes the poll in one transaction: no cast can slip in (the exclusive poll lock waits for casts in flight).
 * With the server holding the key, the box is counted at once and the key destroyed; with the committee holding
 * it, intake stops and the count waits for k members to enter their shares.
 */
export async function closePoll({
  actor,
  pollId,
  mixing = "on",
}: {
  actor: AuditActor;
  pollId: number;
  mixing?: Mixing;
}) {
  if (mixing !== "on" && process.env.NODE_ENV !== "test") throw new Error("mixing can only be switched off in tests");
  let keyMode: string | null = null;
  const result = await db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx
      .selectFrom("polls")
      .select(["status", "unit_id", "public_key", "rules", "key_mode"])
      .where("id", "=", pollId)
      .forUpdate()
      .executeTakeFirst();
    if (!poll) throw new PollStateError("notFound");
    if (poll.status !== "open") throw new PollStateError("wrongState", poll.status);
    keyMode = poll.key_mode;
    const now = new Date();
    if (poll.key_mode === "committee") {
      await tx.updateTable("polls").set({ status: "closed", closed_at: now }).where("id", "=", pollId).execute();
      await appendAudit(tx, {
        actor,
        unitId: poll.unit_id,
        action: "poll.close",
        details: { pollId, awaitingShares: true },
      });
      return { ballotsCounted: null };
    }
    const keys = readServerKey(pollId, poll.public_key!);
    if (!keys) throw new PollStateError("serverKeyMissing", poll.status);
    try {
      const { ballotsCounted } = await countBox(tx, {
        pollId,
        privateKey: keys.privateKey,
        publicKey: keys.publicKey,
        rules: pollRules(poll.rules),
        mixing,
      });
      await tx
        .updateTable("polls")
        .set({ status: "closed", closed_at: now, counted_at: now })
        .where("id", "=", pollId)
        .execute();
      await appendAudit(tx, {
        actor,
        unitId: poll.unit_id,
        action: "poll.close",
        details: { pollId, ballotsCounted },
      });
      return { ballotsCounted };
    } finally {
      keys.privateKey.fill(0);
    }
  });
  // Counted and committed: the key is destroyed. Were this process to die first, the next start sweeps the file.
  if (result.ballotsCounted !== null && keyMode === "server") removeServerKey(pollId);
  return result;
}

const SCHEDULE_ACTOR: AuditActor = { userId: null, label: "schedule" };

/**
 * Opens the drafts whose scheduled opening has come and closes (and counts) the open polls whose scheduled closing
 * has come, each through the same transition an officer would make, audited as "schedule". A draft whose window
 * has already ended stays a draft for an officer to reschedule: opening it only to close it at once would count
 * an empty box. Safe to run from several places at once: a poll another run already moved is skipped.
 */
export async function applySchedules({ now = new Date() }: { now?: Date } = {}) {
  const dueToOpen = await db
    .selectFrom("polls")
    .select("id")
    .where("status", "=", "draft")
    .where("scheduled_open_at", "<=", now)
    .where((eb) => eb.or([eb("scheduled_close_at", "is", null), eb("scheduled_close_at", ">", now)]))
    .orderBy("id")
    .execute();
  const opened: number[] = [];
  for (const { id } of dueToOpen) {
    try {
      await openPoll({ actor: SCHEDULE_ACTOR, pollId: id });
      opened.push(id);
    } catch (error) {
      if (!(error instanceof PollStateError)) throw error;
    }
  }
  const dueToClose = await db
    .selectFrom("polls")
    .select("id")
    .where("status", "=", "open")
    .where("scheduled_close_at", "<=", now)
    .orderBy("id")
    .execute();
  const closed: number[] = [];
  for (const { id } of dueToClose) {
    try {
      await closePoll({ actor: SCHEDULE_ACTOR, pollId: id });
      closed.push(id);
    } catch (error) {
      if (!(error instanceof PollStateError)) throw error;
    }
  }
  return { opened, closed };
}
