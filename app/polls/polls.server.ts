import { sql, type Transaction } from "kysely";
import { db } from "~/db.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { wardOf } from "~/units/units.server";
import { DEFAULT_RULES, type PollKind, type PollRules } from "~/results/tally";
import type { Database, PollKeyMode } from "../../db/schema";
import { PollStateError, pollRules } from "./lifecycle.server";
import { lockPollExclusive } from "./poll-lock.server";
import { K_MAX, K_MIN } from "./polls.schema";

export class PollInputError extends Error {
  constructor(public field: string, public reason: string) {
    super(`${field}: ${reason}`);
  }
}

export interface NewPollInput {
  unitId: number;
  kind: PollKind;
  title: string;
  place: string;
  positionIds: number[];
  groupIds: number[];
  /** userId: the member's account (a counting member of the unit), needed to hold a key share. */
  committee: { fullName: string; role: string; userId?: number | null }[];
  /** "server" (default): the key wrapped with the server secret; "committee": k of n shares among the committee. */
  keyMode?: PollKeyMode;
  sharesRequired?: number | null;
  rules?: Partial<PollRules>;
  requiredConfirmations?: number;
  scheduledOpenAt?: Date | null;
  scheduledCloseAt?: Date | null;
}

type Executor = Transaction<Database>;

/** k below the floor would let a breakdown show a handful of ballots: refused here too, whoever calls. */
function checkRules(rules: Partial<PollRules> | undefined) {
  if (rules?.k === undefined) return;
  if (!Number.isInteger(rules.k) || rules.k < K_MIN || rules.k > K_MAX) {
    throw new PollInputError("k", "polls.errors.kRange");
  }
}

/**
 * Checks what a poll is about against the unit that runs it, the same for a new poll and an edited draft.
 * Subjects are current positions of the ward's cadres (for a poll run by a residential group, positions held in
 * that group); the groups taking part must lie in the running unit (the unit itself when it is a residential
 * group). Returns the positions to snapshot, in ballot order.
 */
async function checkPollInput(tx: Executor, input: Pick<NewPollInput, "unitId" | "positionIds" | "groupIds">) {
  const ward = await wardOf({ unitId: input.unitId }, tx);
  if (!ward) throw new PollInputError("unitId", "polls.errors.unitNotInWard");
  const unit = await tx
    .selectFrom("units")
    .select(["id", "kind"])
    .where("id", "=", input.unitId)
    .executeTakeFirstOrThrow();

  const positionIds = [...new Set(input.positionIds)];
  if (positionIds.length === 0) throw new PollInputError("positionIds", "polls.errors.noSubjects");
  let positionQuery = tx
    .selectFrom("positions")
    .innerJoin("cadres", "cadres.id", "positions.cadre_id")
    .innerJoin("position_titles as t", "t.id", "positions.title_id")
    .innerJoin("units", "units.id", "positions.unit_id")
    .select([
      "positions.id",
      "positions.cadre_id",
      "cadres.full_name",
      "t.name as title",
      "t.sort_order",
      "units.name as unit_name",
    ])
    .where("positions.id", "in", positionIds)
    .where("cadres.ward_id", "=", ward.id)
    .where("positions.ended_on", "is", null);
  if (unit.kind === "residential_group") positionQuery = positionQuery.where("positions.unit_id", "=", unit.id);
  const positions = await positionQuery
    .orderBy("t.sort_order")
    .orderBy(sql`lower(cadres.full_name)`)
    .execute();
  if (positions.length !== positionIds.length) {
    throw new PollInputError(
      "positionIds",
      unit.kind === "residential_group" ? "polls.errors.subjectNotInUnit" : "polls.errors.subjectNotInWard"
    );
  }

  const groupIds = [...new Set(input.groupIds)];
  if (groupIds.length === 0) throw new PollInputError("groupIds", "polls.errors.noGroups");
  const groups = await tx
    .selectFrom("units")
    .select("id")
    .where("id", "in", groupIds)
    .where("kind", "=", "residential_group")
    .where((eb) => (unit.kind === "residential_group" ? eb("id", "=", unit.id) : eb("parent_id", "=", ward.id)))
    .execute();
  if (groups.length !== groupIds.length) throw new PollInputError("groupIds", "polls.errors.groupNotInUnit");
  return { positions, groupIds };
}

/** The unit's counting members: the accounts that may hold a key share of the unit's polls. */
export async function listCountingMembers({ unitId }: { unitId: number }, executor: Executor | typeof db = db) {
  const chain = await sql<{ id: number }>`
    with recursive up(id, parent_id) as (
      select id, parent_id from units where id = ${unitId}
      union all
      select u.id, u.parent_id from units u join up on u.id = up.parent_id
    )
    select id from up`.execute(executor);
  if (chain.rows.length === 0) return [];
  const rows = await executor
    .selectFrom("users")
    .innerJoin("grants", "grants.user_id", "users.id")
    .select(["users.id", "users.full_name", "users.username"])
    .where("grants.role", "=", "counting_member")
    .where(
      "grants.unit_id",
      "in",
      chain.rows.map((r) => r.id)
    )
    .where("users.disabled_at", "is", null)
    .distinct()
    .execute();
  return rows.sort((a, b) => collator.compare(a.full_name, b.full_name) || a.id - b.id);
}

/**
 * In committee mode every member names a distinct counting member's account of the unit, and k lies between 2
 * and the number of members; the server mode needs nothing.
 */
async function checkKeyMode(
  tx: Executor,
  input: Pick<NewPollInput, "unitId" | "committee" | "keyMode" | "sharesRequired">
) {
  if ((input.keyMode ?? "server") === "server") return;
  const n = input.committee.length;
  if (n < 2) throw new PollInputError("sharesRequired", "polls.errors.committeeTooSmall");
  const allowed = new Set((await listCountingMembers({ unitId: input.unitId }, tx)).map((u) => u.id));
  const seen = new Set<number>();
  // The errors name the committee row (blank rows are dropped before, so rows are counted among the filled ones).
  for (const [i, member] of input.committee.entries()) {
    const field = `memberUser${i + 1}`;
    if (!member.userId) throw new PollInputError(field, "polls.errors.memberAccountRequired");
    if (seen.has(member.userId)) throw new PollInputError(field, "polls.errors.memberAccountTwice");
    if (!allowed.has(member.userId)) throw new PollInputError(field, "polls.errors.memberNotCounting");
    seen.add(member.userId);
  }
  const k = input.sharesRequired;
  if (!k || !Number.isInteger(k) || k < 2 || k > n)
    throw new PollInputError("sharesRequired", "polls.errors.sharesRange");
}

/** Writes a poll's subjects (snapshots), groups and counting committee. */
async function insertPollParts(
  tx: Executor,
  pollId: number,
  {
    positions,
    groupIds,
    committee,
  }: {
    positions: Awaited<ReturnType<typeof checkPollInput>>["positions"];
    groupIds: number[];
    committee: NewPollInput["committee"];
  }
) {
  await tx
    .insertInto("poll_subjects")
    .values(
      positions.map((p, i) => ({
        poll_id: pollId,
        position_id: p.id,
        cadre_id: p.cadre_id,
        full_name: p.full_name,
        title: p.title,
        unit_name: p.unit_name,
        sort_order: i + 1,
      }))
    )
    .execute();
  await tx
    .insertInto("poll_groups")
    .values(groupIds.map((id) => ({ poll_id: pollId, unit_id: id })))
    .execute();
  if (committee.length > 0) {
    await tx
      .insertInto("poll_committee_members")
      .values(
        committee.map((m, i) => ({
          poll_id: pollId,
          full_name: m.fullName,
          role: m.role,
          sort_order: i + 1,
          user_id: m.userId ?? null,
        }))
      )
      .execute();
  }
}

/** The poll's own settings as columns, the same for a new draft and an edited one. */
function pollColumns(input: Omit<NewPollInput, "unitId">) {
  return {
    kind: input.kind,
    title: input.title,
    place: input.place,
    rules: JSON.stringify({ ...DEFAULT_RULES, ...input.rules }),
    required_confirmations: input.requiredConfirmations ?? 2,
    scheduled_open_at: input.scheduledOpenAt ?? null,
    scheduled_close_at: input.scheduledCloseAt ?? null,
    key_mode: input.keyMode ?? "server",
    shares_required: input.keyMode === "committee" ? (input.sharesRequired ?? null) : null,
  };
}

/**
 * Creates a draft poll run by a ward or one of its residential groups. Subjects are snapshotted from current
 * positions of the ward's cadres (name, title and unit as they are today); the groups taking part must lie in the
 * running unit (the unit itself when it is a residential group).
 */
export async function createPoll({ actor, input }: { actor: AuditActor & { userId: number }; input: NewPollInput }) {
  checkRules(input.rules);
  return db.transaction().execute(async (tx) => {
    const { positions, groupIds } = await checkPollInput(tx, input);
    await checkKeyMode(tx, input);
    const poll = await tx
      .insertInto("polls")
      .values({ unit_id: input.unitId, ...pollColumns(input), created_by: actor.userId })
      .returning("id")
      .executeTakeFirstOrThrow();
    await insertPollParts(tx, poll.id, { positions, groupIds, committee: input.committee });
    await appendAudit(tx, {
      actor,
      unitId: input.unitId,
      action: "poll.create",
      details: { pollId: poll.id, kind: input.kind, subjects: positions.length, groups: groupIds.length },
    });
    return { id: poll.id };
  });
}

export async function getPoll({ pollId }: { pollId: number }) {
  return db.selectFrom("polls").selectAll().where("id", "=", pollId).executeTakeFirst();
}

export async function listSubjects({ pollId }: { pollId: number }) {
  return db
    .selectFrom("poll_subjects")
    .select(["id", "full_name", "title", "unit_name", "sort_order"])
    .where("poll_id", "=", pollId)
    .orderBy("sort_order")
    .execute();
}

export type PollInputChange = Omit<NewPollInput, "unitId">;

/**
 * Edits a draft: the same checks as createPoll, then the subjects, groups and committee are snapshotted afresh.
 * Anything but a draft is refused; so is dropping a residential group that already has slips issued (its codes
 * would still open ballots).
 */
export async function updateDraftPoll({
  actor,
  pollId,
  input,
}: {
  actor: AuditActor;
  pollId: number;
  input: PollInputChange;
}) {
  checkRules(input.rules);
  return db.transaction().execute(async (tx) => {
    await lockPollExclusive(tx, pollId);
    const poll = await tx
      .selectFrom("polls")
      .select(["id", "status", "unit_id"])
      .where("id", "=", pollId)
      .forUpdate()
      .executeTakeFirst();
    if (!poll) throw new PollStateError("notFound");
    if (poll.status !== "draft") throw new PollStateError("wrongState", poll.status);
    const { positions, groupIds } = await checkPollInput(tx, { ...input, unitId: poll.unit_id });
    await checkKeyMode(tx, { ...input, unitId: poll.unit_id });
    const issuedGroups = await tx
      .selectFrom("credential_batches")
      .select("group_id")
      .distinct()
      .where("poll_id", "=", pollId)
      .execute();
    if (issuedGroups.some((g) => !groupIds.includes(g.group_id))) {
      throw new PollInputError("groupIds", "polls.errors.groupHasCredentials");
    }
    await tx
      .updateTable("polls")
      .set(pollColumns(input))
      .where("id", "=", pollId)
      .execute();
    await tx.deleteFrom("poll_subjects").where("poll_id", "=", pollId).execute();
    await tx.deleteFrom("poll_groups").where("poll_id", "=", pollId).execute();
    await tx.deleteFrom("poll_committee_members").where("poll_id", "=", pollId).execute();
    await insertPollParts(tx, pollId, { positions, groupIds, committee: input.committee });
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: "poll.update",
      details: { pollId, kind: input.kind, subjects: positions.length, groups: groupIds.length },
    });
    return { id: pollId };
  });
}

const collator = new Intl.Collator("vi", { numeric: true, sensitivity: "base" });

/** Every poll of every unit with the residential groups taking part, oldest first (the command line's list). */
export async function listAllPolls() {
  const polls = await db
    .selectFrom("polls")
    .innerJoin("units", "units.id", "polls.unit_id")
    .select([
      "polls.id",
      "polls.title",
      "polls.kind",
      "polls.status",
      "polls.key_mode",
      "polls.unit_id",
      "units.name as unit_name",
      "polls.opened_at",
      "polls.closed_at",
      "polls.published_at",
    ])
    .orderBy("polls.id")
    .execute();
  const groups = await db.selectFrom("poll_groups").select(["poll_id", "unit_id"]).execute();
  return polls.map((p) => ({ ...p, group_ids: groups.filter((g) => g.poll_id === p.id).map((g) => g.unit_id) }));
}

/** The polls run by a unit and, for a ward, by its residential groups, newest first. */
export async function listPolls({ unitId }: { unitId: number }) {
  return db
    .selectFrom("polls")
    .innerJoin("units", "units.id", "polls.unit_id")
    .select([
      "polls.id",
      "polls.title",
      "polls.kind",
      "polls.status",
      "polls.unit_id",
      "units.name as unit_name",
      "polls.created_at",
      "polls.scheduled_open_at",
      "polls.scheduled_close_at",
      "polls.opened_at",
      "polls.closed_at",
      "polls.counted_at",
      "polls.published_at",
    ])
    .where((eb) => eb.or([eb("polls.unit_id", "=", unitId), eb("units.parent_id", "=", unitId)]))
    .orderBy("polls.created_at", "desc")
    .orderBy("polls.id", "desc")
    .execute();
}

/**
 * What the poll form offers for a running unit: the current positions of the ward's cadres (for a residential
 * group, those held in the group) and the residential groups that may take part.
 */
export async function pollFormOptions({ unitId }: { unitId: number }) {
  const unit = await db.selectFrom("units").select(["id", "name", "kind"]).where("id", "=", unitId).executeTakeFirst();
  const ward = unit ? await wardOf({ unitId }) : null;
  if (!unit || !ward || unit.kind === "province") return null;
  let positionQuery = db
    .selectFrom("positions")
    .innerJoin("cadres", "cadres.id", "positions.cadre_id")
    .innerJoin("position_titles as t", "t.id", "positions.title_id")
    .innerJoin("units", "units.id", "positions.unit_id")
    .select(["positions.id", "cadres.full_name", "t.name as title", "t.sort_order", "units.name as unit_name"])
    .where("cadres.ward_id", "=", ward.id)
    .where("positions.ended_on", "is", null);
  if (unit.kind === "residential_group") positionQuery = positionQuery.where("positions.unit_id", "=", unit.id);
  const positions = (await positionQuery.execute()).sort(
    (a, b) => a.sort_order - b.sort_order || collator.compare(a.full_name, b.full_name)
  );
  const groups =
    unit.kind === "residential_group"
      ? [{ id: unit.id, name: unit.name }]
      : (
          await db
            .selectFrom("units")
            .select(["id", "name"])
            .where("parent_id", "=", ward.id)
            .where("kind", "=", "residential_group")
            .execute()
        ).sort((a, b) => collator.compare(a.name, b.name));
  return {
    unit,
    ward,
    positions: positions.map(({ sort_order: _, ...p }) => p),
    groups,
    countingMembers: (await listCountingMembers({ unitId })).map((u) => ({ id: u.id, full_name: u.full_name })),
  };
}

/** A poll as its pages show it: no key material, with the running unit, its ward and who created it. */
export async function getPollDetails({ pollId }: { pollId: number }) {
  const poll = await db
    .selectFrom("polls")
    .innerJoin("units", "units.id", "polls.unit_id")
    .innerJoin("users", "users.id", "polls.created_by")
    .select([
      "polls.id",
      "polls.unit_id",
      "units.name as unit_name",
      "units.kind as unit_kind",
      "polls.kind",
      "polls.title",
      "polls.place",
      "polls.status",
      "polls.rules",
      "polls.required_confirmations",
      "polls.key_mode",
      "polls.shares_required",
      "polls.scheduled_open_at",
      "polls.scheduled_close_at",
      "polls.summoned",
      "polls.present",
      "polls.complaints",
      "polls.created_by",
      "users.full_name as created_by_name",
      "polls.created_at",
      "polls.opened_at",
      "polls.closed_at",
      "polls.counted_at",
      "polls.published_at",
    ])
    .where("polls.id", "=", pollId)
    .executeTakeFirst();
  if (!poll) return undefined;
  const ward = await wardOf({ unitId: poll.unit_id });
  return { ...poll, rules: pollRules(poll.rules), ward_id: ward?.id ?? poll.unit_id, ward_name: ward?.name ?? "" };
}
export type PollDetails = NonNullable<Awaited<ReturnType<typeof getPollDetails>>>;

export async function listCommittee({ pollId }: { pollId: number }) {
  return db
    .selectFrom("poll_committee_members")
    .select(["full_name", "role", "user_id"])
    .where("poll_id", "=", pollId)
    .orderBy("sort_order")
    .execute();
}

/** The residential groups taking part, by name. */
export async function listPollGroups({ pollId }: { pollId: number }) {
  const rows = await db
    .selectFrom("poll_groups")
    .innerJoin("units", "units.id", "poll_groups.unit_id")
    .select(["units.id", "units.name"])
    .where("poll_groups.poll_id", "=", pollId)
    .execute();
  return rows.sort((a, b) => collator.compare(a.name, b.name));
}

/** The positions a draft's subjects were snapshotted from, to tick them again in the edit form. */
export async function listSubjectPositionIds({ pollId }: { pollId: number }) {
  const rows = await db
    .selectFrom("poll_subjects")
    .select("position_id")
    .where("poll_id", "=", pollId)
    .where("position_id", "is not", null)
    .orderBy("sort_order")
    .execute();
  return rows.map((r) => r.position_id as number);
}

/**
 * The meeting as the counting minutes record it: how many were summoned and present, the complaints received and
 * how they were resolved. Editable until the results are published.
 */
export async function updateMeeting({
  actor,
  pollId,
  meeting,
}: {
  actor: AuditActor;
  pollId: number;
  meeting: { summoned: number | null; present: number | null; complaints: string | null };
}) {
  await db.transaction().execute(async (tx) => {
    const poll = await tx
      .selectFrom("polls")
      .select(["status", "unit_id"])
      .where("id", "=", pollId)
      .forUpdate()
      .executeTakeFirst();
    if (!poll) throw new PollStateError("notFound");
    if (poll.status === "published" || poll.status === "archived") throw new PollStateError("wrongState", poll.status);
    await tx.updateTable("polls").set(meeting).where("id", "=", pollId).execute();
    await appendAudit(tx, {
      actor,
      unitId: poll.unit_id,
      action: "poll.meeting",
      details: {
        pollId,
        summoned: meeting.summoned,
        present: meeting.present,
        complaints: meeting.complaints !== null,
      },
    });
  });
}
