import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { castBallot } from "~/ballots/cast.server";
import { db } from "~/db.server";
import { ensureServerSecret, keyFolder } from "~/secret.server";
import { createPollFixture } from "../../tests/setup/poll-fixtures";
import { dataOf, makeRequest, run, sessionCookie, statusOf } from "../../tests/setup/fixtures";
import { action as pollAction } from "~/routes/polls.$pollId._index";
import { closePoll, openPoll, PollStateError } from "./lifecycle.server";
import { hasServerKey, readServerKey, sweepServerKeys } from "./server-key.server";

const keyFile = (pollId: number) => path.join(keyFolder(), `poll-${pollId}.key`);

function mode(file: string) {
  return fs.statSync(file).mode & 0o777;
}

async function boxSize(pollId: number) {
  const row = await db
    .selectFrom("ballot_box")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("poll_id", "=", pollId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("a server-keyed poll's key lives in a file, never in the database", () => {
  it("is written owner-only before the poll opens, read by the count, and deleted once the count committed", async () => {
    const f = await createPollFixture();
    const { slips } = await f.issue(f.group1.id, 2);
    expect(hasServerKey(f.pollId)).toBe(false);
    await f.open();
    expect(mode(keyFile(f.pollId))).toBe(0o600);
    const poll = await db.selectFrom("polls").selectAll().where("id", "=", f.pollId).executeTakeFirstOrThrow();
    const keys = readServerKey(f.pollId, poll.public_key!)!;
    expect(keys.publicKey.equals(poll.public_key!)).toBe(true);
    // No column of the poll's row holds the private key, in any form.
    expect(Object.keys(poll)).not.toContain("wrapped_private_key");
    expect(JSON.stringify(poll)).not.toContain(keys.privateKey.toString("hex"));
    keys.privateKey.fill(0);

    expect((await castBallot({ code: slips[0].code, levels: [1, 2, 3] })).status).toBe("counted");
    expect((await closePoll({ actor: f.actor, pollId: f.pollId })).ballotsCounted).toBe(1);
    expect(hasServerKey(f.pollId)).toBe(false);
    expect(fs.readdirSync(keyFolder()).filter((n) => n.includes(`poll-${f.pollId}`))).toEqual([]);
  });

  it("refuses to close without its key file, with a reason the page shows, leaving the poll open and its box whole", async () => {
    const f = await createPollFixture();
    const { slips } = await f.issue(f.group1.id, 2);
    await f.open();
    expect((await castBallot({ code: slips[0].code, levels: [1, 1, 1] })).status).toBe("counted");
    const saved = fs.readFileSync(keyFile(f.pollId));
    fs.rmSync(keyFile(f.pollId));

    await expect(closePoll({ actor: f.actor, pollId: f.pollId })).rejects.toMatchObject({
      reason: "serverKeyMissing",
    });
    const officer = await sessionCookie(f.officer.id);
    const refused = await run(() =>
      pollAction({
        request: makeRequest(`/polls/${f.pollId}`, { cookie: officer, form: { intent: "close", confirm: "yes" } }),
        params: { pollId: String(f.pollId) },
        context: {},
      })
    );
    expect(statusOf(refused)).toBe(409);
    expect(dataOf(refused).formError).toBe("polls.lifecycle.serverKeyMissing");
    // A file under this poll's name that is not its key (another key, damaged) does not count it either.
    fs.writeFileSync(keyFile(f.pollId), Buffer.alloc(saved.length, 7), { mode: 0o600 });
    await expect(closePoll({ actor: f.actor, pollId: f.pollId })).rejects.toBeInstanceOf(PollStateError);

    const poll = await db.selectFrom("polls").select(["status", "counted_at"]).where("id", "=", f.pollId).executeTakeFirstOrThrow();
    expect(poll).toEqual({ status: "open", counted_at: null });
    expect(await boxSize(f.pollId)).toBe(1);
    // The key file restored, the close counts.
    fs.writeFileSync(keyFile(f.pollId), saved, { mode: 0o600 });
    expect((await closePoll({ actor: f.actor, pollId: f.pollId })).ballotsCounted).toBe(1);
  });

  it("sweeps at start the key files nothing will read: counted polls, polls gone, and openings that never committed", async () => {
    const f = await createPollFixture();
    await f.open();
    const now = new Date();
    // Left by a count that committed but died before deleting the file.
    const counted = fs.readFileSync(keyFile(f.pollId));
    await closePoll({ actor: f.actor, pollId: f.pollId });
    fs.writeFileSync(keyFile(f.pollId), counted, { mode: 0o600 });
    // Of a poll that does not exist.
    fs.writeFileSync(keyFile(9_999), counted, { mode: 0o600 });
    // Of a draft: an opening in progress elsewhere (young) and one that died long ago (old).
    const young = await db
      .insertInto("polls")
      .values({
        unit_id: f.ward.id,
        kind: "confidence_poll",
        title: "Bản nháp",
        place: "Hội trường",
        rules: JSON.stringify({}),
        created_by: f.officer.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const old = await db
      .insertInto("polls")
      .values({
        unit_id: f.ward.id,
        kind: "confidence_poll",
        title: "Bản nháp cũ",
        place: "Hội trường",
        rules: JSON.stringify({}),
        created_by: f.officer.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    fs.writeFileSync(keyFile(young.id), counted, { mode: 0o600 });
    fs.writeFileSync(keyFile(old.id), counted, { mode: 0o600 });
    const longAgo = new Date(now.getTime() - 3600_000);
    fs.utimesSync(keyFile(old.id), longAgo, longAgo);
    fs.utimesSync(keyFile(young.id), now, now);

    const removed = await sweepServerKeys({ now });
    expect(removed.sort((a, b) => a - b)).toEqual([f.pollId, old.id, 9_999].sort((a, b) => a - b));
    expect(hasServerKey(young.id)).toBe(true);
    expect(hasServerKey(old.id)).toBe(false);
    expect(hasServerKey(f.pollId)).toBe(false);
  });

  it("writes nothing when an opening is refused", async () => {
    const f = await createPollFixture();
    await db.deleteFrom("poll_groups").where("poll_id", "=", f.pollId).execute();
    await expect(openPoll({ actor: f.actor, pollId: f.pollId })).rejects.toMatchObject({ reason: "noGroups" });
    expect(hasServerKey(f.pollId)).toBe(false);
  });
});

describe("the generated server secret", () => {
  const folders: string[] = [];
  const saved = process.env.PHIEU_SECRET;
  afterEach(() => {
    process.env.PHIEU_SECRET = saved;
    for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
  });

  it("lives in the key folder, and one an earlier version left in the data folder moves there", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "phieu-secret-"));
    folders.push(root);
    const dataDir = path.join(root, "data");
    const keyDir = path.join(root, "data-keys");
    fs.mkdirSync(dataDir);
    fs.writeFileSync(path.join(dataDir, "server-secret"), "s".repeat(43) + "\n", { mode: 0o600 });
    delete process.env.PHIEU_SECRET;

    const moved = ensureServerSecret({ keyDir, dataDir });
    expect(moved).toEqual({ source: path.join(keyDir, "server-secret"), created: false, moved: true });
    expect(process.env.PHIEU_SECRET).toBe("s".repeat(43));
    expect(fs.existsSync(path.join(dataDir, "server-secret"))).toBe(false);
    expect(mode(path.join(keyDir, "server-secret"))).toBe(0o600);
    expect(mode(keyDir)).toBe(0o700);

    delete process.env.PHIEU_SECRET;
    expect(ensureServerSecret({ keyDir, dataDir })).toMatchObject({ created: false, moved: false });
    expect(process.env.PHIEU_SECRET).toBe("s".repeat(43));
  });
});
