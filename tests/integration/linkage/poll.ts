// The poll the linkage attack runs against: a ward with four residential groups of unequal sizes (one below k, so
// that its ballots are counted without their group), five subjects, and residents casting from the test process,
// interleaved across groups, several at a time. Every ballot gets an answer vector of its own, so that the true
// pairing of credentials and ballots is known exactly and every guess can be scored.
import { randomInt } from "node:crypto";
import { db } from "../../../app/db.server";
import { createPoll } from "../../../app/polls/polls.server";
import { issueBatch, hashCode, recordHandedOut } from "../../../app/credentials/credentials.server";
import { openPoll } from "../../../app/polls/lifecycle.server";
import { castBallot } from "../../../app/ballots/cast.server";
import { createUnit, createUser, createWards } from "../../setup/fixtures";

export const K = 5;
const SUBJECTS = 5;
/** 0 = blank, 1-3 = the confidence poll's levels: 4^5 = 1024 distinct answer vectors. */
const CHOICES = 4;
const CONCURRENCY = 8;

/** Slips issued and handed out per group; every slip handed out is used. The last group stays below k. */
export const GROUP_PLAN = [
  { issued: 130, handedOut: 120 },
  { issued: 70, handedOut: 60 },
  { issued: 35, handedOut: 30 },
  { issued: 5, handedOut: 3 },
] as const;

export interface RecordedCast {
  codeHash: string;
  groupId: number;
  levels: number[];
  receipt: string;
  /** Position of the request among all casts, in the order they were sent (a log line written on arrival). */
  issueOrder: number;
  /** Position among all casts in the order their responses came back (a log line written on finish). */
  finishOrder: number;
  /** Wall-clock milliseconds, as a timestamped request log would show them. */
  startedAt: number;
  finishedAt: number;
}

export function answerKey(levels: readonly number[]): string {
  return levels.join(",");
}

function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A drafted poll over five subjects for four residential groups, with its slips issued and handed out. */

/** `count` cadres of the ward, each holding one of the built-in positions since 2021: a poll's subjects. */
export async function wardPositions(wardId: number, count: number): Promise<number[]> {
  const titles = await db
    .selectFrom("position_titles")
    .select("id")
    .where("ward_id", "is", null)
    .orderBy("sort_order")
    .limit(count)
    .execute();
  const positionIds: number[] = [];
  for (const [i, title] of titles.entries()) {
    const cadre = await db
      .insertInto("cadres")
      .values({ ward_id: wardId, full_name: `Cán bộ số ${i + 1}`, birth_year: 1970 + i })
      .returning("id")
      .executeTakeFirstOrThrow();
    const position = await db
      .insertInto("positions")
      .values({ cadre_id: cadre.id, unit_id: wardId, title_id: title.id, started_on: "2021-07-01" })
      .returning("id")
      .executeTakeFirstOrThrow();
    positionIds.push(position.id);
  }
  return positionIds;
}

export async function setUpPoll({ suffix }: { suffix: string }) {
  const wards = await createWards();
  const group3 = await createUnit("Tổ dân phố số 3", "residential_group", wards.ward.id);
  const group4 = await createUnit("Tổ dân phố số 4", "residential_group", wards.ward.id);
  const groups = [wards.group1, wards.group2, group3, group4];
  const officer = await createUser(`mattran_${suffix}`, [{ role: "front_officer", unitId: wards.ward.id }]);
  const actor = { userId: officer.id, label: officer.username };

  const positionIds = await wardPositions(wards.ward.id, SUBJECTS);
  const poll = await createPoll({
    actor,
    input: {
      unitId: wards.ward.id,
      kind: "confidence_poll",
      title: "Lấy phiếu tín nhiệm cán bộ chủ chốt năm 2026",
      place: "Hội trường UBND phường",
      positionIds,
      groupIds: groups.map((g) => g.id),
      committee: [{ fullName: "Trần Văn Bình", role: "Trưởng ban" }],
      rules: { k: K },
      // Server key mode: the test closes with mixing switched off, and counts at once.
      keyMode: "server",
    },
  });

  const slips: { code: string; codeHash: string; groupId: number }[] = [];
  for (const [i, plan] of GROUP_PLAN.entries()) {
    const groupId = groups[i].id;
    const batch = await issueBatch({ actor, pollId: poll.id, groupId, count: plan.issued });
    await recordHandedOut({ actor, pollId: poll.id, batchId: batch.batchId, handedOut: plan.handedOut });
    // Slips are handed out in the order of their numbers.
    for (const s of batch.slips.slice(0, plan.handedOut))
      slips.push({ code: s.code, codeHash: hashCode(s.code), groupId });
  }
  return {
    pollId: poll.id,
    actor,
    groupIds: groups.map((g) => g.id),
    slips,
    open: () => openPoll({ actor, pollId: poll.id }),
  };
}

/**
 * Every slip is used once, in a random order across groups, CONCURRENCY residents at a time; each ballot gets a
 * distinct random answer vector. Returns what the test knows and the insider must guess.
 */
export async function castAll(slips: { code: string; codeHash: string; groupId: number }[]): Promise<RecordedCast[]> {
  const vectors = shuffled(
    Array.from({ length: CHOICES ** SUBJECTS }, (_, n) =>
      Array.from({ length: SUBJECTS }, (_, s) => Math.floor(n / CHOICES ** s) % CHOICES)
    )
  );
  if (slips.length > vectors.length) throw new Error("more ballots than distinct answer vectors");
  const queue = shuffled(slips).map((slip, i) => ({ ...slip, levels: vectors[i] }));
  const recorded: RecordedCast[] = [];
  let issued = 0;
  let finished = 0;
  const worker = async () => {
    for (;;) {
      const next = queue.shift();
      if (!next) return;
      const issueOrder = issued++;
      const startedAt = wallClock();
      const result = await castBallot({ code: next.code, levels: next.levels });
      const finishedAt = wallClock();
      if (result.status !== "counted") throw new Error(`a cast was refused: ${result.status}`);
      recorded.push({
        codeHash: next.codeHash,
        groupId: next.groupId,
        levels: next.levels,
        receipt: result.receipt,
        issueOrder,
        finishOrder: finished++,
        startedAt,
        finishedAt,
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return recorded;
}
