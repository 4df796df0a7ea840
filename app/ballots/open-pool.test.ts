import * as crypto from "node:crypto";
import diagnostics from "node:diagnostics_channel";
import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import { db } from "~/db.server";
import { boxPartition } from "~/polls/poll-lock.server";
import { readServerKey } from "~/polls/server-key.server";
import { closePoll } from "~/polls/lifecycle.server";
import { computeTally } from "~/results/tally.server";
import { usingPostgres } from "../../tests/setup/database";
import { createPollFixture } from "../../tests/setup/poll-fixtures";
import { castBallot, decodeBallot, encodeBallot, type BallotContent } from "./cast.server";
import { createOpenPool, defaultOpenThreads, runningOpenWorkers, type OpenedChunk } from "./open-pool.server";
import {
  ballotOpener,
  createBatchOpener,
  createBatchSealer,
  generatePollKeyPair,
  sealBallot,
} from "./seal.server";

/** Records of a 4-byte big-endian length and the sealed ballot, as the count reads them from the box. */
function chunkOf(sealed: Buffer[]): Buffer {
  return Buffer.concat(
    sealed.flatMap((s) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(s.length);
      return [length, s];
    })
  );
}

function ballotsOf(chunks: OpenedChunk[]): BallotContent[] {
  return chunks.flatMap((c) =>
    Array.from({ length: c.count }, (_, i) => ({
      g: c.groups[i],
      l: Array.from(c.levels.subarray(i === 0 ? 0 : c.ends[i - 1], c.ends[i])),
    }))
  );
}

// Groups at the edges of the column's type, answer lists of several lengths.
const known: BallotContent[] = Array.from({ length: 2_400 }, (_, i) => ({
  g: [7, 8, 100_000, 2_147_483_647][i % 4],
  l: Array.from({ length: [3, 10, 25][i % 3] }, (_, s) => (i * 7 + s * 3) % 4),
}));

describe("the pool of ballot openers", () => {
  it("opens exactly what the plain opener opens, in order, on every worker, and stops them when closed", async () => {
    const keys = generatePollKeyPair();
    const seal = createBatchSealer(crypto, keys.publicKey);
    const sealed = known.map((b) => seal(encodeBallot(b)));
    const open = ballotOpener(keys);
    const plain = sealed.map((s) => decodeBallot(open(s)));
    expect(plain).toEqual(known);

    const chunks = Array.from({ length: 8 }, (_, c) => chunkOf(sealed.slice(c * 300, (c + 1) * 300)));
    const before = runningOpenWorkers();
    const pool = createOpenPool(keys, { threads: 2 });
    expect(runningOpenWorkers()).toBe(before + 2);
    const opened = await Promise.all(chunks.map((chunk) => pool.open(chunk)));
    await pool.close();
    expect(runningOpenWorkers()).toBe(before);
    expect(ballotsOf(opened)).toEqual(plain);
    await expect(pool.open(chunks[0])).rejects.toThrow(/closed/);

    // The same code in the calling thread, for a small box.
    const inThread = createOpenPool(keys, { threads: 0 });
    expect(inThread.threads).toBe(0);
    expect(ballotsOf(await Promise.all(chunks.map((chunk) => inThread.open(chunk))))).toEqual(plain);
    await inThread.close();
  });

  it("refuses a chunk holding a tampered ballot or one sealed to another poll, and still stops its workers", async () => {
    const keys = generatePollKeyPair();
    const other = generatePollKeyPair();
    const seal = createBatchSealer(crypto, keys.publicKey);
    const good = known.slice(0, 50).map((b) => seal(encodeBallot(b)));
    const tampered = Buffer.from(good[10]);
    tampered[tampered.length - 1] ^= 1;
    const foreign = sealBallot(encodeBallot(known[0]), other.publicKey);

    const before = runningOpenWorkers();
    const pool = createOpenPool(keys, { threads: 2 });
    await expect(pool.open(chunkOf([...good.slice(0, 10), tampered]))).rejects.toThrow(/could not be opened/);
    await expect(pool.open(chunkOf(good))).rejects.toThrow(/could not be opened/);
    await pool.close();
    expect(runningOpenWorkers()).toBe(before);

    const inThread = createOpenPool(keys, { threads: 0 });
    await expect(inThread.open(chunkOf([foreign]))).rejects.toThrow();
    await expect(inThread.open(chunkOf(good).subarray(0, 30))).rejects.toThrow(/truncated/);
    const outOfRange = sealBallot(encodeBallot({ g: 7, l: [1, 40_000] }), keys.publicKey);
    await expect(inThread.open(chunkOf([outOfRange]))).rejects.toThrow(/malformed/);
  });

  it("opens with the batch opener exactly what ballotOpener opens, and nothing it refuses", () => {
    const keys = generatePollKeyPair();
    const other = generatePollKeyPair();
    const openBatch = createBatchOpener(crypto, keys);
    const open = ballotOpener(keys);
    for (const b of known.slice(0, 40)) {
      const sealed = sealBallot(encodeBallot(b), keys.publicKey);
      expect(openBatch(sealed).equals(open(sealed))).toBe(true);
      sealed[40] ^= 1;
      expect(() => openBatch(sealed)).toThrow();
    }
    expect(() => openBatch(sealBallot(Buffer.from("x"), other.publicKey))).toThrow();
    expect(() => createBatchOpener(crypto, other)(sealBallot(Buffer.from("x"), keys.publicKey))).toThrow();
  });

  it("seals with the batch sealer what ballotOpener opens, each ballot with a key of its own", () => {
    const keys = generatePollKeyPair();
    const seal = createBatchSealer(crypto, keys.publicKey);
    const open = ballotOpener(keys);
    const plaintext = encodeBallot(known[5]);
    const a = seal(plaintext);
    const b = seal(plaintext);
    expect(a.length).toBe(sealBallot(plaintext, keys.publicKey).length);
    expect(a.subarray(0, 32).equals(b.subarray(0, 32))).toBe(false);
    expect(a.includes(plaintext)).toBe(false);
    expect(decodeBallot(open(a))).toEqual(known[5]);
    expect(decodeBallot(open(b))).toEqual(known[5]);
    expect(() => ballotOpener(generatePollKeyPair())(a)).toThrow();
  });
});

/** Casts `levels[i]` with the i-th code; 8 at a time on PostgreSQL, one by one on PGlite (one query at a time). */
async function castAll(codes: string[], levels: number[][]) {
  const together = usingPostgres() ? 8 : 1;
  for (let start = 0; start < codes.length; start += together) {
    const results = await Promise.all(
      codes.slice(start, start + together).map((code, i) => castBallot({ code, levels: levels[start + i] }))
    );
    for (const r of results) expect(r.status).toBe("counted");
  }
}

describe("a count through the pool", () => {
  // 1,003 ballots: enough for the count to open them in worker threads.
  const answers = Array.from({ length: 1_003 }, (_, i) => [i % 4, (i * 3 + 1) % 4, (i * 7 + 2) % 4]);

  async function castBox() {
    const f = await createPollFixture({ k: 5 });
    const { slips: g1 } = await f.issue(f.group1.id, 1_000);
    const { slips: g2 } = await f.issue(f.group2.id, 3);
    await f.open();
    await castAll(
      [...g1, ...g2].map((s) => s.code),
      answers
    );
    return f;
  }

  function watchCount() {
    const phases: { phase: string; ballots?: number; threads?: number }[] = [];
    const listener = (message: unknown) => phases.push(message as (typeof phases)[number]);
    diagnostics.subscribe("phieu.count", listener);
    return { phases, stop: () => diagnostics.unsubscribe("phieu.count", listener) };
  }

  it("gives exactly the tally of the ballots cast, keeps the k rule, and leaves no worker running", async () => {
    const f = await castBox();
    const watch = watchCount();
    const before = runningOpenWorkers();
    const closed = await closePoll({ actor: f.actor, pollId: f.pollId });
    watch.stop();
    expect(closed.ballotsCounted).toBe(1_003);
    expect(watch.phases.find((p) => p.phase === "open")).toMatchObject({
      ballots: 1_003,
      threads: defaultOpenThreads(),
    });
    expect(runningOpenWorkers()).toBe(before);

    // The known counts, worked out here from the answers cast: [blank, high, confidence, low] per subject.
    const expected = [0, 1, 2].map((s) => [0, 1, 2, 3].map((code) => answers.filter((a) => a[s] === code).length));
    const tally = (await computeTally({ pollId: f.pollId }))!;
    expect(
      tally.subjects.map((s) => [s.invalid, s.counts.high_confidence, s.counts.confidence, s.counts.low_confidence])
    ).toEqual(expected);
    expect(tally.invariant).toEqual({ receipts: 1_003, credentialsUsed: 1_003, ballotsCounted: 1_003, holds: true });

    const counted = await db
      .selectFrom("counted_ballots")
      .select(["ballot_no", "group_id", "levels"])
      .where("poll_id", "=", f.pollId)
      .orderBy("ballot_no")
      .execute();
    expect(counted.map((b) => b.ballot_no)).toEqual(Array.from({ length: 1_003 }, (_, i) => i + 1));
    // Group 2 cast 3 ballots, under k = 5: alone they would be a pool of one group's ballots, so group 1's join
    // them, and with only two groups no ballot keeps its group.
    expect(counted.filter((b) => b.group_id === null)).toHaveLength(1_003);
    // Mixed: the counted order is not the casting order.
    expect(counted.map((b) => b.levels.join())).not.toEqual(answers.map((a) => a.join()));
    expect(counted.map((b) => b.levels.join()).sort()).toEqual(answers.map((a) => a.join()).sort());
    const box = await db
      .selectFrom("ballot_box")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(box.n)).toBe(0);
  });

  it("keeps the box's physical order across chunks and workers when mixing is off: the plain opener's order", async () => {
    const f = await castBox();
    // What the count did before the pool: every ballot of the box opened in this thread, in physical order.
    const poll = await db
      .selectFrom("polls")
      .select(["public_key"])
      .where("id", "=", f.pollId)
      .executeTakeFirstOrThrow();
    const open = ballotOpener(readServerKey(f.pollId, poll.public_key!)!);
    const box = await sql<{ sealed: Buffer }>`select sealed from ${sql.id(
      boxPartition(f.pollId)
    )} order by ctid`.execute(db);
    const plain = box.rows.map((row) => decodeBallot(open(row.sealed)).l);
    expect(plain).toHaveLength(1_003);

    const watch = watchCount();
    await closePoll({ actor: f.actor, pollId: f.pollId, mixing: "off-for-tests" });
    watch.stop();
    expect(watch.phases.find((p) => p.phase === "open")?.threads).toBeGreaterThan(0);
    const counted = await db
      .selectFrom("counted_ballots")
      .select("levels")
      .where("poll_id", "=", f.pollId)
      .orderBy("ballot_no")
      .execute();
    expect(counted.map((b) => b.levels)).toEqual(plain);
    expect(runningOpenWorkers()).toBe(0);
  });
});
