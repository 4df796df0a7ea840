import { sql } from "kysely";
import { db } from "~/db.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import { wardOf } from "~/units/units.server";
import { DEFAULT_RULES, type PollKind, type PollRules } from "~/results/tally";

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
  committee: { fullName: string; role: string }[];
  rules?: Partial<PollRules>;
  requiredConfirmations?: number;
  scheduledOpenAt?: Date | null;
  scheduledCloseAt?: Date | null;
}

/**
 * Creates a draft poll run by a ward or one of its residential groups. Subjects are snapshotted from current
 * positions of the ward's cadres (name, title and unit as they are today); the groups taking part must lie in the
 * running unit (the unit itself when it is a residential group).
 */
export async function createPoll({ actor, input }: { actor: AuditActor & { userId: number }; input: NewPollInput }) {
  return db.transaction().execute(async (tx) => {
    const ward = await wardOf({ unitId: input.unitId }, tx);
    if (!ward) throw new PollInputError("unitId", "polls.errors.unitNotInWard");
    const unit = await tx.selectFrom("units").select(["id", "kind"]).where("id", "=", input.unitId).executeTakeFirstOrThrow();

    const positionIds = [...new Set(input.positionIds)];
    if (positionIds.length === 0) throw new PollInputError("positionIds", "polls.errors.noSubjects");
    const positions = await tx
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
      .where("positions.ended_on", "is", null)
      .orderBy("t.sort_order")
      .orderBy(sql`lower(cadres.full_name)`)
      .execute();
    if (positions.length !== positionIds.length) throw new PollInputError("positionIds", "polls.errors.subjectNotInWard");

    const groupIds = [...new Set(input.groupIds)];
    if (groupIds.length === 0) throw new PollInputError("groupIds", "polls.errors.noGroups");
    const groups = await tx
      .selectFrom("units")
      .select("id")
      .where("id", "in", groupIds)
      .where("kind", "=", "residential_group")
      .where((eb) =>
        unit.kind === "residential_group" ? eb("id", "=", unit.id) : eb("parent_id", "=", ward.id),
      )
      .execute();
    if (groups.length !== groupIds.length) throw new PollInputError("groupIds", "polls.errors.groupNotInUnit");

    const poll = await tx
      .insertInto("polls")
      .values({
        unit_id: input.unitId,
        kind: input.kind,
        title: input.title,
        place: input.place,
        rules: JSON.stringify({ ...DEFAULT_RULES, ...input.rules }),
        required_confirmations: input.requiredConfirmations ?? 2,
        scheduled_open_at: input.scheduledOpenAt ?? null,
        scheduled_close_at: input.scheduledCloseAt ?? null,
        created_by: actor.userId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await tx
      .insertInto("poll_subjects")
      .values(
        positions.map((p, i) => ({
          poll_id: poll.id,
          position_id: p.id,
          cadre_id: p.cadre_id,
          full_name: p.full_name,
          title: p.title,
          unit_name: p.unit_name,
          sort_order: i + 1,
        })),
      )
      .execute();
    await tx.insertInto("poll_groups").values(groupIds.map((id) => ({ poll_id: poll.id, unit_id: id }))).execute();
    if (input.committee.length > 0) {
      await tx
        .insertInto("poll_committee_members")
        .values(
          input.committee.map((m, i) => ({ poll_id: poll.id, full_name: m.fullName, role: m.role, sort_order: i + 1 })),
        )
        .execute();
    }
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
