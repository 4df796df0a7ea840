// Paper tallies: the totals a meeting's counting committee counted from paper ballots, per residential group or
// for the whole meeting. An entry counts only once a second counting member confirms the figures as they stand;
// any change clears the confirmation. Each entry, change and confirmation is one audited transaction under the
// poll's exclusive lock, so none of them interleaves with closing, publishing or another change.
import type { Kysely } from "kysely";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { db } from "~/db.server";
import { lockPollExclusive } from "~/polls/poll-lock.server";
import { LEVELS } from "~/results/tally";
import type { Database } from "../../db/schema";
import { MEETING_SCOPE, type PaperFigures, type PaperScope } from "./paper.schema";

export type PaperErrorReason =
  | "pollNotFound"
  | "wrongState"
  | "groupNotInPoll"
  | "scopeConflict"
  | "staleVersion"
  | "entryNotFound"
  | "selfConfirm"
  | "alreadyConfirmed"
  | "subjectsMismatch";

export class PaperError extends Error {
  constructor(public reason: PaperErrorReason) {
    super(reason);
  }
}

/** Paper figures are entered while the poll runs and until it is published; after that the tally is frozen. */
const EDITABLE = new Set(["open", "closed"]);

function groupOf(scope: PaperScope): number | null {
  return scope === MEETING_SCOPE ? null : scope;
}

export interface PaperEntry {
  id: number;
  groupId: number | null;
  groupName: string | null;
  summoned: number;
  present: number;
  issued: number;
  collected: number;
  valid: number;
  invalid: number;
  version: number;
  enteredBy: { id: number; fullName: string };
  enteredAt: Date;
  confirmedBy: { id: number; fullName: string } | null;
  confirmedAt: Date | null;
  subjects: { subjectId: number; counts: number[]; invalid: number }[];
}

/** A poll's paper entries: the whole meeting first, then the residential groups by name. */
export async function listPaperEntries(
  { pollId }: { pollId: number },
  executor: Kysely<Database> = db
): Promise<PaperEntry[]> {
  const rows = await executor
    .selectFrom("paper_tallies as p")
    .leftJoin("units as g", "g.id", "p.group_id")
    .innerJoin("users as e", "e.id", "p.entered_by")
    .leftJoin("users as c", "c.id", "p.confirmed_by")
    .select([
      "p.id",
      "p.group_id",
      "g.name as group_name",
      "p.summoned",
      "p.present",
      "p.ballots_issued",
      "p.ballots_collected",
      "p.ballots_valid",
      "p.ballots_invalid",
      "p.version",
      "p.entered_by",
      "e.full_name as entered_name",
      "p.entered_at",
      "p.confirmed_by",
      "c.full_name as confirmed_name",
      "p.confirmed_at",
    ])
    .where("p.poll_id", "=", pollId)
    .execute();
  const subjects =
    rows.length === 0
      ? []
      : await executor
          .selectFrom("paper_tally_subjects as s")
          .innerJoin("poll_subjects as ps", "ps.id", "s.subject_id")
          .select(["s.paper_tally_id", "s.subject_id", "s.counts", "s.invalid"])
          .where(
            "s.paper_tally_id",
            "in",
            rows.map((r) => r.id)
          )
          .orderBy("ps.sort_order")
          .execute();
  const collator = new Intl.Collator("vi");
  return rows
    .map((r) => ({
      id: r.id,
      groupId: r.group_id,
      groupName: r.group_name,
      summoned: r.summoned,
      present: r.present,
      issued: r.ballots_issued,
      collected: r.ballots_collected,
      valid: r.ballots_valid,
      invalid: r.ballots_invalid,
      version: r.version,
      enteredBy: { id: r.entered_by, fullName: r.entered_name },
      enteredAt: new Date(r.entered_at),
      confirmedBy: r.confirmed_by === null ? null : { id: r.confirmed_by, fullName: r.confirmed_name ?? "" },
      confirmedAt: r.confirmed_at === null ? null : new Date(r.confirmed_at),
      subjects: subjects
        .filter((s) => s.paper_tally_id === r.id)
        .map((s) => ({ subjectId: s.subject_id, counts: s.counts.map(Number), invalid: s.invalid })),
    }))
    .sort((a, b) =>
      a.groupId === null ? -1 : b.groupId === null ? 1 : collator.compare(a.groupName ?? "", b.groupName ?? "")
    );
}

/** How many paper entries a poll has, and how many of them are confirmed (the poll page's link says so). */
export async function paperEntryCounts({ pollId }: { pollId: number }) {
  const row = await db
    .selectFrom("paper_tallies")
    .select((eb) => [eb.fn.countAll<string>().as("entered"), eb.fn.count<string>("confirmed_by").as("confirmed")])
    .where("poll_id", "=", pollId)
    .executeTakeFirstOrThrow();
  return { entered: Number(row.entered), confirmed: Number(row.confirmed) };
}

export async function getPaperEntry({ pollId, scope }: { pollId: number; scope: PaperScope }) {
  const entries = await listPaperEntries({ pollId });
  return entries.find((e) => e.groupId === groupOf(scope)) ?? null;
}

function auditFigures(figures: PaperFigures) {
  return {
    summoned: figures.summoned,
    present: figures.present,
    issued: figures.issued,
    collected: figures.collected,
    valid: figures.valid,
    invalid: figures.invalid,
    subjects: figures.subjects.map((s) => ({ subjectId: s.subjectId, counts: s.counts, invalid: s.invalid })),
  };
}

/**
 * Enters a scope's figures, or changes them (`expectedVersion`: the version the form was filled from; null for a
 * new entry). A change clears the confirmation, so the new figures count only once a second member confirms them.
 */
export async function savePaperEntry({
  actor,
  pollId,
  scope,
  figures,
  expectedVersion,
}: {
  actor: AuditActor & { userId: number };
  pollId: number;
  scope: PaperScope;
  figures: PaperFigures;
  expectedVersion: number | null;
}): Promise<{ version: number }> {
  const groupId = groupOf(scope);
  return db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx
      .selectFrom("polls")
      .select(["status", "unit_id", "kind"])
      .where("id", "=", pollId)
      .executeTakeFirst();
    if (!poll) throw new PaperError("pollNotFound");
    if (!EDITABLE.has(poll.status)) throw new PaperError("wrongState");
    if (groupId !== null) {
      const inPoll = await tx
        .selectFrom("poll_groups")
        .select("unit_id")
        .where("poll_id", "=", pollId)
        .where("unit_id", "=", groupId)
        .executeTakeFirst();
      if (!inPoll) throw new PaperError("groupNotInPoll");
    }
    // The whole meeting's figures and a group's would count the same ballots twice.
    const others = await tx
      .selectFrom("paper_tallies")
      .select(["id", "group_id", "version"])
      .where("poll_id", "=", pollId)
      .execute();
    const existing = others.find((e) => e.group_id === groupId);
    if (others.some((e) => (e.group_id === null) !== (groupId === null))) throw new PaperError("scopeConflict");
    if ((existing?.version ?? null) !== expectedVersion) throw new PaperError("staleVersion");

    const subjectIds = (
      await tx.selectFrom("poll_subjects").select("id").where("poll_id", "=", pollId).orderBy("sort_order").execute()
    ).map((s) => s.id);
    const levelCount = LEVELS[poll.kind].length;
    const given = new Map(figures.subjects.map((s) => [s.subjectId, s]));
    if (
      given.size !== subjectIds.length ||
      subjectIds.some((id) => !given.has(id) || given.get(id)!.counts.length !== levelCount)
    ) {
      throw new PaperError("subjectsMismatch");
    }

    const values = {
      summoned: figures.summoned,
      present: figures.present,
      ballots_issued: figures.issued,
      ballots_collected: figures.collected,
      ballots_valid: figures.valid,
      ballots_invalid: figures.invalid,
      entered_by: actor.userId,
      entered_at: new Date(),
      confirmed_by: null,
      confirmed_at: null,
    };
    let id: number;
    let version: number;
    if (existing) {
      version = existing.version + 1;
      await tx
        .updateTable("paper_tallies")
        .set({ ...values, version })
        .where("id", "=", existing.id)
        .execute();
      id = existing.id;
      await tx.deleteFrom("paper_tally_subjects").where("paper_tally_id", "=", id).execute();
    } else {
      version = 1;
      // The unique index on (poll, scope) refuses a second entry for the same scope made at the same moment.
      const inserted = await tx
        .insertInto("paper_tallies")
        .values({ ...values, poll_id: pollId, group_id: groupId, version })
        .returning("id")
        .executeTakeFirstOrThrow();
      id = inserted.id;
    }
    await tx
      .insertInto("paper_tally_subjects")
      .values(
        subjectIds.map((subjectId) => ({
          paper_tally_id: id,
          subject_id: subjectId,
          counts: given.get(subjectId)!.counts,
          invalid: given.get(subjectId)!.invalid,
        }))
      )
      .execute();
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: existing ? "paper.change" : "paper.enter",
      details: { pollId, groupId, version, figures: auditFigures(figures) },
    });
    return { version };
  });
}

/**
 * A second counting member confirms a scope's figures as they were shown (`version`). Never the member who
 * entered them (the database refuses it too); a figure changed since then must be looked at again.
 */
export async function confirmPaperEntry({
  actor,
  pollId,
  scope,
  version,
}: {
  actor: AuditActor & { userId: number };
  pollId: number;
  scope: PaperScope;
  version: number;
}) {
  const groupId = groupOf(scope);
  await db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx.selectFrom("polls").select(["status", "unit_id"]).where("id", "=", pollId).executeTakeFirst();
    if (!poll) throw new PaperError("pollNotFound");
    if (!EDITABLE.has(poll.status)) throw new PaperError("wrongState");
    let query = tx
      .selectFrom("paper_tallies")
      .select(["id", "version", "entered_by", "confirmed_by"])
      .where("poll_id", "=", pollId);
    query = groupId === null ? query.where("group_id", "is", null) : query.where("group_id", "=", groupId);
    const entry = await query.executeTakeFirst();
    if (!entry) throw new PaperError("entryNotFound");
    if (entry.version !== version) throw new PaperError("staleVersion");
    if (entry.entered_by === actor.userId) throw new PaperError("selfConfirm");
    if (entry.confirmed_by !== null) throw new PaperError("alreadyConfirmed");
    await tx
      .updateTable("paper_tallies")
      .set({ confirmed_by: actor.userId, confirmed_at: new Date() })
      .where("id", "=", entry.id)
      .execute();
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: "paper.confirm",
      details: { pollId, groupId, version },
    });
  });
}
