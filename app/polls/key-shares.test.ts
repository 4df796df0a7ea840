import { describe, expect, it } from "vitest";
import { castBallot } from "~/ballots/cast.server";
import { issueBatch } from "~/credentials/credentials.server";
import { db } from "~/db.server";
import { computeTally } from "~/results/tally.server";
import { createPollFixture } from "../../tests/setup/poll-fixtures";
import { createUser, dataOf, makeRequest, run, sessionCookie, statusOf } from "../../tests/setup/fixtures";
import { action as newAction } from "~/routes/units.$unitId.polls.new";
import { action as shareAction, loader as shareLoader } from "~/routes/polls.$pollId.share";
import { action as countAction, loader as countLoader } from "~/routes/polls.$pollId.count";
import { action as resultsAction, loader as resultsLoader } from "~/routes/polls.$pollId.results";
import { action as pollAction } from "~/routes/polls.$pollId._index";
import { closePoll, openPoll, PollStateError } from "./lifecycle.server";
import { decodeKeyCode, encodeKeyCode, enrolKeyHolder, KeyHolderError } from "./key-holders.server";
import { countWithKeys, KeyShareError } from "./key-shares.server";
import { createPoll, PollInputError } from "./polls.server";

/** A ward's poll whose key is split among three counting members, two of them needed to count. */
async function committeePoll({
  k = 2,
  members = 3,
  fixture,
  prefix = "kiemphieu",
}: { k?: number; members?: number; fixture?: Awaited<ReturnType<typeof createPollFixture>>; prefix?: string } = {}) {
  const f = fixture ?? (await createPollFixture());
  const counters = [];
  for (let i = 1; i <= members; i++) {
    counters.push(
      await createUser(`${prefix}${i}`, [{ role: "counting_member", unitId: f.ward.id }], `Thành viên ${i}`)
    );
  }
  const positionIds = (await db.selectFrom("positions").select("id").orderBy("id").execute()).map((p) => p.id);
  const poll = await createPoll({
    actor: f.actor,
    input: {
      unitId: f.ward.id,
      kind: "confidence_poll",
      title: "Lấy phiếu có ban kiểm phiếu giữ khóa",
      place: "Hội trường",
      positionIds,
      groupIds: [f.group1.id, f.group2.id],
      committee: counters.map((c, i) => ({ fullName: `Thành viên ${i + 1}`, role: "Thành viên", userId: c.id })),
      keyMode: "committee",
      sharesRequired: k,
    },
  });
  const actorOf = (u: { id: number; username: string }) => ({ userId: u.id, label: u.username });
  return { ...f, pollId: poll.id, counters, actorOf };
}

/** Every key holder makes their key while the poll is a draft; returns the keys they were shown. */
async function enrolAll(p: Awaited<ReturnType<typeof committeePoll>>) {
  const codes: string[] = [];
  for (const c of p.counters)
    codes.push((await enrolKeyHolder({ actor: p.actorOf(c), pollId: p.pollId, userId: c.id })).code);
  return codes;
}

async function castFive(p: Awaited<ReturnType<typeof committeePoll>>) {
  const { slips } = await issueBatch({ actor: p.actor, pollId: p.pollId, groupId: p.group1.id, count: 5 });
  return slips;
}

async function countedRows(pollId: number) {
  const row = await db
    .selectFrom("counted_ballots")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("poll_id", "=", pollId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeyShareError || error instanceof KeyHolderError) return error.reason;
    if (error instanceof PollStateError) return `${error.reason}:${error.names.join(",")}`;
    throw error;
  }
  return "accepted";
}

describe("the counting committee holds the key", () => {
  it("k keys open the box: not counted at close, counted with k members' keys, the shares erased", async () => {
    const p = await committeePoll();
    const slips = await castFive(p);
    const codes = await enrolAll(p);
    expect(codes.every((c) => /^([A-Z2-7]{4}-)+[A-Z2-7]{1,4}$/.test(c))).toBe(true);
    await openPoll({ actor: p.actor, pollId: p.pollId });
    const opened = await db.selectFrom("polls").selectAll().where("id", "=", p.pollId).executeTakeFirstOrThrow();
    expect(opened.key_mode).toBe("committee");
    // What the database holds of the key: each holder's public key and a share sealed to it, and no key of the
    // members' (the codes shown to them) in any form.
    const holders = await db.selectFrom("poll_key_holders").selectAll().where("poll_id", "=", p.pollId).execute();
    expect(holders).toHaveLength(3);
    for (const [i, code] of codes.entries()) {
      const privateKey = decodeKeyCode(code)!;
      for (const h of holders) {
        expect(h.public_key.includes(privateKey)).toBe(false);
        expect(h.sealed_share!.includes(privateKey)).toBe(false);
      }
      expect(holders.some((h) => h.user_id === p.counters[i].id && h.sealed_share!.length > 60)).toBe(true);
    }
    const answers = [
      [1, 1, 1],
      [1, 2, 3],
      [2, 2, 0],
      [1, 3, 3],
      [3, 1, 2],
    ];
    for (const [i, slip] of slips.entries()) {
      expect((await castBallot({ code: slip.code, levels: answers[i] })).status).toBe("counted");
    }
    const closed = await closePoll({ actor: p.actor, pollId: p.pollId });
    expect(closed.ballotsCounted).toBeNull();
    const afterClose = await db.selectFrom("polls").selectAll().where("id", "=", p.pollId).executeTakeFirstOrThrow();
    expect(afterClose.status).toBe("closed");
    expect(afterClose.counted_at).toBeNull();
    expect(await countedRows(p.pollId)).toBe(0);
    expect(await computeTally({ pollId: p.pollId })).toBeNull();

    const result = await countWithKeys({
      actor: p.actorOf(p.counters[0]),
      pollId: p.pollId,
      // As typed from paper: a zero for the letter O, a one for the letter I.
      codes: [codes[2], codes[0].replace(/O/g, "0").replace(/I/g, "1")],
    });
    expect(result.ballotsCounted).toBe(5);
    const counted = await db.selectFrom("polls").selectAll().where("id", "=", p.pollId).executeTakeFirstOrThrow();
    expect(counted.counted_at).not.toBeNull();
    const left = await db
      .selectFrom("poll_key_holders")
      .select("sealed_share")
      .where("poll_id", "=", p.pollId)
      .execute();
    expect(left).toEqual([{ sealed_share: null }, { sealed_share: null }, { sealed_share: null }]);

    const tally = await computeTally({ pollId: p.pollId });
    expect(tally!.invariant).toEqual({ receipts: 5, credentialsUsed: 5, ballotsCounted: 5, holds: true });
    const first = tally!.subjects[0].counts;
    const levelCounts = Object.values(first).reduce((a, b) => a + (b ?? 0), 0);
    expect(levelCounts).toBe(5);
    const audit = await db.selectFrom("audit_log").select(["action", "details"]).orderBy("id").execute();
    const count = audit.find((a) => a.action === "poll.count")!;
    expect(count.details).toMatchObject({ pollId: p.pollId, shares: 2 });
    expect(JSON.stringify(audit)).not.toContain(codes[0]);
    expect(JSON.stringify(audit)).not.toContain(codes[1]);
    expect(audit.filter((a) => a.action === "poll.key_enrol")).toHaveLength(3);
    // Counting twice is refused.
    expect(await refusal(countWithKeys({ actor: p.actor, pollId: p.pollId, codes }))).toBe("wrongState");
  });

  it("k-1 keys, a mistyped key, a key typed twice and a key of another poll are refused, and nothing is counted", async () => {
    const p = await committeePoll({ k: 3, members: 3 });
    const slips = await castFive(p);
    const codes = await enrolAll(p);
    await openPoll({ actor: p.actor, pollId: p.pollId });
    for (const slip of slips) await castBallot({ code: slip.code, levels: [1, 1, 1] });
    await closePoll({ actor: p.actor, pollId: p.pollId });
    const actor = p.actorOf(p.counters[0]);
    const count = (keys: string[]) => refusal(countWithKeys({ actor, pollId: p.pollId, codes: keys }));
    expect(await count(codes.slice(0, 2))).toBe("tooFewKeys");
    expect(await count([codes[0], codes[1], ""])).toBe("tooFewKeys");
    const typo = codes[2].startsWith("A") ? "B" + codes[2].slice(1) : "A" + codes[2].slice(1);
    expect(await count([codes[0], codes[1], typo])).toBe("malformedKey");
    expect(await count([codes[0], codes[1], codes[1]])).toBe("duplicateKey");
    // The same key typed twice, once in another form.
    expect(await count([codes[0], codes[1].toLowerCase().replace(/-/g, " "), codes[1]])).toBe("duplicateKey");
    // A well-formed key that is nobody's on this poll (a stranger's, or a member's key of another poll).
    const other = await committeePoll({ k: 2, members: 2, fixture: p, prefix: "khac" });
    const otherCodes = await enrolAll(other);
    expect(await count([codes[0], codes[1], otherCodes[0]])).toBe("unknownKey");
    // A key whose byte in the middle changed: not a holder's key any more. (A middle byte: X25519 clamps the low bits
    // of the first byte and the top bits of the last, so a change there alone could give the same public key.)
    const forged = decodeKeyCode(codes[2])!;
    forged[10] ^= 0xff;
    expect(await count([codes[0], codes[1], encodeKeyCode(forged)])).toBe("unknownKey");
    expect(await countedRows(p.pollId)).toBe(0);
    const poll = await db.selectFrom("polls").select("counted_at").where("id", "=", p.pollId).executeTakeFirstOrThrow();
    expect(poll.counted_at).toBeNull();
    expect(await db.selectFrom("ballot_box").select("poll_id").where("poll_id", "=", p.pollId).execute()).toHaveLength(
      5
    );
    // The right keys still count.
    expect((await countWithKeys({ actor, pollId: p.pollId, codes })).ballotsCounted).toBe(5);
  });

  it("a key is made only by a holder, only while the poll is a draft; making it again replaces the old one", async () => {
    const p = await committeePoll();
    const member = p.counters[0];
    const first = await enrolKeyHolder({ actor: p.actorOf(member), pollId: p.pollId, userId: member.id });
    expect(decodeKeyCode(first.code)).not.toBeNull();
    const second = await enrolKeyHolder({ actor: p.actorOf(member), pollId: p.pollId, userId: member.id });
    expect(second.code).not.toBe(first.code);
    const rows = await db.selectFrom("poll_key_holders").selectAll().where("poll_id", "=", p.pollId).execute();
    expect(rows).toHaveLength(1);
    const stranger = await createUser("nguoila", [{ role: "counting_member", unitId: p.ward.id }]);
    expect(await refusal(enrolKeyHolder({ actor: p.actorOf(stranger), pollId: p.pollId, userId: stranger.id }))).toBe(
      "notMember"
    );
    // Opening waits for every holder, and says who.
    expect(await refusal(openPoll({ actor: p.actor, pollId: p.pollId }))).toBe(
      "committeeNotEnrolled:Thành viên 2,Thành viên 3"
    );
    const poll = await db.selectFrom("polls").select(["status", "public_key"]).where("id", "=", p.pollId).executeTakeFirstOrThrow();
    expect(poll).toEqual({ status: "draft", public_key: null });
    for (const c of p.counters.slice(1)) await enrolKeyHolder({ actor: p.actorOf(c), pollId: p.pollId, userId: c.id });
    await openPoll({ actor: p.actor, pollId: p.pollId });
    expect(await refusal(enrolKeyHolder({ actor: p.actorOf(member), pollId: p.pollId, userId: member.id }))).toBe(
      "wrongState"
    );
    // The first key was replaced before the opening: it is nobody's now.
    await closePoll({ actor: p.actor, pollId: p.pollId });
    expect(await refusal(countWithKeys({ actor: p.actor, pollId: p.pollId, codes: [first.code, second.code] }))).toBe(
      "unknownKey"
    );
  });

  it("refuses a committee without accounts or with k out of range, and keeps the server mode as it was", async () => {
    const f = await createPollFixture();
    const positionIds = (await db.selectFrom("positions").select("id").orderBy("id").execute()).map((p) => p.id);
    const counter = await createUser("kiemphieu", [{ role: "counting_member", unitId: f.ward.id }]);
    const other = await createUser("kiemphieukhac", [{ role: "counting_member", unitId: f.otherWard.id }]);
    const base = {
      unitId: f.ward.id,
      kind: "confidence_poll" as const,
      title: "Cuộc lấy phiếu",
      place: "Hội trường",
      positionIds,
      groupIds: [f.group1.id],
      keyMode: "committee" as const,
    };
    const reason = async (input: Parameters<typeof createPoll>[0]["input"]) => {
      try {
        await createPoll({ actor: f.actor, input });
        return "accepted";
      } catch (error) {
        if (error instanceof PollInputError) return error.reason;
        throw error;
      }
    };
    const a = { fullName: "A", role: "Thành viên", userId: counter.id };
    expect(await reason({ ...base, committee: [a, { fullName: "B", role: "Thành viên" }], sharesRequired: 2 })).toBe(
      "polls.errors.memberAccountRequired"
    );
    expect(
      await reason({
        ...base,
        committee: [a, { fullName: "B", role: "Thành viên", userId: other.id }],
        sharesRequired: 2,
      })
    ).toBe("polls.errors.memberNotCounting");
    expect(await reason({ ...base, committee: [a, { ...a, fullName: "B" }], sharesRequired: 2 })).toBe(
      "polls.errors.memberAccountTwice"
    );
    const second = await createUser("kiemphieu2", [{ role: "counting_member", unitId: f.ward.id }]);
    const b = { fullName: "B", role: "Thành viên", userId: second.id };
    expect(await reason({ ...base, committee: [a, b], sharesRequired: 3 })).toBe("polls.errors.sharesRange");
    expect(await reason({ ...base, committee: [a, b], sharesRequired: 1 })).toBe("polls.errors.sharesRange");
    expect(await reason({ ...base, committee: [a, b], sharesRequired: 2 })).toBe("accepted");

    // The fixture's poll uses the default: counted at close with the server's key, no shares at all.
    const { slips } = await f.issue(f.group1.id, 2);
    await f.open();
    await castBallot({ code: slips[0].code, levels: [1, 1, 1] });
    expect((await closePoll({ actor: f.actor, pollId: f.pollId })).ballotsCounted).toBe(1);
    const poll = await db.selectFrom("polls").selectAll().where("id", "=", f.pollId).executeTakeFirstOrThrow();
    expect(poll.key_mode).toBe("server");
    expect(poll.counted_at).not.toBeNull();
    expect(await db.selectFrom("poll_key_holders").selectAll().execute()).toEqual([]);
  });

  it("refuses to open a committee poll whose committee cannot reach k", async () => {
    const p = await committeePoll({ k: 2, members: 2 });
    await db.updateTable("poll_committee_members").set({ user_id: null }).where("poll_id", "=", p.pollId).execute();
    expect(await refusal(openPoll({ actor: p.actor, pollId: p.pollId }))).toBe("committeeIncomplete:");
    const poll = await db.selectFrom("polls").select("status").where("id", "=", p.pollId).executeTakeFirstOrThrow();
    expect(poll.status).toBe("draft");
  });
});

function call(
  fn: (args: any) => Promise<unknown>,
  path: string,
  cookie: string,
  params: Record<string, string>,
  form?: Record<string, string | string[]>
) {
  return run(() => fn({ request: makeRequest(path, { cookie, form }), params, context: {} }));
}

describe("the committee's pages", () => {
  it("creates a committee-keyed poll from the form, and refuses a row without an account or a k out of range", async () => {
    const f = await createPollFixture();
    const a = await createUser("kiemphieu1", [{ role: "counting_member", unitId: f.ward.id }], "Trần Văn Bình");
    const b = await createUser("kiemphieu2", [{ role: "counting_member", unitId: f.ward.id }], "Lê Thị Mai");
    const officer = await sessionCookie(f.officer.id);
    const positionIds = (await db.selectFrom("positions").select("id").orderBy("id").execute()).map((p) =>
      String(p.id)
    );
    const form = {
      kind: "confidence_poll",
      title: "Lấy phiếu do ban kiểm phiếu giữ khóa",
      place: "Hội trường",
      positionIds,
      groupIds: [String(f.group1.id)],
      memberName1: "Trần Văn Bình",
      memberRole1: "Trưởng ban",
      memberUser1: String(a.id),
      memberName2: "Lê Thị Mai",
      memberRole2: "Thành viên",
      memberUser2: "",
      denominator: "collected",
      reviewAbove: "1/2",
      dismissalAtLeast: "2/3",
      noConfidenceAbove: "50%",
      quorum: "2/3",
      k: "5",
      requiredConfirmations: "2",
      keyMode: "committee",
      sharesRequired: "3",
    };
    const params = { unitId: String(f.ward.id) };
    const refused = await call(newAction, `/units/${f.ward.id}/polls/new`, officer, params, form);
    expect(statusOf(refused)).toBe(400);
    expect(dataOf(refused).errors).toMatchObject({
      memberUser2: "polls.errors.memberAccountRequired",
      sharesRequired: "polls.errors.sharesRange",
    });
    expect(dataOf(refused).values).toMatchObject({ keyMode: "committee", memberUser1: String(a.id) });
    const created = (await call(newAction, `/units/${f.ward.id}/polls/new`, officer, params, {
      ...form,
      memberUser2: String(b.id),
      sharesRequired: "2",
    })) as Response;
    expect(created.status).toBe(302);
    const id = Number(/\/polls\/(\d+)/.exec(created.headers.get("Location")!)![1]);
    const poll = await db.selectFrom("polls").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(poll).toMatchObject({ key_mode: "committee", shares_required: 2 });
    // Without a choice the form keeps the server's key, as before.
    const plain = (await call(newAction, `/units/${f.ward.id}/polls/new`, officer, params, {
      ...form,
      keyMode: "",
      sharesRequired: "",
      memberUser1: "",
    })) as Response;
    expect(plain.status).toBe(302);
    const plainId = Number(/\/polls\/(\d+)/.exec(plain.headers.get("Location")!)![1]);
    const server = await db.selectFrom("polls").selectAll().where("id", "=", plainId).executeTakeFirstOrThrow();
    expect(server).toMatchObject({ key_mode: "server", shares_required: null });
  });

  it("each member makes their key on its page, the opening waits for them, then the count page counts", async () => {
    const p = await committeePoll();
    const slips = await castFive(p);
    const params = { pollId: String(p.pollId) };
    const path = `/polls/${p.pollId}/share`;
    const officer = await sessionCookie(p.officer.id);
    const cookies = await Promise.all(p.counters.map((c) => sessionCookie(c.id)));
    expect(dataOf(await call(shareLoader, path, cookies[0], params)).state).toBe("ready");
    const codes: string[] = [];
    for (const [i, cookie] of cookies.entries()) {
      if (i === 2) {
        const refused = await call(pollAction, `/polls/${p.pollId}`, officer, params, { intent: "open" });
        expect(statusOf(refused)).toBe(409);
        expect(dataOf(refused).formError).toEqual({
          key: "polls.lifecycle.committeeNotEnrolled",
          params: { names: "Thành viên 3" },
        });
      }
      const shown = await call(shareAction, path, cookie, params, { intent: "enrol" });
      expect((shown as unknown as { init: { headers: Record<string, string> } }).init.headers["Cache-Control"]).toBe(
        "no-store"
      );
      expect(dataOf(shown).qrSvg).toContain("<svg");
      codes.push(dataOf(shown).code);
    }
    expect(dataOf(await call(shareLoader, path, cookies[0], params)).state).toBe("enrolled");
    const stranger = await createUser("nguoila", [{ role: "counting_member", unitId: p.ward.id }]);
    expect(statusOf(await call(shareLoader, path, await sessionCookie(stranger.id), params))).toBe(403);
    expect(statusOf(await call(shareAction, path, officer, params, { intent: "enrol" }))).toBe(403);
    await call(pollAction, `/polls/${p.pollId}`, officer, params, { intent: "open" });
    expect(dataOf(await call(shareLoader, path, cookies[0], params)).state).toBe("closed");
    const late = await call(shareAction, path, cookies[0], params, { intent: "enrol" });
    expect(statusOf(late)).toBe(409);
    expect(dataOf(late).formError).toBe("polls.share.error.wrongState");

    for (const slip of slips) await castBallot({ code: slip.code, levels: [1, 2, 3] });
    const closed = (await call(pollAction, `/polls/${p.pollId}`, officer, params, {
      intent: "close",
      confirm: "yes",
    })) as Response;
    expect(closed.headers.get("Location")).toContain("notice=closedAwaitingShares");
    const results = dataOf(await call(resultsLoader, `/polls/${p.pollId}/results`, cookies[0], params));
    expect(results.counted).toBeNull();
    expect(results.keys).toMatchObject({ keyMode: "committee", required: 2, holders: 3, awaitingShares: true });
    const confirm = await call(resultsAction, `/polls/${p.pollId}/results`, cookies[0], params, {
      intent: "confirm",
      tallyHash: "0".repeat(64),
    });
    expect(dataOf(confirm).formError).toBe("polls.keyMode.awaitingShares");
    const publish = await call(pollAction, `/polls/${p.pollId}`, officer, params, { intent: "publish" });
    expect(statusOf(publish)).toBe(409);

    const countPath = `/polls/${p.pollId}/count`;
    expect(statusOf(await call(countLoader, countPath, officer, params))).toBe(403);
    expect(dataOf(await call(countLoader, countPath, cookies[1], params))).toMatchObject({ ready: true });
    const few = await call(countAction, countPath, cookies[1], params, { shares: [codes[0], ""] });
    expect(statusOf(few)).toBe(400);
    expect(dataOf(few).formError).toEqual({
      key: "polls.count.error.tooFewKeys",
      params: { required: 2, entered: 1 },
    });
    expect(await countedRows(p.pollId)).toBe(0);
    const counted = (await call(countAction, countPath, cookies[1], params, {
      shares: [codes[1].toLowerCase(), codes[2].replace(/-/g, " ")],
    })) as Response;
    expect(counted.status).toBe(302);
    expect(counted.headers.get("Location")).toBe(`/polls/${p.pollId}?notice=counted&count=5`);
    const after = dataOf(await call(resultsLoader, `/polls/${p.pollId}/results`, cookies[0], params));
    expect(after.counted.tally.invariant.ballotsCounted).toBe(5);
    expect(dataOf(await call(countLoader, countPath, cookies[1], params))).toMatchObject({ ready: false });
  });
});
