import { sql, type Kysely, type Transaction } from "kysely";
import { db } from "~/db.server";
import type { Database } from "../../db/schema";

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
  executor: Executor = db,
) {
  return executor
    .insertInto("cadres")
    .values({ ward_id: wardId, full_name: fullName.normalize("NFC"), birth_year: birthYear })
    .returning(["id", "full_name", "birth_year", "ward_id"])
    .executeTakeFirstOrThrow();
}

/** Inserts a position; a current position the cadre already holds (same title, same unit) violates a unique index. */
export async function insertPosition({ cadreId, position }: { cadreId: number; position: NewPositionInput }, executor: Executor = db) {
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
  executor: Executor = db,
) {
  let query = executor
    .selectFrom("cadres")
    .select(["id", "full_name", "birth_year"])
    .where("ward_id", "=", wardId)
    .where(sql`lower(full_name)`, "=", fullName.normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase());
  query = birthYear === null ? query.where("birth_year", "is", null) : query.where("birth_year", "=", birthYear);
  return query.executeTakeFirst();
}
