import { describe, expect, it } from "vitest";
import { hashCode } from "~/credentials/credentials.server";
import { db } from "~/db.server";
import { closePoll } from "~/polls/lifecycle.server";
import { action as ballotAction, headers as ballotHeaders, loader as ballotLoader } from "~/routes/v.$code";
import { action as entryAction, headers as entryHeaders } from "~/routes/v._index";
import { dataOf, makeRequest, run, statusOf } from "../../tests/setup/fixtures";
import { createPollFixture } from "../../tests/setup/poll-fixtures";
import type { BallotView, OpenBallotView } from "./ballot.server";

const RECEIPT = /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/;

/** What a phone with a Telex keyboard makes of a code: lower case, in spaced groups, an accent on each group. */
function telexMangled(code: string): string {
  return code
    .toLowerCase()
    .match(/.{4}/g)!
    .map((group) => `${group[0]}\u0301${group.slice(1)}`)
    .join(" ")
    .normalize("NFD");
}

function openPage(code: string) {
  return run(() =>
    ballotLoader({ request: makeRequest(`/v/${encodeURIComponent(code)}`), params: { code }, context: {} })
  );
}

function post(code: string, form: Record<string, string | string[]>) {
  return run(() => ballotAction({ request: makeRequest(`/v/${code}`, { form }), params: { code }, context: {} }));
}

function typeCode(code: string) {
  return run(() => entryAction({ request: makeRequest("/v?index", { form: { code } }), params: {}, context: {} }));
}

const viewOf = (result: unknown) => dataOf<BallotView>(result);

function openView(result: unknown): OpenBallotView {
  const view = viewOf(result);
  if (view.state !== "open") throw new Error(`expected the ballot, got ${view.state}`);
  return view;
}

/** What the database holds for the poll's ballots: uses of credentials (with receipts) and sealed ballots. */
async function stored(pollId: number) {
  const uses = await db
    .selectFrom("credential_uses")
    .select(db.fn.countAll<string>().as("n"))
    .where("poll_id", "=", pollId)
    .executeTakeFirstOrThrow();
  const box = await db
    .selectFrom("ballot_box")
    .select(db.fn.countAll<string>().as("n"))
    .where("poll_id", "=", pollId)
    .executeTakeFirstOrThrow();
  return { uses: Number(uses.n), box: Number(box.n) };
}

async function openPoll() {
  const f = await createPollFixture();
  const { slips } = await f.issue(f.group1.id, 3);
  await f.open();
  const ballot = openView(await openPage(slips[0].code));
  const [a, b, c] = ballot.subjects.map((s) => `s${s.id}`);
  return { ...f, codes: slips.map((s) => s.code), ballot, fields: { a, b, c } };
}

describe("the resident's ballot", () => {
  it("opens from a code typed in lower case, without hyphens, with the accents a Telex keyboard added", async () => {
    const f = await createPollFixture();
    const { slips } = await f.issue(f.group1.id, 1);
    await f.open();
    const code = slips[0].code;
    const mangled = telexMangled(code);
    expect(mangled).not.toContain(code.slice(0, 4));

    const typed = (await typeCode(mangled)) as Response;
    expect(typed.status).toBe(302);
    expect(typed.headers.get("Location")).toBe(`/v/${code}`);

    const scanned = (await openPage(mangled)) as Response;
    expect(scanned.status).toBe(302);
    expect(scanned.headers.get("Location")).toBe(`/v/${code}`);
    expect(scanned.headers.get("Cache-Control")).toBe("no-store");

    const page = await openPage(code);
    expect(statusOf(page)).toBe(200);
    const ballot = openView(page);
    expect(ballot.step).toBe("ballot");
    expect(ballot.poll).toMatchObject({
      title: "Lấy phiếu tín nhiệm cán bộ chủ chốt năm 2026",
      place: "Hội trường UBND phường",
      wardName: "Phường Thanh Xuân",
      unitName: null,
      kind: "confidence_poll",
      closed: false,
    });
    expect(ballot.subjects.map((s) => [s.fullName, s.title, s.unitName])).toEqual([
      ["Nguyễn Văn Thành", "Bí thư Đảng ủy", "Phường Thanh Xuân"],
      ["Lê Minh Đức", "Chủ tịch UBND", "Phường Thanh Xuân"],
      ["Vũ Thị Hương", "Chủ tịch UBMTTQ", "Phường Thanh Xuân"],
    ]);
    expect(ballot.choices).toEqual({});
    expect(await stored(f.pollId)).toEqual({ uses: 0, box: 0 });
  });

  it("answers a code that cannot be one with a field error in Vietnamese, keeping what was typed", async () => {
    for (const [typed, error] of [
      ["", "ballots.code.required"],
      ["abc", "ballots.code.malformed"],
      // Telex turns "dd" into "đ": D is not in the alphabet, so this is refused rather than guessed at.
      ["đbcf-gh2j-0k3m-np4q-rs5t-vx6z", "ballots.code.malformed"],
      ["7BCF-GH2J-0K3M-NP4Q-RS5T-VX6Z-7BCF", "ballots.code.malformed"],
    ] as const) {
      const result = await typeCode(typed);
      expect(statusOf(result)).toBe(400);
      expect(dataOf(result).errors).toEqual({ code: error });
      if (typed) expect(dataOf(result).values.code).toBe(typed);
    }
  });

  it("reviews the choices without storing anything, warns about a blank, and edits with the choices kept", async () => {
    const { pollId, codes, fields } = await openPoll();
    const review = await post(codes[0], { intent: "review", [fields.a]: "1", [fields.b]: "3" });
    expect(statusOf(review)).toBe(200);
    const reviewed = openView(review);
    expect(reviewed.step).toBe("review");
    // The blank subject is carried explicitly, so the review page can flag it and the final post names it.
    expect(reviewed.choices).toEqual({ [fields.a]: "1", [fields.b]: "3", [fields.c]: "0" });
    expect(reviewed.errors).toEqual({});
    expect(await stored(pollId)).toEqual({ uses: 0, box: 0 });

    const edit = await post(codes[0], { intent: "edit", ...reviewed.choices });
    const edited = openView(edit);
    expect(edited.step).toBe("ballot");
    expect(edited.choices).toEqual(reviewed.choices);
    expect(await stored(pollId)).toEqual({ uses: 0, box: 0 });
    expect(openView(await openPage(codes[0])).step).toBe("ballot");
  });

  it("casts on the final post, answers with the receipt, and a re-post or a second visit shows the same receipt", async () => {
    const { pollId, codes, fields, actor } = await openPoll();
    const cast = await post(codes[0], { intent: "cast", [fields.a]: "2", [fields.b]: "0", [fields.c]: "1" });
    expect(statusOf(cast)).toBe(200);
    const recorded = viewOf(cast);
    if (recorded.state !== "recorded") throw new Error(recorded.state);
    expect(recorded.receipt).toMatch(RECEIPT);
    expect(recorded.poll.closed).toBe(false);
    expect(await stored(pollId)).toEqual({ uses: 1, box: 1 });

    // A refresh re-posts the form: nothing is cast twice, and the page is the same.
    const again = await post(codes[0], { intent: "cast", [fields.a]: "3", [fields.b]: "3", [fields.c]: "3" });
    expect(statusOf(again)).toBe(200);
    expect(viewOf(again)).toEqual(recorded);
    // A review posted from a stale tab, and the slip opened again after a dropped connection.
    expect(viewOf(await post(codes[0], { intent: "review", [fields.a]: "1" }))).toEqual(recorded);
    expect(viewOf(await openPage(codes[0]))).toEqual(recorded);
    expect(await stored(pollId)).toEqual({ uses: 1, box: 1 });

    // The blank counts as 0 for its subject; after the close the page says the ballot was counted.
    await closePoll({ actor, pollId });
    const counted = await db.selectFrom("counted_ballots").select("levels").where("poll_id", "=", pollId).execute();
    expect(counted.map((c) => c.levels)).toEqual([[2, 0, 1]]);
    const afterClose = viewOf(await openPage(codes[0]));
    expect(afterClose).toMatchObject({ state: "recorded", receipt: recorded.receipt, poll: { closed: true } });
  });

  it("refuses tampered hidden fields with 400 and stores nothing", async () => {
    const { pollId, codes, fields } = await openPoll();
    const full = { [fields.a]: "1", [fields.b]: "2", [fields.c]: "3" };
    const tampered: [string, Record<string, string | string[]>, string][] = [
      ["a level the poll does not have", { intent: "cast", ...full, [fields.b]: "9" }, fields.b],
      ["a subject that is not on the ballot", { intent: "cast", ...full, s999999: "1" }, "_form"],
      ["a subject missing", { intent: "cast", [fields.a]: "1", [fields.b]: "2" }, fields.c],
      ["a subject twice", { intent: "cast", ...full, [fields.a]: ["1", "3"] }, fields.a],
      ["a level that is not a number", { intent: "cast", ...full, [fields.c]: "high_confidence" }, fields.c],
      ["a radio button with a level 9", { intent: "review", [fields.a]: "9" }, fields.a],
      ["an intent the page does not have", { intent: "vote", ...full }, "_form"],
    ];
    for (const [what, form, field] of tampered) {
      const result = await post(codes[0], form);
      expect(statusOf(result), what).toBe(400);
      const view = openView(result);
      expect(view.step, what).toBe("ballot");
      expect(Object.keys(view.errors), what).toContain(field);
      expect(Object.values(view.choices), what).not.toContain("9");
    }
    expect(await stored(pollId)).toEqual({ uses: 0, box: 0 });
    // The code is still good for a proper ballot.
    expect(viewOf(await post(codes[0], { intent: "cast", ...full })).state).toBe("recorded");
  });

  it("gives unknown, voided, not yet open and closed codes each their own page, and stores nothing", async () => {
    const f = await createPollFixture();
    const { slips } = await f.issue(f.group1.id, 3);
    const [early, voided, late] = slips.map((s) => s.code);
    const anyChoice = { intent: "cast" };

    const unknown = await openPage("7BCFGH2J0K3MNP4QRS5TVX6Z");
    expect(statusOf(unknown)).toBe(404);
    expect(viewOf(unknown)).toEqual({ state: "unknown" });
    expect(statusOf(await openPage("not-a-code"))).toBe(404);
    expect(statusOf(await post("7BCFGH2J0K3MNP4QRS5TVX6Z", anyChoice))).toBe(404);

    const opensAt = new Date(Date.now() + 3 * 24 * 3600_000);
    await db.updateTable("polls").set({ scheduled_open_at: opensAt }).where("id", "=", f.pollId).execute();
    const notOpen = await openPage(early);
    expect(statusOf(notOpen)).toBe(403);
    expect(viewOf(notOpen)).toMatchObject({ state: "not_open", poll: { opensAt: opensAt.toISOString() } });
    expect(statusOf(await post(early, anyChoice))).toBe(403);

    await f.open();
    await db
      .updateTable("credentials")
      .set({ voided_at: new Date() })
      .where("code_hash", "=", hashCode(voided))
      .execute();
    const voidedPage = await openPage(voided);
    expect(statusOf(voidedPage)).toBe(410);
    expect(viewOf(voidedPage)).toMatchObject({ state: "voided", poll: { wardName: "Phường Thanh Xuân" } });
    const ballot = openView(await openPage(late));
    const full = Object.fromEntries(ballot.subjects.map((s) => [`s${s.id}`, "1"]));
    expect(statusOf(await post(voided, { intent: "cast", ...full }))).toBe(410);

    await closePoll({ actor: f.actor, pollId: f.pollId });
    const closed = await openPage(late);
    expect(statusOf(closed)).toBe(410);
    expect(viewOf(closed)).toMatchObject({ state: "closed", poll: { closed: true, place: "Hội trường UBND phường" } });
    // A ballot reviewed before the close and sent after it.
    const sentLate = await post(late, { intent: "cast", ...full });
    expect(statusOf(sentLate)).toBe(410);
    expect(viewOf(sentLate).state).toBe("closed");
    expect(await stored(f.pollId)).toEqual({ uses: 0, box: 0 });
  });

  it("tells browsers to keep no copy of a ballot page", () => {
    for (const headers of [ballotHeaders, entryHeaders]) {
      const sent = new Headers(headers({} as never) as HeadersInit);
      expect(sent.get("Cache-Control")).toBe("no-store");
    }
  });
});
