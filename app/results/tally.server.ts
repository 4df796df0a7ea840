// The tally of a closed poll, aggregated in SQL over the counted ballots; the same figures feed the results page,
// the minutes, the confirmations (through their hash) and `polls tally --json`.
import { createHash } from "node:crypto";
import { canonicalJson } from "~/audit/canonical";
import { sql } from "kysely";
import { db } from "~/db.server";
import { credentialSummary } from "~/credentials/credentials.server";
import { pollRules } from "~/polls/lifecycle.server";
import { subjectTally } from "./rules";
import { LEVELS, type PollTally } from "./tally";

export async function computeTally({ pollId }: { pollId: number }): Promise<PollTally | null> {
  const poll = await db
    .selectFrom("polls")
    .select(["id", "kind", "rules", "status"])
    .where("id", "=", pollId)
    .executeTakeFirst();
  if (!poll || poll.status === "draft" || poll.status === "open") return null;
  const rules = pollRules(poll.rules);
  const levels = LEVELS[poll.kind];

  const [subjects, answerCounts, totals, groups] = await Promise.all([
    db
      .selectFrom("poll_subjects")
      .select(["id", "full_name", "title", "unit_name", "sort_order"])
      .where("poll_id", "=", pollId)
      .orderBy("sort_order")
      .execute(),
    // One row per (subject position, level code): the whole count in one pass over the counted ballots.
    sql<{ ord: string; level: number; n: string }>`
      select a.ord, a.level, count(*) as n
      from counted_ballots cb, unnest(cb.levels) with ordinality as a(level, ord)
      where cb.poll_id = ${pollId}
      group by a.ord, a.level`.execute(db),
    db
      .selectFrom("polls")
      .select((eb) => [
        eb
          .selectFrom("counted_ballots")
          .select(eb.fn.countAll<string>().as("n"))
          .where("poll_id", "=", pollId)
          .as("counted"),
        eb
          .selectFrom("credential_uses")
          .select(eb.fn.countAll<string>().as("n"))
          .where("poll_id", "=", pollId)
          .as("receipts"),
        eb
          .selectFrom("credentials")
          .innerJoin("credential_uses", "credential_uses.code_hash", "credentials.code_hash")
          .select(eb.fn.countAll<string>().as("n"))
          .where("credentials.poll_id", "=", pollId)
          .as("used"),
      ])
      .where("id", "=", pollId)
      .executeTakeFirstOrThrow(),
    credentialSummary({ pollId }),
  ]);

  const collected = Number(totals.counted);
  const slips = groups.reduce(
    (sum, g) => ({
      issued: sum.issued + g.issued,
      handedOut: sum.handedOut + g.handedOut,
      used: sum.used + g.used,
      voided: sum.voided + g.voided,
    }),
    { issued: 0, handedOut: 0, used: 0, voided: 0 }
  );
  const byOrd = new Map<number, Map<number, number>>();
  for (const row of answerCounts.rows) {
    const ord = Number(row.ord);
    if (!byOrd.has(ord)) byOrd.set(ord, new Map());
    byOrd.get(ord)!.set(Number(row.level), Number(row.n));
  }
  const subjectTallies = subjects.map((s, index) => {
    const answers = byOrd.get(index + 1) ?? new Map<number, number>();
    const counts = Object.fromEntries(levels.map((level, i) => [level, answers.get(i + 1) ?? 0]));
    return subjectTally(
      poll.kind,
      {
        subjectId: s.id,
        fullName: s.full_name,
        title: s.title,
        unitName: s.unit_name,
        counts,
        invalid: answers.get(0) ?? 0,
      },
      { collected, issued: slips.handedOut },
      rules
    );
  });

  const receipts = Number(totals.receipts);
  const credentialsUsed = Number(totals.used);
  return {
    pollId,
    kind: poll.kind,
    levels,
    rules,
    slips,
    // Online, every ballot counted was issued by the system: valid as a ballot; blanks count per subject.
    ballots: { collected, valid: collected, invalid: 0 },
    turnoutPercent: slips.handedOut > 0 ? Math.round((collected / slips.handedOut) * 10000) / 100 : 0,
    subjects: subjectTallies,
    groups: groups.map((g) => ({
      unitId: g.groupId,
      name: g.name,
      slipsIssued: g.issued,
      slipsHandedOut: g.handedOut,
      ballotsCollected: g.used,
      suppressed: g.used < rules.k,
    })),
    invariant: {
      receipts,
      credentialsUsed,
      ballotsCounted: collected,
      holds: receipts === credentialsUsed && credentialsUsed === collected,
    },
  };
}

/** The hash a counting member's confirmation is bound to: any later change to the tally changes it. */
export function tallyHash(tally: PollTally): string {
  return createHash("sha256").update(canonicalJson(tally)).digest("hex");
}
