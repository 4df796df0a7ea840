// Import of a ward's residential groups, and of its cadres with their positions, from a file the officer uploads
// (web) or names (command line). Both check every row with `planImport` and write with `commitSheet`, which checks
// again inside the one transaction that writes everything or nothing.
import { randomUUID } from "node:crypto";
import { sql, type Kysely, type Transaction } from "kysely";
import { appendAudit, type AuditActor } from "~/audit/audit.server";
import type { Permission } from "~/auth/permissions";
import { can, requirePermission } from "~/auth/permissions.server";
import type { SessionUser } from "~/auth/session.server";
import { findCadreByName, insertCadre, insertPosition } from "~/cadres/cadres.server";
import { findOrCreateTitle, listTitles } from "~/cadres/titles.server";
import { issuesToErrors } from "~/components/forms";
import { nameKey } from "~/components/text";
import { db } from "~/db.server";
import type { Message } from "~/i18n/i18n";
import { createUnit, DuplicateUnitNameError, isUniqueViolation } from "~/units/units.server";
import type { Database } from "../../db/schema";
import { cadreRowSchema, groupRowSchema, IMPORT_COLUMNS, IMPORT_KINDS, type ImportKind } from "./imports.schema";
import type { ParsedSheet, SheetRow } from "./read-file.server";
import { LOCKS } from "~/db-locks.server";

type Executor = Kysely<Database> | Transaction<Database>;

// Imports into one ward take turns, so that two files adding the same cadre cannot both add them.
const IMPORT_LOCK_KEY = LOCKS.imports;
// The lock the units domain takes around its name checks under a parent (app/units/units.server.ts): a group added
// by hand while a file is imported is then seen by one of the two.
const UNIT_NAME_LOCK_KEY = LOCKS.unitNames;

export interface RowError {
  line: number;
  /** The column's header as the file has it; empty for a fault of the whole row. */
  column: string;
  message: Message;
}

export type RowStatus = "newGroup" | "newCadre" | "existingCadre" | "error";

export interface PlanRow {
  line: number;
  values: Record<string, string>;
  status: RowStatus;
  /** For a cadre's row: its title is not yet among the ward's titles. */
  newTitle: boolean;
  errors: { column: string; message: Message }[];
}

interface PlannedPosition {
  line: number;
  titleKey: string;
  titleId: number | null;
  title: string;
  unitId: number;
  unitName: string;
  startedOn: string;
}

interface PlannedCadre {
  fullName: string;
  birthYear: number | null;
  existingId: number | null;
  positions: PlannedPosition[];
}

export interface ImportCounts {
  rows: number;
  groups: number;
  newCadres: number;
  existingCadres: number;
  positions: number;
  newTitles: number;
}

export interface ImportPlan {
  kind: ImportKind;
  rows: PlanRow[];
  errors: RowError[];
  warnings: Message[];
  /** Titles the file uses that the ward does not have yet: they are added on commit. */
  newTitles: string[];
  counts: ImportCounts;
  groups: { line: number; name: string }[];
  cadres: PlannedCadre[];
}

/** The ward a URL names, or null when the unit is not a ward. */
export async function findWard({ wardId }: { wardId: number }, executor: Executor = db) {
  if (!Number.isSafeInteger(wardId) || wardId <= 0) return null;
  const ward = await executor
    .selectFrom("units")
    .select(["id", "name"])
    .where("id", "=", wardId)
    .where("kind", "=", "ward")
    .executeTakeFirst();
  return ward ?? null;
}

/** Every unit directly under the ward (the unique index on names covers them all, whatever their kind). */
async function listWardChildren({ wardId }: { wardId: number }, executor: Executor) {
  return executor.selectFrom("units").select(["id", "name", "kind"]).where("parent_id", "=", wardId).execute();
}

/** Current positions of the given cadres, as "cadreId:titleId:unitId" keys. */
async function currentPositionKeys({ cadreIds }: { cadreIds: number[] }, executor: Executor) {
  if (cadreIds.length === 0) return new Set<string>();
  const rows = await executor
    .selectFrom("positions")
    .select(["cadre_id", "title_id", "unit_id"])
    .where("cadre_id", "in", cadreIds)
    .where("ended_on", "is", null)
    .execute();
  return new Set(rows.map((r) => `${r.cadre_id}:${r.title_id}:${r.unit_id}`));
}

function emptyCounts(rows: number): ImportCounts {
  return { rows, groups: 0, newCadres: 0, existingCadres: 0, positions: 0, newTitles: 0 };
}

/** Checks every row of the file against its own rows and the ward as the database has it now. */
export async function planImport(
  { wardId, kind, sheet }: { wardId: number; kind: ImportKind; sheet: ParsedSheet },
  executor: Executor = db
): Promise<ImportPlan> {
  const ward = await findWard({ wardId }, executor);
  if (!ward) throw new Error(`Unit ${wardId} is not a ward`);
  const header = (field: string) =>
    sheet.columns[field] ?? IMPORT_COLUMNS[kind].find((c) => c.field === field)?.header ?? field;
  const rows: PlanRow[] = sheet.rows.map((row) => ({
    line: row.line,
    values: row.values,
    status: "error",
    newTitle: false,
    errors: row.overflow ? [{ column: "", message: "imports.row.overflow" }] : [],
  }));
  const warnings: Message[] = [];
  if (sheet.unknownColumns.length > 0) {
    const columns = sheet.unknownColumns.map((c) => `“${c}”`).join(", ");
    warnings.push({ key: "imports.unknownColumns", params: { columns } });
  }
  const plan: ImportPlan = {
    kind,
    rows,
    errors: [],
    warnings,
    newTitles: [],
    counts: emptyCounts(rows.length),
    groups: [],
    cadres: [],
  };
  if (kind === "residential_groups") await planGroups(plan, { wardId, sheet, header }, executor);
  else await planCadres(plan, { ward, sheet, header }, executor);
  for (const row of rows) {
    if (row.errors.length > 0) row.status = "error";
    for (const error of row.errors) plan.errors.push({ line: row.line, ...error });
  }
  return plan;
}

async function planGroups(
  plan: ImportPlan,
  { wardId, sheet, header }: { wardId: number; sheet: ParsedSheet; header: (field: string) => string },
  executor: Executor
) {
  const existing = new Map((await listWardChildren({ wardId }, executor)).map((u) => [nameKey(u.name), u.name]));
  const seen = new Map<string, number>();
  sheet.rows.forEach((row: SheetRow, i) => {
    const target = plan.rows[i];
    const parsed = groupRowSchema.safeParse(row.values);
    if (!parsed.success) {
      for (const [field, message] of Object.entries(issuesToErrors(parsed.error.issues))) {
        target.errors.push({ column: header(field), message });
      }
      return;
    }
    const key = nameKey(parsed.data.name);
    const firstLine = seen.get(key);
    if (firstLine !== undefined) {
      target.errors.push({
        column: header("name"),
        message: { key: "imports.row.duplicate", params: { line: firstLine } },
      });
      return;
    }
    seen.set(key, row.line);
    const taken = existing.get(key);
    if (taken !== undefined) {
      target.errors.push({
        column: header("name"),
        message: { key: "imports.row.groupExists", params: { name: taken } },
      });
      return;
    }
    if (target.errors.length > 0) return;
    target.status = "newGroup";
    plan.groups.push({ line: row.line, name: parsed.data.name });
  });
  plan.counts.groups = plan.groups.length;
}

async function planCadres(
  plan: ImportPlan,
  {
    ward,
    sheet,
    header,
  }: { ward: { id: number; name: string }; sheet: ParsedSheet; header: (field: string) => string },
  executor: Executor
) {
  const wardId = ward.id;
  const units = new Map<string, { id: number; name: string }>([[nameKey(ward.name), ward]]);
  for (const unit of await listWardChildren({ wardId }, executor)) {
    if (unit.kind === "residential_group") units.set(nameKey(unit.name), unit);
  }
  const titles = new Map((await listTitles({ wardId }, executor)).map((t) => [nameKey(t.name), t]));
  const newTitles = new Map<string, string>();
  const cadres = new Map<string, PlannedCadre>();
  const seen = new Map<string, number>();

  for (const [i, row] of sheet.rows.entries()) {
    const target = plan.rows[i];
    const parsed = cadreRowSchema.safeParse(row.values);
    if (!parsed.success) {
      for (const [field, message] of Object.entries(issuesToErrors(parsed.error.issues))) {
        target.errors.push({ column: header(field), message });
      }
    }
    const unitName = typeof row.values.unit === "string" ? row.values.unit : "";
    const unit = unitName === "" ? ward : units.get(nameKey(unitName));
    if (!unit) {
      target.errors.push({
        column: header("unit"),
        message: { key: "imports.row.unknownUnit", params: { name: unitName } },
      });
    }
    if (!parsed.success || !unit) continue;

    const { fullName, birthYear, title, startedOn } = parsed.data;
    const titleKey = nameKey(title);
    const known = titles.get(titleKey) ?? null;
    const cadreKey = `${nameKey(fullName)}|${birthYear ?? ""}`;
    const rowKey = `${cadreKey}|${titleKey}|${unit.id}`;
    const firstLine = seen.get(rowKey);
    if (firstLine !== undefined) {
      target.errors.push({
        column: header("title"),
        message: { key: "imports.row.duplicate", params: { line: firstLine } },
      });
      continue;
    }
    seen.set(rowKey, row.line);
    let cadre = cadres.get(cadreKey);
    if (!cadre) {
      const existing = await findCadreByName({ wardId, fullName, birthYear }, executor);
      cadre = { fullName, birthYear, existingId: existing?.id ?? null, positions: [] };
      cadres.set(cadreKey, cadre);
    }
    if (target.errors.length > 0) continue;
    if (!known && !newTitles.has(titleKey)) newTitles.set(titleKey, title);
    target.newTitle = !known;
    target.status = cadre.existingId === null ? "newCadre" : "existingCadre";
    cadre.positions.push({
      line: row.line,
      titleKey,
      titleId: known?.id ?? null,
      title: known?.name ?? title,
      unitId: unit.id,
      unitName: unit.name,
      startedOn,
    });
  }

  // A position the cadre already holds (same title, same unit, not ended) would be a second copy of it.
  const held = await currentPositionKeys(
    { cadreIds: [...cadres.values()].flatMap((c) => (c.existingId === null ? [] : [c.existingId])) },
    executor
  );
  const rowAt = new Map(plan.rows.map((r) => [r.line, r]));
  for (const cadre of cadres.values()) {
    if (cadre.existingId === null) continue;
    cadre.positions = cadre.positions.filter((position) => {
      if (position.titleId === null || !held.has(`${cadre.existingId}:${position.titleId}:${position.unitId}`))
        return true;
      rowAt.get(position.line)!.errors.push({
        column: header("title"),
        message: {
          key: "imports.row.positionHeld",
          params: { name: cadre.fullName, title: position.title, unit: position.unitName },
        },
      });
      return false;
    });
  }

  plan.cadres = [...cadres.values()].filter((c) => c.positions.length > 0);
  const usedTitles = new Set(plan.cadres.flatMap((c) => c.positions.map((p) => p.titleKey)));
  plan.newTitles = [...newTitles].filter(([key]) => usedTitles.has(key)).map(([, name]) => name);
  plan.counts.newCadres = plan.cadres.filter((c) => c.existingId === null).length;
  plan.counts.existingCadres = plan.cadres.length - plan.counts.newCadres;
  plan.counts.positions = plan.cadres.reduce((n, c) => n + c.positions.length, 0);
  plan.counts.newTitles = plan.newTitles.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Commit

/** The file still has row errors when it is committed (the ward changed since the preview, or it always had). */
export class ImportRejectedError extends Error {
  constructor(readonly plan: ImportPlan) {
    super("import rejected");
  }
}

/** A write collided with a change made at the same moment (a unique index refused it). */
export class ImportConflictError extends Error {
  constructor(readonly line: number) {
    super("import conflict");
  }
}

export async function lockWardImports(tx: Transaction<Database>, wardId: number) {
  await sql`select pg_advisory_xact_lock(${IMPORT_LOCK_KEY}::int, ${wardId}::int)`.execute(tx);
}

/**
 * Checks the file again and writes it, inside the caller's transaction; throws ImportRejectedError or
 * ImportConflictError (the caller's transaction then rolls back, and nothing is stored).
 */
export async function commitSheet(
  tx: Transaction<Database>,
  {
    wardId,
    kind,
    sheet,
    fileName,
    actor,
    draftId = null,
  }: {
    wardId: number;
    kind: ImportKind;
    sheet: ParsedSheet;
    fileName: string;
    actor: AuditActor;
    draftId?: string | null;
  }
): Promise<{ counts: ImportCounts; newTitles: string[] }> {
  await lockWardImports(tx, wardId);
  if (kind === "residential_groups") {
    await sql`select pg_advisory_xact_lock(${UNIT_NAME_LOCK_KEY}::int, ${wardId}::int)`.execute(tx);
  }
  const plan = await planImport({ wardId, kind, sheet }, tx);
  if (plan.errors.length > 0) throw new ImportRejectedError(plan);

  if (kind === "residential_groups") {
    for (const group of plan.groups) {
      try {
        await createUnit({ parentId: wardId, kind: "residential_group", name: group.name }, tx);
      } catch (error) {
        if (error instanceof DuplicateUnitNameError) throw new ImportConflictError(group.line);
        throw error;
      }
    }
  } else {
    const titleIds = new Map<string, number>();
    for (const name of plan.newTitles) {
      const title = await findOrCreateTitle({ wardId, name }, tx);
      titleIds.set(nameKey(name), title.id);
    }
    for (const cadre of plan.cadres) {
      const cadreId =
        cadre.existingId ??
        (await insertCadre({ wardId, fullName: cadre.fullName, birthYear: cadre.birthYear }, tx)).id;
      for (const position of cadre.positions) {
        const titleId = position.titleId ?? titleIds.get(position.titleKey)!;
        try {
          await insertPosition(
            { cadreId, position: { unitId: position.unitId, titleId, startedOn: position.startedOn } },
            tx
          );
        } catch (error) {
          if (isUniqueViolation(error)) throw new ImportConflictError(position.line);
          throw error;
        }
      }
    }
  }

  const { counts, newTitles } = plan;
  await appendAudit(tx, {
    actor,
    unitId: wardId,
    action: "import.commit",
    details: {
      kind,
      fileName,
      draftId,
      rows: counts.rows,
      ...(kind === "residential_groups"
        ? { groups: counts.groups }
        : {
            newCadres: counts.newCadres,
            existingCadres: counts.existingCadres,
            positions: counts.positions,
            newTitles,
          }),
    },
  });
  return { counts, newTitles };
}

// ---------------------------------------------------------------------------------------------------------------
// Drafts: the file read at upload, previewed, then committed at most once, by its own officer, in its own ward.

const DRAFT_DAYS = 7;

export async function createDraft({
  userId,
  wardId,
  kind,
  fileName,
  sheet,
}: {
  userId: number;
  wardId: number;
  kind: ImportKind;
  fileName: string;
  sheet: ParsedSheet;
}) {
  const id = randomUUID();
  await db.transaction().execute(async (tx) => {
    // Drafts are working copies: an officer's week-old ones go when they upload a new file.
    await tx
      .deleteFrom("import_drafts")
      .where("user_id", "=", userId)
      .where("created_at", "<", new Date(Date.now() - DRAFT_DAYS * 24 * 3600 * 1000))
      .execute();
    await tx
      .insertInto("import_drafts")
      .values({ id, user_id: userId, ward_id: wardId, kind, file_name: fileName, rows: JSON.stringify(sheet) })
      .execute();
  });
  return id;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The officer's own draft in this ward, or null (another officer's or another ward's draft is not theirs). */
export async function findDraft({ draftId, userId, wardId }: { draftId: string; userId: number; wardId: number }) {
  if (!UUID.test(draftId)) return null;
  const draft = await db
    .selectFrom("import_drafts")
    .select(["id", "kind", "file_name", "rows", "created_at", "committed_at"])
    .where("id", "=", draftId)
    .where("user_id", "=", userId)
    .where("ward_id", "=", wardId)
    .executeTakeFirst();
  if (!draft) return null;
  return { ...draft, sheet: draft.rows as ParsedSheet };
}

export type DraftCommit =
  | { ok: true; kind: ImportKind; counts: ImportCounts; newTitles: string[] }
  | { ok: false; reason: "notFound" }
  | { ok: false; reason: "alreadyCommitted"; committedAt: Date }
  | { ok: false; reason: "rejected"; plan: ImportPlan }
  | { ok: false; reason: "conflict"; line: number };

/**
 * Commits a draft: the draft is marked committed in the same transaction that writes its rows, by an update that
 * only a draft not yet committed passes, so a double click or a replay adds nothing the second time.
 */
export async function commitDraft({
  draftId,
  wardId,
  user,
}: {
  draftId: string;
  wardId: number;
  user: { id: number; username: string };
}): Promise<DraftCommit> {
  if (!UUID.test(draftId)) return { ok: false, reason: "notFound" };
  try {
    return await db.transaction().execute(async (tx): Promise<DraftCommit> => {
      await lockWardImports(tx, wardId);
      const draft = await tx
        .updateTable("import_drafts")
        .set({ committed_at: sql<Date>`now()` })
        .where("id", "=", draftId)
        .where("user_id", "=", user.id)
        .where("ward_id", "=", wardId)
        .where("committed_at", "is", null)
        .returning(["kind", "file_name", "rows"])
        .executeTakeFirst();
      if (!draft) {
        const done = await tx
          .selectFrom("import_drafts")
          .select("committed_at")
          .where("id", "=", draftId)
          .where("user_id", "=", user.id)
          .where("ward_id", "=", wardId)
          .executeTakeFirst();
        return done?.committed_at
          ? { ok: false, reason: "alreadyCommitted", committedAt: done.committed_at }
          : { ok: false, reason: "notFound" };
      }
      const result = await commitSheet(tx, {
        wardId,
        kind: draft.kind,
        sheet: draft.rows as ParsedSheet,
        fileName: draft.file_name,
        actor: { userId: user.id, label: user.username },
        draftId,
      });
      return { ok: true, kind: draft.kind, ...result };
    });
  } catch (error) {
    if (error instanceof ImportRejectedError) return { ok: false, reason: "rejected", plan: error.plan };
    if (error instanceof ImportConflictError) return { ok: false, reason: "conflict", line: error.line };
    throw error;
  }
}

/** How many things a commit added, as the officer counts them: groups, or positions of cadres. */
export function importedCount(kind: ImportKind, counts: ImportCounts) {
  return kind === "residential_groups" ? counts.groups : counts.positions;
}

// ---------------------------------------------------------------------------------------------------------------
// The web page's access and preview.

export const IMPORT_PERMISSION = {
  residential_groups: "unit.manage",
  cadres: "cadre.manage",
} as const satisfies Record<ImportKind, Permission>;

/**
 * The ward of the URL and the kinds of import the officer may run there. Throws 404 for a unit that does not
 * exist or is not a ward, 403 for a ward the officer may not change.
 */
export async function requireImportWard({ user, unitParam }: { user: SessionUser; unitParam: string | undefined }) {
  const unitId = /^\d{1,9}$/.test(unitParam ?? "") ? Number(unitParam) : 0;
  const kinds: ImportKind[] = [];
  for (const kind of IMPORT_KINDS) {
    if (unitId > 0 && (await can(user, IMPORT_PERMISSION[kind], unitId))) kinds.push(kind);
  }
  if (kinds.length === 0) await requirePermission(user, IMPORT_PERMISSION.residential_groups, unitId);
  const ward = await findWard({ wardId: unitId });
  if (!ward) throw new Response("Not Found", { status: 404 });
  return { ward, kinds };
}

/** A draft as the preview shows it: checked again now, since the ward may have changed since the upload. */
export async function previewDraft(draft: NonNullable<Awaited<ReturnType<typeof findDraft>>>, wardId: number) {
  const plan = draft.committed_at ? null : await planImport({ wardId, kind: draft.kind, sheet: draft.sheet });
  return {
    id: draft.id,
    kind: draft.kind,
    fileName: draft.file_name,
    createdAt: draft.created_at,
    committedAt: draft.committed_at,
    columns: IMPORT_COLUMNS[draft.kind]
      .filter((c) => c.field in draft.sheet.columns)
      .map((c) => ({ field: c.field, header: draft.sheet.columns[c.field] })),
    plan: plan && {
      rows: plan.rows,
      errors: plan.errors,
      warnings: plan.warnings,
      newTitles: plan.newTitles,
      counts: plan.counts,
    },
  };
}
