import { sql, type Kysely, type Transaction } from "kysely";
import { db } from "~/db.server";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import type { FieldErrors } from "~/components/forms";
import { isUniqueViolation, notFound } from "~/units/units.server";
import type { Database } from "../../db/schema";
import {
  todayInVietnam,
  type CadreInput,
  type EditPositionInput,
  type NewCadreInput,
  type PositionInput,
} from "./cadres.schema";
import { findOrCreateTitle, findTitle, listTitles } from "./titles.server";

type Executor = Kysely<Database> | Transaction<Database>;

export interface NewPositionInput {
  unitId: number;
  titleId: number;
  startedOn: string;
  endedOn?: string | null;
}

/** Inserts a cadre of a ward; call inside the caller's transaction with its audit entry. */
export async function insertCadre(
  { wardId, fullName, birthYear }: { wardId: number; fullName: string; birthYear: number | null },
  executor: Executor = db
) {
  return executor
    .insertInto("cadres")
    .values({ ward_id: wardId, full_name: fullName.normalize("NFC"), birth_year: birthYear })
    .returning(["id", "full_name", "birth_year", "ward_id"])
    .executeTakeFirstOrThrow();
}

/** Inserts a position; a current position the cadre already holds (same title, same unit) violates a unique index. */
export async function insertPosition(
  { cadreId, position }: { cadreId: number; position: NewPositionInput },
  executor: Executor = db
) {
  return executor
    .insertInto("positions")
    .values({
      cadre_id: cadreId,
      unit_id: position.unitId,
      title_id: position.titleId,
      started_on: position.startedOn,
      ended_on: position.endedOn ?? null,
    })
    .returning(["id"])
    .executeTakeFirstOrThrow();
}

/** A ward's cadre with the same name (NFC, any case) and birth year, if there is one. */
export async function findCadreByName(
  { wardId, fullName, birthYear }: { wardId: number; fullName: string; birthYear: number | null },
  executor: Executor = db
) {
  let query = executor
    .selectFrom("cadres")
    .select(["id", "full_name", "birth_year"])
    .where("ward_id", "=", wardId)
    .where(sql`lower(full_name)`, "=", fullName.normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase());
  query = birthYear === null ? query.where("birth_year", "is", null) : query.where("birth_year", "=", birthYear);
  return query.executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------------------------
// Officers' changes to the ward's cadres and their positions: each in one transaction with its audit entry, every
// id from a URL or a form checked against the ward (a tampered id answers 404).

export type CadreChange = { ok: true; id: number } | { ok: false; errors: FieldErrors };

const collator = new Intl.Collator("vi", { numeric: true, sensitivity: "base" });

/** The ward and its residential groups: the units a position of the ward's cadres can be in. */
export async function listWardUnits({ wardId }: { wardId: number }) {
  const rows = await db
    .selectFrom("units")
    .select(["id", "name", "kind"])
    .where((eb) =>
      eb.or([eb("id", "=", wardId), eb.and([eb("parent_id", "=", wardId), eb("kind", "=", "residential_group")])])
    )
    .execute();
  return rows.sort((a, b) => (a.id === wardId ? -1 : b.id === wardId ? 1 : collator.compare(a.name, b.name)));
}

const positionColumns = [
  "positions.id",
  "positions.cadre_id",
  "positions.unit_id",
  "positions.title_id",
  "positions.started_on",
  "positions.ended_on",
  "position_titles.name as title",
  "position_titles.sort_order",
  "units.name as unit_name",
  "units.kind as unit_kind",
] as const;

/** The ward's cadres with their current positions, in the order of the key titles, then by name. */
export async function listCadres({ wardId }: { wardId: number }) {
  const cadres = await db
    .selectFrom("cadres")
    .select(["id", "full_name", "birth_year"])
    .where("ward_id", "=", wardId)
    .execute();
  const current = await db
    .selectFrom("positions")
    .innerJoin("cadres", "cadres.id", "positions.cadre_id")
    .innerJoin("position_titles", "position_titles.id", "positions.title_id")
    .innerJoin("units", "units.id", "positions.unit_id")
    .select(positionColumns)
    .where("cadres.ward_id", "=", wardId)
    .where("positions.ended_on", "is", null)
    .orderBy("position_titles.sort_order")
    .orderBy("positions.started_on")
    .execute();
  const rank = (cadreId: number) => current.find((p) => p.cadre_id === cadreId)?.sort_order ?? Number.MAX_SAFE_INTEGER;
  return cadres
    .map((cadre) => ({ ...cadre, positions: current.filter((p) => p.cadre_id === cadre.id) }))
    .sort((a, b) => rank(a.id) - rank(b.id) || collator.compare(a.full_name, b.full_name));
}

/** A cadre of the ward, or a 404 (a cadre of another ward under this ward's URL included). */
export async function requireCadre({ wardId, cadreId }: { wardId: number; cadreId: number }, executor: Executor = db) {
  if (!Number.isSafeInteger(cadreId) || cadreId <= 0) notFound();
  const cadre = await executor
    .selectFrom("cadres")
    .select(["id", "full_name", "birth_year", "ward_id"])
    .where("id", "=", cadreId)
    .where("ward_id", "=", wardId)
    .executeTakeFirst();
  if (!cadre) notFound();
  return cadre;
}

/** Every position of a cadre, current ones first, then the most recent. */
export async function listPositions({ cadreId }: { cadreId: number }) {
  const rows = await db
    .selectFrom("positions")
    .innerJoin("position_titles", "position_titles.id", "positions.title_id")
    .innerJoin("units", "units.id", "positions.unit_id")
    .select(positionColumns)
    .where("positions.cadre_id", "=", cadreId)
    .orderBy(sql`positions.ended_on is null`, "desc")
    .orderBy("positions.started_on", "desc")
    .orderBy("positions.id", "desc")
    .execute();
  return rows;
}

/** The position's title and unit, checked against the ward; a new title is added to the ward's titles. */
async function resolvePosition(
  tx: Transaction<Database>,
  { wardId, input }: { wardId: number; input: { titleId: number | null; newTitle: string | null; unitId: number } }
) {
  const unit = await tx
    .selectFrom("units")
    .select(["id", "name"])
    .where("id", "=", input.unitId)
    .where((eb) =>
      eb.or([eb("id", "=", wardId), eb.and([eb("parent_id", "=", wardId), eb("kind", "=", "residential_group")])])
    )
    .executeTakeFirst();
  if (!unit) notFound();
  if (input.newTitle !== null) {
    const existing = await findTitle({ wardId, name: input.newTitle }, tx);
    const title = existing ?? (await findOrCreateTitle({ wardId, name: input.newTitle }, tx));
    return { unit, title, titleCreated: !existing };
  }
  const title = (await listTitles({ wardId }, tx)).find((t) => t.id === input.titleId);
  if (!title) notFound();
  return { unit, title, titleCreated: false };
}

function isCurrentPositionConflict(error: unknown) {
  const constraint = (error as { constraint?: string }).constraint;
  return isUniqueViolation(error) && (!constraint || constraint === "positions_current_key");
}

/** The field errors for a position the cadre already holds (same title, same unit, not ended). */
function positionExists(input: { newTitle: string | null }): FieldErrors {
  return { [input.newTitle !== null ? "newTitle" : "titleId"]: "cadres.positionExists" };
}

async function inTransaction(
  input: { newTitle: string | null },
  work: (tx: Transaction<Database>) => Promise<CadreChange>
): Promise<CadreChange> {
  try {
    return await db.transaction().execute(work);
  } catch (error) {
    if (isCurrentPositionConflict(error)) return { ok: false, errors: positionExists(input) };
    throw error;
  }
}

/** Adds a cadre to the ward together with a first position. */
export async function createCadre({
  actor,
  wardId,
  input,
}: {
  actor: AuditActor;
  wardId: number;
  input: NewCadreInput;
}): Promise<CadreChange> {
  return inTransaction(input, async (tx) => {
    const { unit, title, titleCreated } = await resolvePosition(tx, { wardId, input });
    const cadre = await insertCadre({ wardId, fullName: input.fullName, birthYear: input.birthYear }, tx);
    const position = await insertPosition(
      { cadreId: cadre.id, position: { unitId: unit.id, titleId: title.id, startedOn: input.startedOn } },
      tx
    );
    await appendAudit(tx, {
      actor,
      unitId: wardId,
      action: "cadre.create",
      details: {
        cadreId: cadre.id,
        fullName: cadre.full_name,
        birthYear: cadre.birth_year,
        position: {
          positionId: position.id,
          title: title.name,
          titleCreated,
          unit: unit.name,
          startedOn: input.startedOn,
        },
      },
    });
    return { ok: true, id: cadre.id };
  });
}

export async function updateCadre({
  actor,
  wardId,
  cadreId,
  input,
}: {
  actor: AuditActor;
  wardId: number;
  cadreId: number;
  input: CadreInput;
}): Promise<CadreChange> {
  return db.transaction().execute(async (tx) => {
    const before = await requireCadre({ wardId, cadreId }, tx);
    await tx
      .updateTable("cadres")
      .set({ full_name: input.fullName, birth_year: input.birthYear })
      .where("id", "=", before.id)
      .execute();
    await appendAudit(tx, {
      actor,
      unitId: wardId,
      action: "cadre.update",
      details: {
        cadreId,
        from: { fullName: before.full_name, birthYear: before.birth_year },
        to: { fullName: input.fullName, birthYear: input.birthYear },
      },
    });
    return { ok: true, id: before.id };
  });
}

export async function addPosition({
  actor,
  wardId,
  cadreId,
  input,
}: {
  actor: AuditActor;
  wardId: number;
  cadreId: number;
  input: PositionInput;
}): Promise<CadreChange> {
  return inTransaction(input, async (tx) => {
    const cadre = await requireCadre({ wardId, cadreId }, tx);
    const { unit, title, titleCreated } = await resolvePosition(tx, { wardId, input });
    const position = await insertPosition(
      { cadreId: cadre.id, position: { unitId: unit.id, titleId: title.id, startedOn: input.startedOn } },
      tx
    );
    await appendAudit(tx, {
      actor,
      unitId: wardId,
      action: "position.create",
      details: {
        cadreId: cadre.id,
        positionId: position.id,
        title: title.name,
        titleCreated,
        unit: unit.name,
        startedOn: input.startedOn,
      },
    });
    return { ok: true, id: position.id };
  });
}

/** A position of the cadre (locked for the change), or a 404 for a position id of anyone else. */
async function requirePositionOfCadre(
  tx: Transaction<Database>,
  { cadreId, positionId }: { cadreId: number; positionId: number }
) {
  const position = await tx
    .selectFrom("positions")
    .select(["id", "unit_id", "title_id", "started_on", "ended_on"])
    .where("id", "=", positionId)
    .where("cadre_id", "=", cadreId)
    .forUpdate()
    .executeTakeFirst();
  if (!position) notFound();
  return position;
}

export async function updatePosition({
  actor,
  wardId,
  cadreId,
  input,
}: {
  actor: AuditActor;
  wardId: number;
  cadreId: number;
  input: EditPositionInput;
}): Promise<CadreChange> {
  return inTransaction(input, async (tx) => {
    const cadre = await requireCadre({ wardId, cadreId }, tx);
    const before = await requirePositionOfCadre(tx, { cadreId: cadre.id, positionId: input.positionId });
    // A position marked ended is no longer current: an end still to come is recorded once it has come.
    if (input.endedOn !== null && input.endedOn > todayInVietnam()) {
      return { ok: false, errors: { endedOn: "cadres.endInFuture" } };
    }
    const { unit, title, titleCreated } = await resolvePosition(tx, { wardId, input });
    await tx
      .updateTable("positions")
      .set({ unit_id: unit.id, title_id: title.id, started_on: input.startedOn, ended_on: input.endedOn })
      .where("id", "=", before.id)
      .execute();
    await appendAudit(tx, {
      actor,
      unitId: wardId,
      action: "position.update",
      details: {
        cadreId: cadre.id,
        positionId: before.id,
        from: {
          titleId: before.title_id,
          unitId: before.unit_id,
          startedOn: before.started_on,
          endedOn: before.ended_on,
        },
        to: { titleId: title.id, unitId: unit.id, startedOn: input.startedOn, endedOn: input.endedOn },
        title: title.name,
        titleCreated,
        unit: unit.name,
      },
    });
    return { ok: true, id: before.id };
  });
}

/** Ends a current position on `endedOn` (today in Việt Nam when not given), never before it started. */
export async function endPosition({
  actor,
  wardId,
  cadreId,
  positionId,
  endedOn,
}: {
  actor: AuditActor;
  wardId: number;
  cadreId: number;
  positionId: number;
  endedOn: string | null;
}): Promise<CadreChange> {
  return db.transaction().execute(async (tx) => {
    const cadre = await requireCadre({ wardId, cadreId }, tx);
    const position = await requirePositionOfCadre(tx, { cadreId: cadre.id, positionId });
    if (position.ended_on !== null) return { ok: false, errors: { endedOn: "cadres.alreadyEnded" } };
    const date = endedOn ?? todayInVietnam();
    if (date < position.started_on) return { ok: false, errors: { endedOn: "cadres.endBeforeStart" } };
    if (date > todayInVietnam()) return { ok: false, errors: { endedOn: "cadres.endInFuture" } };
    await tx.updateTable("positions").set({ ended_on: date }).where("id", "=", position.id).execute();
    await appendAudit(tx, {
      actor,
      unitId: wardId,
      action: "position.end",
      details: { cadreId: cadre.id, positionId: position.id, startedOn: position.started_on, endedOn: date },
    });
    return { ok: true, id: position.id };
  });
}
