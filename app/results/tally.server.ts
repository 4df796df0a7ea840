// The tally of a closed poll, aggregated in SQL over the counted ballots; the same figures feed the results page,
// the minutes, the confirmations (through their hash) and `polls tally --json`. Breakdowns by residential group
// are suppressed here, in the tally itself, so that no output can show a withheld figure.
import { createHash } from "node:crypto";
import { canonicalJson } from "~/audit/canonical";
import { sql, type Kysely } from "kysely";
import { db } from "~/db.server";
import { listPaperEntries } from "~/paper/paper.server";
import type { Database } from "../../db/schema";
import { credentialCounts } from "~/credentials/credentials.server";
import { pollRules } from "~/polls/lifecycle.server";
import { groupTotal, reconcile } from "./reconcile";
import { quorumMet, subjectTally } from "./rules";
import { attachAcknowledgements } from "./warnings.server";
import { MIN_K, suppressCells, suppressTable, type TableRow } from "./suppression";
import {
  LEVELS,
  type BreakdownColumn,
  type ChannelCounts,
  type GroupTally,
  type Level,
  type PollTally,
  type SubjectGroupRow,
  type SubjectTally,
} from "./tally";

/**
 * `executor`: the shared `db`, or a transaction that holds the poll's lock (publishing freezes exactly the tally it
 * computes under the lock, so no paper entry can change in between).
 */
export async function computeTally(
  { pollId }: { pollId: number },
  executor: Kysely<Database> = db
): Promise<PollTally | null> {
  const poll = await executor
    .selectFrom("polls")
    .select(["id", "kind", "rules", "status", "counted_at"])
    .where("id", "=", pollId)
    .executeTakeFirst();
  if (!poll || poll.status === "draft" || poll.status === "open") return null;
  // Closed but not counted: the committee has not yet entered its key shares.
  if (poll.status === "closed" && !poll.counted_at) return null;
  const stored = pollRules(poll.rules);
  // A k below the floor (a poll stored before it was enforced) is raised, and the tally says so.
  const rules = { ...stored, k: Math.max(MIN_K, Math.ceil(Number(stored.k) || 0)) };
  const levels = LEVELS[poll.kind];

  const subjects = await executor
    .selectFrom("poll_subjects")
    .select(["id", "full_name", "title", "unit_name", "sort_order"])
    .where("poll_id", "=", pollId)
    .orderBy("sort_order")
    .execute();
  const [counted, receipts, credentials, paperEntries] = await Promise.all([
    countedAnswers({ pollId, subjects: subjects.length, levels: levels.length }, executor),
    executor
      .selectFrom("credential_uses")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("poll_id", "=", pollId)
      .executeTakeFirstOrThrow(),
    credentialCounts({ pollId }, executor),
    listPaperEntries({ pollId }, executor),
  ]);
  const groups = credentials.groups;

  const online = counted.ballots;
  const slips = groups.reduce(
    (sum, g) => ({
      issued: sum.issued + g.issued,
      handedOut: sum.handedOut + g.handedOut,
      used: sum.used + g.used,
      voided: sum.voided + g.voided,
    }),
    { issued: 0, handedOut: 0, used: 0, voided: 0 }
  );

  // Paper: only the entries a second counting member confirmed as they stand are counted.
  const confirmed = paperEntries.filter((e) => e.confirmedBy !== null);
  const paperBallots = confirmed.reduce(
    (sum, e) => ({
      issued: sum.issued + e.issued,
      collected: sum.collected + e.collected,
      valid: sum.valid + e.valid,
      invalid: sum.invalid + e.invalid,
    }),
    { issued: 0, collected: 0, valid: 0, invalid: 0 }
  );
  const paperBySubject = new Map<number, { counts: number[]; invalid: number }>();
  for (const entry of confirmed) {
    for (const subject of entry.subjects) {
      const sum = paperBySubject.get(subject.subjectId) ?? { counts: levels.map(() => 0), invalid: 0 };
      subject.counts.forEach((n, i) => (sum.counts[i] += n));
      sum.invalid += subject.invalid;
      paperBySubject.set(subject.subjectId, sum);
    }
  }
  const hasPaper = confirmed.length > 0;
  const collected = online + paperBallots.collected;

  const channels = subjects.map((s, index) => {
    const answers = counted.all[index];
    const paper = paperBySubject.get(s.id) ?? { counts: levels.map(() => 0), invalid: 0 };
    return {
      online: {
        counts: Object.fromEntries(levels.map((level, i) => [level, answers.get(i + 1) ?? 0])),
        invalid: answers.get(0) ?? 0,
      } as ChannelCounts,
      paper: {
        counts: Object.fromEntries(levels.map((level, i) => [level, paper.counts[i] ?? 0])),
        invalid: paper.invalid,
      } as ChannelCounts,
    };
  });
  const subjectTallies = subjects.map((s, index) => {
    const { online: o, paper: p } = channels[index];
    const tally = subjectTally(
      poll.kind,
      {
        subjectId: s.id,
        fullName: s.full_name,
        title: s.title,
        unitName: s.unit_name,
        counts: Object.fromEntries(levels.map((level) => [level, (o.counts[level] ?? 0) + (p.counts[level] ?? 0)])),
        invalid: o.invalid + p.invalid,
      },
      { collected, issued: slips.handedOut + paperBallots.issued, invalidBallots: paperBallots.invalid },
      rules
    );
    return hasPaper ? { ...tally, byChannel: channels[index] } : tally;
  });

  // A group that cast ballots none of which carry it: under k, or one that joined the pool to cover a small one.
  const pooled = new Set(groups.filter((g) => g.used > 0 && !counted.byGroup.has(g.groupId)).map((g) => g.groupId));
  const protectedGroups = protectGroups(
    groups.map((g) => ({ unitId: g.groupId, name: g.name, issued: g.issued, handedOut: g.handedOut, used: g.used })),
    rules.k,
    pooled
  );
  const paperOfGroup = (unitId: number) =>
    confirmed.filter((e) => e.groupId === unitId).reduce((sum, e) => sum + e.collected, 0);
  const groupTallies: GroupTally[] = hasPaper
    ? protectedGroups.map((g) => ({ ...g, totalCollected: groupTotal(g, paperOfGroup(g.unitId)) }))
    : protectedGroups;
  // Per group, the online channel: its column totals are the online counts (published in the ballots file).
  const subjectsWithGroups = subjectTallies.map((subject, index) => ({
    ...subject,
    byGroup: protectSubjectByGroup({
      levels,
      subject: channels[index].online,
      groups: groupTallies,
      attributed: new Map([...counted.byGroup].map(([groupId, perSubject]) => [groupId, perSubject[index]])),
      k: rules.k,
    }),
  }));

  const paper = paperEntries.map((e) => ({
    unitId: e.groupId,
    name: e.groupName ?? "",
    summoned: e.summoned,
    present: e.present,
    quorumMet: quorumMet(e.summoned, e.present, rules.quorum),
    issued: e.issued,
    collected: e.collected,
    valid: e.valid,
    invalid: e.invalid,
    confirmed: e.confirmedBy !== null,
  }));
  const warnings = await attachAcknowledgements(
    pollId,
    reconcile({
      rules,
      groups: groups.map((g, i) => ({
        unitId: g.groupId,
        name: g.name,
        handedOut: g.handedOut,
        used: g.used,
        suppressed: protectedGroups[i].suppressed,
      })),
      paper,
      onlineCollected: online,
    }),
    executor
  );

  const receiptsIssued = Number(receipts.n);
  const credentialsUsed = credentials.used;
  const given = slips.handedOut + paperBallots.issued;
  return {
    pollId,
    kind: poll.kind,
    levels,
    rules,
    slips,
    // Online, every ballot counted was issued by the system: valid as a ballot (blanks count per subject); on
    // paper, a ballot can be invalid as a whole.
    ballots: {
      collected,
      valid: online + paperBallots.valid,
      invalid: paperBallots.invalid,
      ...(hasPaper
        ? {
            byChannel: {
              online: { collected: online, valid: online, invalid: 0 },
              paper: { collected: paperBallots.collected, valid: paperBallots.valid, invalid: paperBallots.invalid },
            },
          }
        : {}),
    },
    turnoutPercent: given > 0 ? Math.round((collected / given) * 10000) / 100 : 0,
    subjects: subjectsWithGroups,
    groups: groupTallies,
    invariant: {
      receipts: receiptsIssued,
      credentialsUsed,
      ballotsCounted: online,
      holds: receiptsIssued === credentialsUsed && credentialsUsed === online,
    },
    paper,
    warnings,
  };
}

/**
 * The counted ballots of a poll in one pass over the counted table, grouped by the residential group they carry
 * (null: the pool, app/ballots/pooling.ts): the ballots, and per subject the ballots per level code (0 = left
 * blank, i = the poll kind's i-th level). `all` is every ballot; `byGroup` only the groups carried.
 *
 * Each ballot's answers are read once, in a subquery, and then counted by plain comparisons: the volatile column
 * keeps the planner from folding the subquery into the outer query (it would then read `levels[s]` again for every
 * level), and, unlike OFFSET 0, leaves the scan free to run on parallel workers. A million ballots of ten subjects
 * cost about 0.6 s of CPU this way, a third of what unnesting each ballot's array with its ordinality does.
 */
async function countedAnswers(
  { pollId, subjects, levels }: { pollId: number; subjects: number; levels: number },
  executor: Kysely<Database>
) {
  const codes = levels + 1;
  // Only integers of this function's own making are spelled into the SQL.
  const answer = (s: number) => sql.raw(`a${s + 1}`);
  const answers = Array.from({ length: subjects }, (_, s) => sql`, ${sql.raw(`levels[${s + 1}]`)} as ${answer(s)}`);
  const cells = Array.from({ length: subjects * codes }, (_, i) => {
    const code = i % codes;
    return sql`count(*) filter (where ${answer(Math.floor(i / codes))} = ${sql.raw(String(code))})`;
  });
  const { rows } = await sql<{ group_id: number | null; ballots: string; cells: (number | string)[] }>`
    select group_id, count(*) as ballots,
      ${cells.length > 0 ? sql`array[${sql.join(cells)}]::int[]` : sql`'{}'::int[]`} as cells
    from (
      select group_id${sql.join(answers, sql``)}, clock_timestamp() as fence
      from counted_ballots
      where poll_id = ${pollId}
    ) answers
    group by group_id`.execute(executor);

  let ballots = 0;
  const all = Array.from({ length: subjects }, () => new Map<number, number>());
  const byGroup = new Map<number, Map<number, number>[]>();
  for (const row of rows) {
    ballots += Number(row.ballots);
    const perSubject = Array.from(
      { length: subjects },
      (_, s) => new Map(Array.from({ length: codes }, (_, code) => [code, Number(row.cells[s * codes + code])]))
    );
    perSubject.forEach((counts, s) => counts.forEach((n, code) => all[s].set(code, (all[s].get(code) ?? 0) + n)));
    if (row.group_id !== null) byGroup.set(row.group_id, perSubject);
  }
  return { ballots, all, byGroup };
}

/** The hash a counting member's confirmation is bound to: any later change to the tally changes it. */
export function tallyHash(tally: PollTally): string {
  return createHash("sha256").update(canonicalJson(tally)).digest("hex");
}

export interface GroupCounts {
  unitId: number;
  name: string;
  issued: number;
  handedOut: number;
  /** Credentials used: exactly the ballots the group cast. */
  used: number;
}

/**
 * Ballots collected per residential group, withheld under k and wherever a withheld one could be worked out from
 * the total (published as ballots collected) and the slips issued and handed out to each group (published beside
 * it).
 *
 * `pooled`: the groups whose ballots carry no group. Where one more group must be withheld beside a small one, a
 * pooled group goes first among those of the same size (a group of k or more joins the pool, smallest first, to
 * cover a small one: it is the one the rule would pick anyway, ties aside). Its answers are withheld in every cell
 * already, so withholding its count as well spares a group whose answers are shown.
 */
export function protectGroups(
  groups: GroupCounts[],
  k: number,
  pooled: ReadonlySet<number> = new Set()
): GroupTally[] {
  const total = groups.reduce((sum, g) => sum + g.used, 0);
  const first = (g: GroupCounts) => (pooled.has(g.unitId) ? 0 : 1);
  const cells = suppressCells(
    // Slips handed out are published too: a reader takes them as a bound, unless the records show otherwise.
    [...groups]
      .sort((a, b) => first(a) - first(b))
      .map((g) => ({
        key: String(g.unitId),
        count: g.used,
        max: g.handedOut >= g.used ? Math.min(g.issued, g.handedOut) : g.issued,
      })),
    { k, total }
  );
  const cellOf = new Map(cells.map((c) => [c.key, c]));
  return groups.map((g) => {
    const cell = cellOf.get(String(g.unitId))!;
    return {
      unitId: g.unitId,
      name: g.name,
      slipsIssued: g.issued,
      slipsHandedOut: g.handedOut,
      ballotsCollected: cell.count,
      suppressed: cell.suppressed,
    };
  });
}

const POOL = "pool";

/**
 * A subject's counts per residential group and level (blank ballots as a last column), every row and column total
 * being published (the group's ballots collected unless withheld, the subject's count per level). The ballots of
 * groups under k, and of the groups that joined them (app/ballots/pooling.ts), carry no group: they form one pool,
 * whose cells are withheld whatever they hold and shown as withheld in each of those groups' rows, whatever the
 * group's size. No group whose ballots are not carried is shown as zeros.
 */
export function protectSubjectByGroup({
  levels,
  subject,
  groups,
  attributed,
  k,
}: {
  levels: Level[];
  subject: Pick<SubjectTally, "counts" | "invalid">;
  /** Every group of the poll, as the table of ballots per group shows it (withheld or not). */
  groups: Pick<GroupTally, "unitId" | "name" | "suppressed">[];
  /** Per group whose ballots carry it: ballots per level code (0 = left blank) for this subject. */
  attributed: Map<number, Map<number, number>>;
  k: number;
}): SubjectGroupRow[] {
  const columns: BreakdownColumn[] = [...levels, "invalid"];
  const code = (column: BreakdownColumn) => (column === "invalid" ? 0 : levels.indexOf(column) + 1);
  const columnTotal = (column: BreakdownColumn) =>
    column === "invalid" ? subject.invalid : subject.counts[column] ?? 0;

  const rows: TableRow[] = groups
    .filter((g) => attributed.has(g.unitId))
    .map((g) => ({
      key: String(g.unitId),
      total: g.suppressed ? "withheld" : "published",
      cells: columns.map((column) => ({ key: column, count: attributed.get(g.unitId)!.get(code(column)) ?? 0 })),
    }));
  const pool = columns.map((column, j) => ({
    key: column,
    count: columnTotal(column) - rows.reduce((sum, row) => sum + row.cells[j].count, 0),
  }));
  if (groups.some((g) => !attributed.has(g.unitId)) || pool.some((c) => c.count !== 0)) {
    rows.push({ key: POOL, total: "pooled", cells: pool });
  }
  const protectedRows = new Map(suppressTable(rows, { k }).map((row) => [row.key, row.cells]));
  const withheld = { count: null, suppressed: true };
  return groups.map((g) => {
    const cells = protectedRows.get(String(g.unitId));
    return {
      unitId: g.unitId,
      name: g.name,
      cells: Object.fromEntries(
        columns.map((column, j) => [
          column,
          cells ? { count: cells[j].count, suppressed: cells[j].suppressed } : { ...withheld },
        ])
      ),
    };
  });
}
