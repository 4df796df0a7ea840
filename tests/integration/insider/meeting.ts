// The ward the insider test runs: four residential groups, five cadres, a Front officer and three counting members
// with accounts, and three polls over the same subjects: one whose key the counting committee holds (2 of 3), one
// whose key the server holds, and a control poll (server-held key) that the test closes itself with mixing switched
// off, so that the same attack, run on the same bytes, shows it can link. Slips are issued and handed out as an
// officer does; every slip handed out is used, through the real ballot pages.
import { randomInt } from "node:crypto";
import { CompiledQuery } from "kysely";
import { currentDatabase, db, useDatabase, type OpenedDatabase } from "../../../app/db.server";
import { createPoll } from "../../../app/polls/polls.server";
import { hashCode, issueBatch, recordHandedOut } from "../../../app/credentials/credentials.server";
import { createUnit, createUser, TEST_PASSWORD } from "../../setup/fixtures";
import type { Queryable } from "../linkage/insider";
import { wardPositions, type RecordedCast } from "../linkage/poll";
import { castThroughForms } from "./server";

export const K = 5;
const SUBJECTS = 5;
/** 0 = blank, 1-3 = the confidence poll's levels: 4^5 = 1024 distinct answer vectors per poll. */
const CHOICES = 4;
/** Phones posting at once. */
const CONCURRENCY = 6;

/**
 * Slips handed out (and used) per residential group, and slips issued but never handed out. The fourth group is
 * below k: its 3 ballots are pooled, and the third group's 12 join them (a pool must hold k ballots from two groups).
 */
export const GROUP_PLAN = [
  { handedOut: 40, unused: 3 },
  { handedOut: 20, unused: 2 },
  { handedOut: 12, unused: 2 },
  { handedOut: 3, unused: 2 },
] as const;
export const BALLOTS_PER_POLL = GROUP_PLAN.reduce((n, g) => n + g.handedOut, 0);

export type PollRole = "committee" | "server" | "control";

export interface Slip {
  code: string;
  codeHash: string;
  groupId: number;
}

export interface MeetingPoll {
  role: PollRole;
  pollId: number;
  slips: Slip[];
}

export interface Meeting {
  wardId: number;
  groupIds: number[];
  officer: { id: number; username: string };
  members: { id: number; username: string }[];
  password: string;
  polls: Record<PollRole, MeetingPoll>;
}

/** Runs `fn` with the app's `db` on `opened` (the server's database), then puts the test's own back. */
export async function onDatabase<T>(opened: OpenedDatabase, fn: () => Promise<T>): Promise<T> {
  const previous = currentDatabase();
  useDatabase(opened);
  try {
    return await fn();
  } finally {
    useDatabase(previous);
  }
}

/** The insider's queries over a Kysely connection (the test's own, to the server's database). */
export function queryableOf(opened: OpenedDatabase): Queryable {
  return {
    query: async (text, params) => {
      const result = await opened.db.executeQuery(CompiledQuery.raw(text, (params ?? []) as unknown[]));
      return { rows: result.rows as never[] };
    },
  };
}

/**
 * Creates the ward, its people and its three polls through the app's own functions, on a connection to the
 * server's database: what the officer's pages would have done, without a page per click.
 */
export async function setUpMeeting(opened: OpenedDatabase): Promise<Meeting> {
  return onDatabase(opened, async () => {
    // The server seeded its demo ward on its first start: this ward has names of its own.
    const province = await createUnit("Tỉnh Thử nghiệm", "province");
    const ward = await createUnit("Phường Kiểm tra", "ward", province.id);
    const groups: { id: number }[] = [];
    for (let i = 1; i <= GROUP_PLAN.length; i++) {
      groups.push(await createUnit(`Tổ dân phố số ${i}`, "residential_group", ward.id));
    }
    const wards = { ward };
    const officer = await createUser("insider_mattran", [{ role: "front_officer", unitId: wards.ward.id }]);
    const members: { id: number; username: string }[] = [];
    for (let i = 1; i <= 3; i++) {
      members.push(
        await createUser(
          `insider_kiemphieu${i}`,
          [{ role: "counting_member", unitId: wards.ward.id }],
          `Thành viên ${i}`
        )
      );
    }
    const actor = { userId: officer.id, label: officer.username };
    const positionIds = await wardPositions(wards.ward.id, SUBJECTS);
    const poll = async (role: PollRole): Promise<MeetingPoll> => {
      const committeeKeyed = role === "committee";
      const created = await createPoll({
        actor,
        input: {
          unitId: wards.ward.id,
          kind: "confidence_poll",
          title: `Lấy phiếu tín nhiệm cán bộ chủ chốt năm 2026 (${role})`,
          place: "Hội trường UBND phường",
          positionIds,
          groupIds: groups.map((g) => g.id),
          committee: members.map((m, i) => ({
            fullName: `Thành viên ${i + 1}`,
            role: i === 0 ? "Trưởng ban" : "Thành viên",
            userId: m.id,
          })),
          rules: { k: K },
          ...(committeeKeyed ? { keyMode: "committee" as const, sharesRequired: 2 } : { keyMode: "server" as const }),
        },
      });
      const slips: Slip[] = [];
      for (const [i, plan] of GROUP_PLAN.entries()) {
        const groupId = groups[i].id;
        const batch = await issueBatch({ actor, pollId: created.id, groupId, count: plan.handedOut + plan.unused });
        await recordHandedOut({ actor, pollId: created.id, batchId: batch.batchId, handedOut: plan.handedOut });
        for (const s of batch.slips.slice(0, plan.handedOut))
          slips.push({ code: s.code, codeHash: hashCode(s.code), groupId });
      }
      return { role, pollId: created.id, slips };
    };
    return {
      wardId: wards.ward.id,
      groupIds: groups.map((g) => g.id),
      officer,
      members,
      password: TEST_PASSWORD,
      polls: { committee: await poll("committee"), server: await poll("server"), control: await poll("control") },
    };
  });
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Every slip of every poll is used once, in one random order across polls and groups, CONCURRENCY phones at a time,
 * each through the ballot pages; within a poll every ballot gets an answer vector of its own, so that the true
 * pairing of credentials and counted ballots is known exactly. Returns, per poll, what the test knows and the
 * insider must guess: who cast which answers, their receipts, and when their final posts went out and came back.
 */
export async function castEverything(baseUrl: string, polls: MeetingPoll[]): Promise<Map<number, RecordedCast[]>> {
  const queue: { pollId: number; slip: Slip; levels: number[] }[] = [];
  for (const poll of polls) {
    const vectors = shuffled(
      Array.from({ length: CHOICES ** SUBJECTS }, (_, n) =>
        Array.from({ length: SUBJECTS }, (_, s) => Math.floor(n / CHOICES ** s) % CHOICES)
      )
    );
    poll.slips.forEach((slip, i) => queue.push({ pollId: poll.pollId, slip, levels: vectors[i] }));
  }
  const order = shuffled(queue);
  const recorded = new Map<number, RecordedCast[]>(polls.map((p) => [p.pollId, []]));
  const all: RecordedCast[] = [];
  const phone = async () => {
    for (let next = order.shift(); next; next = order.shift()) {
      let timing = { startedAt: 0, finishedAt: 0 };
      const receipt = await castThroughForms(baseUrl, next.slip.code, next.levels, (t) => (timing = t));
      const cast = {
        codeHash: next.slip.codeHash,
        groupId: next.slip.groupId,
        levels: next.levels,
        receipt,
        issueOrder: 0,
        finishOrder: 0,
        ...timing,
      };
      recorded.get(next.pollId)!.push(cast);
      all.push(cast);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, phone));
  // The order in which the final posts went out and came back, across polls: what a request log would show.
  [...all].sort((a, b) => a.startedAt - b.startedAt).forEach((c, i) => (c.issueOrder = i));
  [...all].sort((a, b) => a.finishedAt - b.finishedAt).forEach((c, i) => (c.finishOrder = i));
  return recorded;
}
