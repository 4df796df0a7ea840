import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { db } from "~/db.server";
import { closePoll } from "~/polls/lifecycle.server";
import { createPollFixture } from "../../tests/setup/poll-fixtures";
import { usingPostgres } from "../../tests/setup/database";
import { readBallot } from "./ballot.server";
import { hasServerKey } from "~/polls/server-key.server";
import { castBallot } from "./cast.server";

async function counts(pollId: number) {
  const row = await db
    .selectFrom("polls")
    .select((eb) => [
      eb
        .selectFrom("credential_uses")
        .select(eb.fn.countAll<string>().as("n"))
        .where("poll_id", "=", pollId)
        .as("uses"),
      eb
        .selectFrom("counted_ballots")
        .select(eb.fn.countAll<string>().as("n"))
        .where("poll_id", "=", pollId)
        .as("counted"),
      eb.selectFrom("ballot_box").select(eb.fn.countAll<string>().as("n")).where("poll_id", "=", pollId).as("box"),
    ])
    .where("id", "=", pollId)
    .executeTakeFirstOrThrow();
  return { uses: Number(row.uses), counted: Number(row.counted), box: Number(row.box) };
}

describe("casting a ballot", () => {
  it("consumes the credential once, writes a receipt and a sealed ballot, and nothing in the clear", async () => {
    const f = await createPollFixture();
    const { slips } = await f.issue(f.group1.id, 2);
    await f.open();
    const auditBefore = await db
      .selectFrom("audit_log")
      .select(db.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    const result = await castBallot({ code: slips[0].code, levels: [1, 2, 3] });
    expect(result.status).toBe("counted");
    const again = await castBallot({ code: slips[0].code, levels: [3, 3, 3] });
    expect(again).toEqual({
      status: "already_used",
      receipt: (result as { receipt: string }).receipt,
      pollId: f.pollId,
    });
    expect(await counts(f.pollId)).toEqual({ uses: 1, counted: 0, box: 1 });
    const auditAfter = await db
      .selectFrom("audit_log")
      .select(db.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(auditAfter.n).toBe(auditBefore.n);
    const box = await db.selectFrom("ballot_box").select("sealed").executeTakeFirstOrThrow();
    expect(box.sealed.toString("latin1")).not.toContain('"l"');
    expect(await readBallot({ code: slips[0].code })).toMatchObject({
      state: "recorded",
      receipt: (result as { receipt: string }).receipt,
    });
  });

  it("refuses unknown codes, polls not open, closed polls and bad answers, storing nothing", async () => {
    const f = await createPollFixture();
    const { slips } = await f.issue(f.group1.id, 3);
    expect(await castBallot({ code: "0".repeat(24), levels: [1, 1, 1] })).toEqual({ status: "unknown" });
    expect((await castBallot({ code: slips[0].code, levels: [1, 1, 1] })).status).toBe("not_open");
    await f.open();
    expect((await castBallot({ code: slips[0].code, levels: [1, 1] })).status).toBe("invalid_answers");
    expect((await castBallot({ code: slips[0].code, levels: [1, 1, 4] })).status).toBe("invalid_answers");
    expect((await castBallot({ code: slips[1].code, levels: [0, 2, 1] })).status).toBe("counted");
    await closePoll({ actor: f.actor, pollId: f.pollId });
    expect((await castBallot({ code: slips[2].code, levels: [1, 1, 1] })).status).toBe("closed");
    expect(await counts(f.pollId)).toEqual({ uses: 1, counted: 1, box: 0 });
  });

  it("closing empties only its own poll's box and counts shuffled ballots without their group below k", async () => {
    const a = await createPollFixture({ k: 3 });
    const { slips: g1 } = await a.issue(a.group1.id, 4);
    const { slips: g2 } = await a.issue(a.group2.id, 2);
    await a.open();
    for (const s of g1) await castBallot({ code: s.code, levels: [1, 2, 3] });
    for (const s of g2) await castBallot({ code: s.code, levels: [3, 0, 1] });
    await closePoll({ actor: a.actor, pollId: a.pollId });
    const counted = await db
      .selectFrom("counted_ballots")
      .select(["group_id", "levels"])
      .where("poll_id", "=", a.pollId)
      .execute();
    expect(counted).toHaveLength(6);
    // Group 2's 2 ballots (under k = 3) alone would be a pool of one group's: group 1's 4 join them, and no ballot
    // keeps its group.
    expect(counted.filter((c) => c.group_id === null)).toHaveLength(6);
    const poll = await db
      .selectFrom("polls")
      .select(["counted_at", "status"])
      .where("id", "=", a.pollId)
      .executeTakeFirstOrThrow();
    expect(poll).toMatchObject({ status: "closed" });
    expect(poll.counted_at).not.toBeNull();
    // The server-held key is destroyed with the count: its file is gone.
    expect(hasServerKey(a.pollId)).toBe(false);
  });

  it.runIf(usingPostgres())("200 concurrent submissions of one code count exactly one ballot", async () => {
    const f = await createPollFixture();
    const { slips } = await f.issue(f.group1.id, 1);
    await f.open();
    const results = await Promise.all(
      Array.from({ length: 200 }, () => castBallot({ code: slips[0].code, levels: [1, 1, 1] }))
    );
    const counted = results.filter((r) => r.status === "counted");
    expect(counted).toHaveLength(1);
    const receipt = (counted[0] as { receipt: string }).receipt;
    expect(results.filter((r) => r.status === "already_used" && r.receipt === receipt)).toHaveLength(199);
    expect(await counts(f.pollId)).toEqual({ uses: 1, counted: 0, box: 1 });
  });

  it.runIf(usingPostgres())(
    "100 casts racing a close each end counted or closed, and the count matches the receipts",
    async () => {
      const f = await createPollFixture();
      const { slips } = await f.issue(f.group1.id, 100);
      await f.open();
      const casts = slips.map((s, i) =>
        new Promise((r) => setTimeout(r, i % 20)).then(() => castBallot({ code: s.code, levels: [1, 2, 3] }))
      );
      const close = new Promise((r) => setTimeout(r, 8)).then(() => closePoll({ actor: f.actor, pollId: f.pollId }));
      const results = await Promise.all(casts);
      const { ballotsCounted } = await close;
      expect(results.every((r) => r.status === "counted" || r.status === "closed")).toBe(true);
      const receipts = results.filter((r) => r.status === "counted").length;
      expect(ballotsCounted).toBe(receipts);
      expect(await counts(f.pollId)).toEqual({ uses: receipts, counted: receipts, box: 0 });
      const partition = await sql<{ n: string }>`select count(*) as n from ${sql.id(
        `ballot_box_p${f.pollId}`
      )}`.execute(db);
      expect(Number(partition.rows[0].n)).toBe(0);
    }
  );
});
