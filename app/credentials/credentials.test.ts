import { parse } from "csv-parse/sync";
import { strFromU8, unzipSync } from "fflate";
import { afterEach, describe, expect, it } from "vitest";
import { readBallot } from "~/ballots/ballot.server";
import { castBallot } from "~/ballots/cast.server";
import { db } from "~/db.server";
import { closePoll } from "~/polls/lifecycle.server";
import { action as pollAction, loader as pollLoader } from "~/routes/polls.$pollId._index";
import { action as issueAction, loader as issueLoader } from "~/routes/polls.$pollId.credentials";
import { createUser, dataOf, makeRequest, run, sessionCookie, statusOf } from "../../tests/setup/fixtures";
import { createPollFixture } from "../../tests/setup/poll-fixtures";
import { formatCode } from "./code";
import {
  CredentialChangeError,
  credentialSummary,
  listBatches,
  recordHandedOut,
  voidBatch,
  voidCredential,
  voidUnhanded,
} from "./credentials.server";

const params = (pollId: number) => ({ pollId: String(pollId) });

function issue(cookie: string, pollId: number, form: Record<string, string>) {
  const request = makeRequest(`/polls/${pollId}/credentials`, { cookie, form });
  return run(() => issueAction({ request, params: params(pollId), context: {} }));
}

function postPoll(cookie: string, pollId: number, form: Record<string, string>) {
  const request = makeRequest(`/polls/${pollId}`, { cookie, form });
  return run(() => pollAction({ request, params: params(pollId), context: {} }));
}

function loadPoll(cookie: string, pollId: number) {
  const request = makeRequest(`/polls/${pollId}`, { cookie });
  return run(() => pollLoader({ request, params: params(pollId), context: {} }));
}

async function unpack(response: Response) {
  const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
  const names = Object.keys(files);
  const csvName = names.find((n) => n.endsWith(".csv"))!;
  const rows: string[][] = parse(strFromU8(files[csvName]).replace(/^\uFEFF/, ""), { skip_empty_lines: true });
  const urls = rows.slice(1).map((row) => row[2]);
  return { names, urls, codes: urls.map((url) => url.split("/v/")[1]) };
}

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CredentialChangeError) return error.reason;
    throw error;
  }
  return "none";
}

afterEach(() => {
  delete process.env.PHIEU_PUBLIC_URL;
});

describe("issuing a batch from the poll page", () => {
  it("answers with a ZIP whose CSV holds N ballot URLs that open ballots once the poll is open", async () => {
    const f = await createPollFixture();
    const cookie = await sessionCookie(f.officer.id);
    const response = await issue(cookie, f.pollId, { groupId: String(f.group1.id), count: "4" });
    expect(response).toBeInstanceOf(Response);
    const zip = response as Response;
    expect(zip.status).toBe(200);
    expect(zip.headers.get("Content-Type")).toBe("application/zip");
    expect(zip.headers.get("Content-Disposition")).toMatch(
      /^attachment; filename="phieu-\d+-to-dan-pho-so-1-lo-\d+\.zip"$/
    );
    expect(zip.headers.get("Cache-Control")).toContain("no-store");
    const { names, urls, codes } = await unpack(zip);
    expect(names.some((n) => n.endsWith(".pdf"))).toBe(true);
    expect(urls).toHaveLength(4);
    for (const url of urls) expect(url).toMatch(/^http:\/\/localhost\/v\/[0-9A-Z]{24}$/);
    expect(new Set(codes).size).toBe(4);
    expect((await readBallot({ code: codes[0] })).state).toBe("not_open");
    await f.open();
    for (const code of codes) expect((await readBallot({ code })).state).toBe("open");
    // Only hashes are stored.
    const stored = await db.selectFrom("credentials").select("code_hash").execute();
    expect(stored.map((s) => s.code_hash)).not.toContain(codes[0]);
    expect(await credentialSummary({ pollId: f.pollId })).toContainEqual(
      expect.objectContaining({ groupId: f.group1.id, issued: 4, handedOut: 0, used: 0, voided: 0 })
    );
    const audit = await db.selectFrom("audit_log").select("action").where("action", "=", "credentials.issue").execute();
    expect(audit).toHaveLength(1);
  });

  it("puts PHIEU_PUBLIC_URL in the QR codes when it is set", async () => {
    process.env.PHIEU_PUBLIC_URL = "https://phieu.example.vn";
    const f = await createPollFixture();
    const cookie = await sessionCookie(f.officer.id);
    const response = (await issue(cookie, f.pollId, { groupId: String(f.group2.id), count: "2" })) as Response;
    const { urls } = await unpack(response);
    for (const url of urls) expect(url).toMatch(/^https:\/\/phieu\.example\.vn\/v\/[0-9A-Z]{24}$/);
  });

  it("refuses bad counts and closed polls back on the poll page, tampered groups with 404, GET with 405", async () => {
    const f = await createPollFixture();
    const cookie = await sessionCookie(f.officer.id);
    for (const count of ["0", "10001", "mười", ""]) {
      const refused = (await issue(cookie, f.pollId, { groupId: String(f.group1.id), count })) as Response;
      expect(refused.status).toBe(303);
      const location = new URL(refused.headers.get("Location")!, "http://localhost");
      expect(location.pathname).toBe(`/polls/${f.pollId}`);
      expect(location.searchParams.get("issueField")).toBe("count");
      // The poll page shows the message in the issue form.
      const page = dataOf(await loadPoll(cookie, f.pollId));
      expect(page.issueRefusal).toBeUndefined();
      const shown = dataOf(
        await run(() =>
          pollLoader({
            request: makeRequest(`${location.pathname}${location.search}`, { cookie }),
            params: params(f.pollId),
            context: {},
          })
        )
      );
      expect(Object.keys(shown.issueRefusal.errors)).toEqual(["count"]);
    }
    expect(statusOf(await issue(cookie, f.pollId, { groupId: String(f.otherGroup.id), count: "3" }))).toBe(404);
    expect(statusOf(await issue(cookie, f.pollId, { groupId: "abc", count: "3" }))).toBe(303);
    expect(await db.selectFrom("credential_batches").selectAll().execute()).toHaveLength(0);
    expect(statusOf(await run(() => issueLoader()))).toBe(405);

    await f.open();
    await closePoll({ actor: f.actor, pollId: f.pollId });
    const closed = (await issue(cookie, f.pollId, { groupId: String(f.group1.id), count: "3" })) as Response;
    expect(closed.status).toBe(303);
    expect(closed.headers.get("Location")).toContain("issueError=polls.credentials.error.pollFinished");
  });

  it("is refused to another ward's officer and to a counting member", async () => {
    const f = await createPollFixture();
    const other = await createUser("khac", [{ role: "front_officer", unitId: f.otherWard.id }]);
    const member = await createUser("kiemphieu", [{ role: "counting_member", unitId: f.ward.id }]);
    for (const user of [other, member]) {
      const cookie = await sessionCookie(user.id);
      expect(statusOf(await issue(cookie, f.pollId, { groupId: String(f.group1.id), count: "2" }))).toBe(403);
    }
    expect(await db.selectFrom("credential_batches").selectAll().execute()).toHaveLength(0);
  });
});

describe("handing out and voiding slips", () => {
  it("records handed-out counts, refusing more than the batch or fewer than its used slips", async () => {
    const f = await createPollFixture();
    const cookie = await sessionCookie(f.officer.id);
    const { batchId, slips } = await f.issue(f.group1.id, 5);
    const tooMany = await postPoll(cookie, f.pollId, { intent: "handedOut", batchId: String(batchId), handedOut: "6" });
    expect(statusOf(tooMany)).toBe(400);
    expect(dataOf(tooMany).errors.handedOut).toEqual({ key: "polls.credentials.error.tooMany", params: { size: 5 } });
    expect(dataOf(tooMany).values.handedOut).toBe("6");
    const negative = await postPoll(cookie, f.pollId, {
      intent: "handedOut",
      batchId: String(batchId),
      handedOut: "-1",
    });
    expect(statusOf(negative)).toBe(400);

    const ok = (await postPoll(cookie, f.pollId, {
      intent: "handedOut",
      batchId: String(batchId),
      handedOut: "3",
    })) as Response;
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Location")).toBe(`/polls/${f.pollId}?notice=handedOut#credentials`);
    const page = dataOf(await loadPoll(cookie, f.pollId));
    expect(page.summary.find((g: { groupId: number }) => g.groupId === f.group1.id).handedOut).toBe(3);

    await f.open();
    for (const slip of slips.slice(0, 2)) await castBallot({ code: slip.code, levels: [1, 1, 1] });
    expect(await errorOf(recordHandedOut({ actor: f.actor, pollId: f.pollId, batchId, handedOut: 1 }))).toBe(
      "belowUsed"
    );
    // A batch of another poll is a tampered form.
    const g = await createPollFixtureInSameWard(f);
    const foreign = await f.issue(f.group2.id, 1);
    expect(
      statusOf(
        await postPoll(cookie, g.pollId, { intent: "handedOut", batchId: String(foreign.batchId), handedOut: "1" })
      )
    ).toBe(404);
    const audit = await db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "=", "credentials.handed_out")
      .execute();
    expect(audit).toHaveLength(1);
  });

  it("voids a single slip by its typed code; a used code cannot be voided; voided codes are refused at casting", async () => {
    const f = await createPollFixture();
    const cookie = await sessionCookie(f.officer.id);
    const { slips } = await f.issue(f.group1.id, 3);
    await f.open();
    // Typed in lower case with spaces instead of hyphens.
    const typed = formatCode(slips[0].code).toLowerCase().replace(/-/g, " ");
    const voided = (await postPoll(cookie, f.pollId, { intent: "voidCode", code: typed })) as Response;
    expect(voided.status).toBe(302);
    expect(await castBallot({ code: slips[0].code, levels: [1, 1, 1] })).toEqual({
      status: "voided",
      pollId: f.pollId,
    });

    expect((await castBallot({ code: slips[1].code, levels: [1, 2, 3] })).status).toBe("counted");
    const used = await postPoll(cookie, f.pollId, { intent: "voidCode", code: formatCode(slips[1].code) });
    expect(statusOf(used)).toBe(400);
    expect(dataOf(used).errors.code).toEqual({ key: "polls.credentials.error.codeUsed", params: {} });

    const again = await postPoll(cookie, f.pollId, { intent: "voidCode", code: slips[0].code });
    expect(dataOf(again).errors.code.key).toBe("polls.credentials.error.alreadyVoided");
    const unknown = await postPoll(cookie, f.pollId, { intent: "voidCode", code: "0000-0000-0000-0000-0000-0000" });
    expect(dataOf(unknown).errors.code.key).toBe("polls.credentials.error.unknownCode");
    const garbage = await postPoll(cookie, f.pollId, { intent: "voidCode", code: "xin chào" });
    expect(dataOf(garbage).errors.code.key).toBe("polls.credentials.error.invalidCode");

    expect((await castBallot({ code: slips[2].code, levels: [1, 1, 1] })).status).toBe("counted");
    expect(await credentialSummary({ pollId: f.pollId })).toContainEqual(
      expect.objectContaining({ groupId: f.group1.id, issued: 3, used: 2, voided: 1 })
    );
    const audit = await db
      .selectFrom("audit_log")
      .select(["action", "details"])
      .where("action", "=", "credentials.void_code")
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0].details)).not.toContain(slips[0].code);
  });

  it("voids a whole batch: its unused slips are refused, its used ones stay counted", async () => {
    const f = await createPollFixture();
    const cookie = await sessionCookie(f.officer.id);
    const { batchId, slips } = await f.issue(f.group1.id, 4);
    const other = await f.issue(f.group1.id, 2);
    await f.open();
    expect((await castBallot({ code: slips[0].code, levels: [1, 1, 1] })).status).toBe("counted");
    const response = (await postPoll(cookie, f.pollId, { intent: "voidBatch", batchId: String(batchId) })) as Response;
    expect(response.headers.get("Location")).toBe(`/polls/${f.pollId}?notice=batchVoided&count=3#credentials`);
    for (const slip of slips.slice(1)) {
      expect((await castBallot({ code: slip.code, levels: [1, 1, 1] })).status).toBe("voided");
    }
    expect((await castBallot({ code: other.slips[0].code, levels: [1, 1, 1] })).status).toBe("counted");
    const batches = await listBatches({ pollId: f.pollId });
    expect(batches.map((b) => [b.id, b.used, b.voided, b.voided_at !== null])).toEqual([
      [batchId, 1, 3, true],
      [other.batchId, 1, 0, false],
    ]);
    const twice = await postPoll(cookie, f.pollId, { intent: "voidBatch", batchId: String(batchId) });
    expect(statusOf(twice)).toBe(409);
    expect(dataOf(twice).formError.key).toBe("polls.credentials.error.alreadyVoided");
    expect(statusOf(await postPoll(cookie, f.pollId, { intent: "voidBatch", batchId: "999999" }))).toBe(404);
  });

  it("voids every slip not handed out, of a batch or of a group, sparing used ones", async () => {
    const f = await createPollFixture();
    const cookie = await sessionCookie(f.officer.id);
    const a = await f.issue(f.group1.id, 5);
    const b = await f.issue(f.group1.id, 3);
    const c = await f.issue(f.group2.id, 4);
    await recordHandedOut({ actor: f.actor, pollId: f.pollId, batchId: a.batchId, handedOut: 2 });
    await recordHandedOut({ actor: f.actor, pollId: f.pollId, batchId: c.batchId, handedOut: 1 });
    await f.open();
    // Slip 5 of batch a was used though not recorded as handed out: it stays.
    expect((await castBallot({ code: a.slips[4].code, levels: [1, 1, 1] })).status).toBe("counted");
    const byBatch = (await postPoll(cookie, f.pollId, {
      intent: "voidUnhanded",
      batchId: String(a.batchId),
    })) as Response;
    expect(byBatch.headers.get("Location")).toContain("count=2");
    expect((await castBallot({ code: a.slips[1].code, levels: [1, 1, 1] })).status).toBe("counted");
    expect((await castBallot({ code: a.slips[2].code, levels: [1, 1, 1] })).status).toBe("voided");
    expect((await castBallot({ code: a.slips[3].code, levels: [1, 1, 1] })).status).toBe("voided");
    expect((await castBallot({ code: b.slips[0].code, levels: [1, 1, 1] })).status).toBe("counted");

    const byGroup = await voidUnhanded({ actor: f.actor, pollId: f.pollId, scope: { groupId: f.group2.id } });
    expect(byGroup).toEqual({ voided: 3 });
    expect((await castBallot({ code: c.slips[0].code, levels: [1, 1, 1] })).status).toBe("counted");
    expect((await castBallot({ code: c.slips[1].code, levels: [1, 1, 1] })).status).toBe("voided");
    expect(
      statusOf(await postPoll(cookie, f.pollId, { intent: "voidUnhanded", groupId: String(f.otherGroup.id) }))
    ).toBe(404);
    expect(await credentialSummary({ pollId: f.pollId })).toEqual([
      expect.objectContaining({ groupId: f.group1.id, issued: 8, handedOut: 2, used: 3, voided: 2 }),
      expect.objectContaining({ groupId: f.group2.id, issued: 4, handedOut: 1, used: 1, voided: 3 }),
    ]);
  });

  it("refuses voids once the poll is closed", async () => {
    const f = await createPollFixture();
    const { batchId, slips } = await f.issue(f.group1.id, 2);
    await f.open();
    await closePoll({ actor: f.actor, pollId: f.pollId });
    expect(await errorOf(voidBatch({ actor: f.actor, pollId: f.pollId, batchId }))).toBe("pollFinished");
    expect(await errorOf(voidCredential({ actor: f.actor, pollId: f.pollId, code: slips[0].code }))).toBe(
      "pollFinished"
    );
    expect(await errorOf(voidUnhanded({ actor: f.actor, pollId: f.pollId, scope: { batchId } }))).toBe("pollFinished");
    // The handed-out count can still be recorded after the count, until publication.
    expect(await recordHandedOut({ actor: f.actor, pollId: f.pollId, batchId, handedOut: 2 })).toEqual({
      handedOut: 2,
    });
  });
});

/** A second draft poll in the fixture's ward, by the same officer. */
async function createPollFixtureInSameWard(f: Awaited<ReturnType<typeof createPollFixture>>) {
  const { createPoll } = await import("~/polls/polls.server");
  const positions = await db.selectFrom("positions").select("id").execute();
  const poll = await createPoll({
    actor: f.actor,
    input: {
      unitId: f.ward.id,
      kind: "confidence_vote",
      title: "Bỏ phiếu tín nhiệm",
      place: "Hội trường",
      positionIds: positions.map((p) => p.id),
      groupIds: [f.group1.id],
      committee: [],
    },
  });
  return { pollId: poll.id };
}
