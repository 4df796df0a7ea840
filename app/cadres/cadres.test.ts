import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "~/audit/audit.server";
import { db } from "~/db.server";
import { action as cadreAction, loader as cadreLoader } from "~/routes/units.$unitId.cadres.$cadreId";
import { action as listAction, loader as listLoader } from "~/routes/units.$unitId.cadres._index";
import type { Role } from "../../db/schema";
import { createWards, createUser, dataOf, makeRequest, run, sessionCookie, statusOf } from "../../tests/setup/fixtures";
import { dateField, parseDateInput, todayInVietnam } from "./cadres.schema";
import { insertCadre, insertPosition } from "./cadres.server";
import { findOrCreateTitle, findTitle } from "./titles.server";

type Grant = { role: Role; unitId: number | null };
/** A posted form; the keys a union of test cases leaves undefined are not sent. */
type Form = Record<string, string | undefined>;
const sent = (form: Form) =>
  Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined)) as Record<string, string>;

async function login(username: string, grants: Grant[]) {
  const user = await createUser(username, grants);
  return sessionCookie(user.id);
}

const listParams = (wardId: number) => ({ unitId: String(wardId) });
const cadreParams = (wardId: number, cadreId: number) => ({ unitId: String(wardId), cadreId: String(cadreId) });

function loadList(cookie: string, wardId: number) {
  const request = makeRequest(`/units/${wardId}/cadres`, { cookie });
  return run(() => listLoader({ request, params: listParams(wardId), context: {} }));
}

function postList(cookie: string, wardId: number, form: Record<string, string>) {
  const request = makeRequest(`/units/${wardId}/cadres`, { cookie, form: { intent: "createCadre", ...form } });
  return run(() => listAction({ request, params: listParams(wardId), context: {} }));
}

function loadCadre(cookie: string, wardId: number, cadreId: number) {
  const request = makeRequest(`/units/${wardId}/cadres/${cadreId}`, { cookie });
  return run(() => cadreLoader({ request, params: cadreParams(wardId, cadreId), context: {} }));
}

function postCadre(cookie: string, wardId: number, cadreId: number, form: Form) {
  const request = makeRequest(`/units/${wardId}/cadres/${cadreId}`, { cookie, form: sent(form) });
  return run(() => cadreAction({ request, params: cadreParams(wardId, cadreId), context: {} }));
}

async function titleId(wardId: number, name: string) {
  return String((await findTitle({ wardId, name }))!.id);
}

/** A cadre with one current position, written directly. */
async function seedCadre(wardId: number, unitId: number, fullName: string, title: string, startedOn = "2021-07-01") {
  const cadre = await insertCadre({ wardId, fullName, birthYear: 1975 });
  const id = (await findTitle({ wardId, name: title }))!.id;
  const position = await insertPosition({ cadreId: cadre.id, position: { unitId, titleId: id, startedOn } });
  return { ...cadre, positionId: position.id };
}

async function positionsOf(cadreId: number) {
  return db
    .selectFrom("positions")
    .select(["id", "unit_id", "title_id", "started_on", "ended_on"])
    .where("cadre_id", "=", cadreId)
    .orderBy("id")
    .execute();
}

async function auditActions() {
  const rows = await db.selectFrom("audit_log").select("action").orderBy("id").execute();
  return rows.map((r) => r.action);
}

describe("dates as officers type them", () => {
  it("reads dd/mm/yyyy and yyyy-mm-dd, and refuses impossible days", () => {
    expect(parseDateInput("05/03/2026")).toBe("2026-03-05");
    expect(parseDateInput("5/3/2026")).toBe("2026-03-05");
    expect(parseDateInput(" 2026-03-05 ")).toBe("2026-03-05");
    expect(parseDateInput("29/02/2024")).toBe("2024-02-29");
    for (const bad of ["31/02/2026", "29/02/2025", "2026-13-01", "00/01/2026", "03/05/26", "hôm nay", "1800-01-01"]) {
      expect(parseDateInput(bad)).toBeNull();
    }
    const field = dateField();
    expect(field.safeParse("31/02/2026").error?.issues[0].message).toBe("errors.invalidDate");
    expect(field.safeParse("").error?.issues[0].message).toBe("errors.required");
  });

  it("takes today in Việt Nam, not in UTC", () => {
    expect(todayInVietnam(new Date("2026-03-04T18:30:00Z"))).toBe("2026-03-05");
    expect(todayInVietnam(new Date("2026-03-04T16:30:00Z"))).toBe("2026-03-04");
  });
});

describe("the ward's cadres", () => {
  it("an officer adds a cadre with a new title, which joins the ward's titles", async () => {
    const { ward, otherWard } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const result = (await postList(cookie, ward.id, {
      fullName: "Trịnh  Văn Quyết".normalize("NFD"),
      birthYear: "1970",
      titleId: "",
      newTitle: "Trưởng ban Thanh tra nhân dân",
      unitId: String(ward.id),
      startedOn: "05/03/2026",
    })) as Response;
    expect(result.status).toBe(302);
    const cadre = await db.selectFrom("cadres").selectAll().executeTakeFirstOrThrow();
    expect(result.headers.get("Location")).toBe(`/units/${ward.id}/cadres/${cadre.id}?notice=cadreCreated`);
    expect(cadre).toMatchObject({ ward_id: ward.id, full_name: "Trịnh Văn Quyết", birth_year: 1970 });
    const title = await findTitle({ wardId: ward.id, name: "Trưởng ban Thanh tra nhân dân" });
    expect(title?.ward_id).toBe(ward.id);
    expect(await findTitle({ wardId: otherWard.id, name: "Trưởng ban Thanh tra nhân dân" })).toBeNull();
    expect(await positionsOf(cadre.id)).toEqual([
      expect.objectContaining({ unit_id: ward.id, title_id: title!.id, started_on: "2026-03-05", ended_on: null }),
    ]);
    const entry = await db.selectFrom("audit_log").selectAll().executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ action: "cadre.create", unit_id: ward.id, actor_label: "mattran" });
    expect(entry.details).toMatchObject({ fullName: "Trịnh Văn Quyết", position: { titleCreated: true } });
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 1 });
  });

  it("lists cadres with current positions in the order of the key titles, then by name", async () => {
    const { ward, group1 } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    await seedCadre(ward.id, ward.id, "Lê Minh Đức", "Chủ tịch UBND");
    await seedCadre(ward.id, group1.id, "Ngô Văn Khải", "Tổ trưởng tổ dân phố");
    await seedCadre(ward.id, ward.id, "Nguyễn Văn Thành", "Bí thư Đảng ủy");
    const retired = await seedCadre(ward.id, ward.id, "Âu Văn An", "Phó Chủ tịch UBND");
    await db.updateTable("positions").set({ ended_on: "2024-01-01" }).where("id", "=", retired.positionId).execute();
    const page = dataOf(await loadList(cookie, ward.id));
    expect(page.cadres.map((c: { full_name: string }) => c.full_name)).toEqual([
      "Nguyễn Văn Thành",
      "Lê Minh Đức",
      "Ngô Văn Khải",
      "Âu Văn An",
    ]);
    expect(page.cadres[2]).toMatchObject({
      birth_year: 1975,
      positions: [expect.objectContaining({ title: "Tổ trưởng tổ dân phố", unit_name: "Tổ dân phố số 1" })],
    });
    expect(page.cadres[3].positions).toEqual([]);
    expect(page.units.map((u: { id: number }) => u.id)[0]).toBe(ward.id);
  });

  it("refuses a form with a too long name, a bad birth year, an impossible date or no title, storing nothing", async () => {
    const { ward } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const bitThu = await titleId(ward.id, "Bí thư Đảng ủy");
    const base = {
      fullName: "Lê Văn Tám",
      birthYear: "",
      titleId: bitThu,
      newTitle: "",
      unitId: String(ward.id),
      startedOn: "01/01/2026",
    };
    const cases: [Record<string, string>, Record<string, unknown>][] = [
      [{ fullName: "Nguyễn ".repeat(20) + "A" }, { fullName: { key: "errors.tooLong", params: { max: 120 } } }],
      [{ birthYear: "1899" }, { birthYear: "cadres.birthYearRange" }],
      [{ birthYear: String(Number(todayInVietnam().slice(0, 4)) + 1) }, { birthYear: "cadres.birthYearRange" }],
      [{ birthYear: "năm 70" }, { birthYear: "errors.invalidNumber" }],
      [{ startedOn: "31/02/2026" }, { startedOn: "errors.invalidDate" }],
      [{ startedOn: "" }, { startedOn: "errors.required" }],
      [{ titleId: "" }, { titleId: "cadres.titleRequired" }],
      [{ newTitle: "Chức vụ khác" }, { newTitle: "cadres.titleEither" }],
      [{ titleId: "", newTitle: "T".repeat(151) }, { newTitle: { key: "errors.tooLong", params: { max: 150 } } }],
    ];
    for (const [change, errors] of cases) {
      const result = await postList(cookie, ward.id, { ...base, ...change });
      expect(statusOf(result)).toBe(400);
      expect(dataOf(result).errors).toEqual(errors);
      expect(dataOf(result).values).toMatchObject(change);
    }
    expect(await db.selectFrom("cadres").select("id").execute()).toEqual([]);
    expect(await auditActions()).toEqual([]);
  });

  it("answers 404 for a title or a unit of another ward posted in the form", async () => {
    const { ward, otherWard, otherGroup } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const foreignTitle = await findOrCreateTitle({ wardId: otherWard.id, name: "Chức vụ riêng của Khương Đình" }, db);
    const base = { fullName: "Lê Văn Tám", birthYear: "", newTitle: "", startedOn: "01/01/2026" };
    const title = await titleId(ward.id, "Bí thư Đảng ủy");
    expect(
      statusOf(await postList(cookie, ward.id, { ...base, titleId: String(foreignTitle.id), unitId: String(ward.id) }))
    ).toBe(404);
    expect(statusOf(await postList(cookie, ward.id, { ...base, titleId: title, unitId: String(otherGroup.id) }))).toBe(
      404
    );
    expect(statusOf(await postList(cookie, ward.id, { ...base, titleId: title, unitId: String(otherWard.id) }))).toBe(
      404
    );
    expect(await db.selectFrom("cadres").select("id").execute()).toEqual([]);
  });

  it("is a ward's page only: a residential group's id answers 404", async () => {
    const { ward, group1 } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    expect(statusOf(await loadList(cookie, group1.id))).toBe(404);
    expect(statusOf(await postList(cookie, group1.id, { fullName: "X" }))).toBe(404);
  });
});

describe("a cadre's positions", () => {
  it("an officer edits the cadre, adds, edits and ends positions, each with an audit entry", async () => {
    const { ward, group1 } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const cadre = await seedCadre(ward.id, ward.id, "Phạm Thị Lan", "Phó Chủ tịch UBND", "2021-07-01");

    const edited = await postCadre(cookie, ward.id, cadre.id, {
      intent: "updateCadre",
      fullName: "Phạm Thị Ngọc Lan",
      birthYear: "1981",
    });
    expect(statusOf(edited)).toBe(302);

    const added = (await postCadre(cookie, ward.id, cadre.id, {
      intent: "addPosition",
      titleId: "",
      newTitle: "Tổ phó tổ dân phố",
      unitId: String(group1.id),
      startedOn: "2024-02-01",
    })) as Response;
    expect(added.status).toBe(302);
    expect(added.headers.get("Location")).toBe(`/units/${ward.id}/cadres/${cadre.id}?notice=positionCreated`);
    const [first, second] = await positionsOf(cadre.id);
    expect(second).toMatchObject({ unit_id: group1.id, started_on: "2024-02-01", ended_on: null });

    const chuTich = await titleId(ward.id, "Chủ tịch UBND");
    const updated = await postCadre(cookie, ward.id, cadre.id, {
      intent: "editPosition",
      positionId: String(first.id),
      titleId: chuTich,
      newTitle: "",
      unitId: String(ward.id),
      startedOn: "2021-07-15",
      endedOn: "",
    });
    expect(statusOf(updated)).toBe(302);

    const ended = await postCadre(cookie, ward.id, cadre.id, {
      intent: "endPosition",
      positionId: String(second.id),
      endedOn: "",
    });
    expect(statusOf(ended)).toBe(302);

    expect(await positionsOf(cadre.id)).toEqual([
      expect.objectContaining({ id: first.id, title_id: Number(chuTich), started_on: "2021-07-15", ended_on: null }),
      expect.objectContaining({ id: second.id, ended_on: todayInVietnam() }),
    ]);
    const page = dataOf(await loadCadre(cookie, ward.id, cadre.id));
    expect(page.cadre).toMatchObject({ full_name: "Phạm Thị Ngọc Lan", birth_year: 1981 });
    expect(page.positions.map((p: { title: string; ended_on: string | null }) => [p.title, p.ended_on])).toEqual([
      ["Chủ tịch UBND", null],
      ["Tổ phó tổ dân phố", todayInVietnam()],
    ]);
    expect(await auditActions()).toEqual(["cadre.update", "position.create", "position.update", "position.end"]);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 4 });
  });

  it("refuses an end before the start, a second end, and a duplicate current position", async () => {
    const { ward } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const cadre = await seedCadre(ward.id, ward.id, "Phạm Thị Lan", "Phó Chủ tịch UBND", "2021-07-01");
    const phoChuTich = await titleId(ward.id, "Phó Chủ tịch UBND");

    const early = await postCadre(cookie, ward.id, cadre.id, {
      intent: "endPosition",
      positionId: String(cadre.positionId),
      endedOn: "30/06/2021",
    });
    expect(statusOf(early)).toBe(400);
    expect(dataOf(early)).toMatchObject({
      intent: "endPosition",
      targetId: cadre.positionId,
      errors: { endedOn: "cadres.endBeforeStart" },
    });
    const impossible = await postCadre(cookie, ward.id, cadre.id, {
      intent: "endPosition",
      positionId: String(cadre.positionId),
      endedOn: "31/02/2026",
    });
    expect(dataOf(impossible).errors).toEqual({ endedOn: "errors.invalidDate" });
    const future = await postCadre(cookie, ward.id, cadre.id, {
      intent: "endPosition",
      positionId: String(cadre.positionId),
      endedOn: "01/01/2100",
    });
    expect(dataOf(future).errors).toEqual({ endedOn: "cadres.endInFuture" });

    const duplicate = await postCadre(cookie, ward.id, cadre.id, {
      intent: "addPosition",
      titleId: phoChuTich,
      newTitle: "",
      unitId: String(ward.id),
      startedOn: "01/01/2025",
    });
    expect(statusOf(duplicate)).toBe(400);
    expect(dataOf(duplicate).errors).toEqual({ titleId: "cadres.positionExists" });
    // The same, typed as a new title in another case and in NFD.
    const typed = await postCadre(cookie, ward.id, cadre.id, {
      intent: "addPosition",
      titleId: "",
      newTitle: "phó chủ tịch ubnd".normalize("NFD"),
      unitId: String(ward.id),
      startedOn: "01/01/2025",
    });
    expect(dataOf(typed).errors).toEqual({ newTitle: "cadres.positionExists" });

    const editEarly = await postCadre(cookie, ward.id, cadre.id, {
      intent: "editPosition",
      positionId: String(cadre.positionId),
      titleId: phoChuTich,
      newTitle: "",
      unitId: String(ward.id),
      startedOn: "01/07/2021",
      endedOn: "2021-06-01",
    });
    expect(dataOf(editEarly).errors).toEqual({ endedOn: "cadres.endBeforeStart" });

    expect(
      statusOf(
        await postCadre(cookie, ward.id, cadre.id, {
          intent: "endPosition",
          positionId: String(cadre.positionId),
          endedOn: "01/01/2025",
        })
      )
    ).toBe(302);
    const again = await postCadre(cookie, ward.id, cadre.id, {
      intent: "endPosition",
      positionId: String(cadre.positionId),
      endedOn: "",
    });
    expect(dataOf(again).errors).toEqual({ endedOn: "cadres.alreadyEnded" });
    // Once ended, the same title may be held again; reopening the old one then collides with it.
    const newTerm = await postCadre(cookie, ward.id, cadre.id, {
      intent: "addPosition",
      titleId: phoChuTich,
      newTitle: "",
      unitId: String(ward.id),
      startedOn: "02/01/2025",
    });
    expect(statusOf(newTerm)).toBe(302);
    const reopen = await postCadre(cookie, ward.id, cadre.id, {
      intent: "editPosition",
      positionId: String(cadre.positionId),
      titleId: phoChuTich,
      newTitle: "",
      unitId: String(ward.id),
      startedOn: "01/07/2021",
      endedOn: "",
    });
    expect(statusOf(reopen)).toBe(400);
    expect(dataOf(reopen)).toMatchObject({ targetId: cadre.positionId, errors: { titleId: "cadres.positionExists" } });

    expect((await positionsOf(cadre.id)).map((p) => p.ended_on)).toEqual(["2025-01-01", null]);
    expect(await auditActions()).toEqual(["position.end", "position.create"]);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 2 });
  });

  it("answers 404 for a cadre of ward B under ward A's URL and for a position of another cadre", async () => {
    const { ward, otherWard } = await createWards();
    const cookie = await login("mattran", [
      { role: "front_officer", unitId: ward.id },
      { role: "front_officer", unitId: otherWard.id },
    ]);
    const ours = await seedCadre(ward.id, ward.id, "Phạm Thị Lan", "Phó Chủ tịch UBND");
    const colleague = await seedCadre(ward.id, ward.id, "Lê Minh Đức", "Chủ tịch UBND");
    const theirs = await seedCadre(otherWard.id, otherWard.id, "Đỗ Minh Tuấn", "Chủ tịch UBND");

    expect(statusOf(await loadCadre(cookie, ward.id, theirs.id))).toBe(404);
    expect(
      statusOf(await postCadre(cookie, ward.id, theirs.id, { intent: "updateCadre", fullName: "X", birthYear: "" }))
    ).toBe(404);
    expect(statusOf(await loadCadre(cookie, ward.id, 999_999))).toBe(404);
    const badId = await run(() =>
      cadreLoader({
        request: makeRequest(`/units/${ward.id}/cadres/x`, { cookie }),
        params: { unitId: String(ward.id), cadreId: "x" },
        context: {},
      })
    );
    expect(statusOf(badId)).toBe(404);

    const foreignPosition = String(colleague.positionId);
    const edit = await postCadre(cookie, ward.id, ours.id, {
      intent: "editPosition",
      positionId: foreignPosition,
      titleId: await titleId(ward.id, "Chủ tịch UBND"),
      newTitle: "",
      unitId: String(ward.id),
      startedOn: "01/01/2022",
      endedOn: "",
    });
    expect(statusOf(edit)).toBe(404);
    expect(
      statusOf(
        await postCadre(cookie, ward.id, ours.id, { intent: "endPosition", positionId: foreignPosition, endedOn: "" })
      )
    ).toBe(404);
    expect(
      statusOf(
        await postCadre(cookie, ward.id, ours.id, {
          intent: "endPosition",
          positionId: String(theirs.positionId),
          endedOn: "",
        })
      )
    ).toBe(404);
    expect(
      statusOf(
        await postCadre(cookie, ward.id, ours.id, { intent: "endPosition", positionId: "1 or 1=1", endedOn: "" })
      )
    ).toBe(404);

    expect((await positionsOf(colleague.id))[0]).toMatchObject({ ended_on: null, started_on: "2021-07-01" });
    expect((await positionsOf(theirs.id))[0].ended_on).toBeNull();
    expect(await auditActions()).toEqual([]);
  });
});

describe("access", () => {
  it("an officer of another ward gets 403 on every loader and action, whatever ids the URL or form carries", async () => {
    const { ward, otherWard } = await createWards();
    const other = await login("khuongdinh", [{ role: "front_officer", unitId: otherWard.id }]);
    const cadre = await seedCadre(ward.id, ward.id, "Phạm Thị Lan", "Phó Chủ tịch UBND");
    const theirs = await seedCadre(otherWard.id, otherWard.id, "Đỗ Minh Tuấn", "Chủ tịch UBND");
    const position = String(cadre.positionId);
    expect(statusOf(await loadList(other, ward.id))).toBe(403);
    expect(
      statusOf(
        await postList(other, ward.id, {
          fullName: "X",
          titleId: "1",
          unitId: String(ward.id),
          startedOn: "01/01/2026",
        })
      )
    ).toBe(403);
    for (const cadreId of [cadre.id, theirs.id, 999_999]) {
      expect(statusOf(await loadCadre(other, ward.id, cadreId))).toBe(403);
      for (const form of [
        { intent: "updateCadre", fullName: "X", birthYear: "" },
        { intent: "addPosition", titleId: "1", newTitle: "", unitId: String(ward.id), startedOn: "01/01/2026" },
        {
          intent: "editPosition",
          positionId: position,
          titleId: "1",
          newTitle: "",
          unitId: String(ward.id),
          startedOn: "01/01/2026",
          endedOn: "",
        },
        { intent: "endPosition", positionId: position, endedOn: "" },
      ]) {
        expect(statusOf(await postCadre(other, ward.id, cadreId, form))).toBe(403);
      }
    }
    // Ward A's ids under their own ward's URL.
    expect(statusOf(await loadCadre(other, otherWard.id, cadre.id))).toBe(404);
    expect(
      statusOf(
        await postCadre(other, otherWard.id, theirs.id, { intent: "endPosition", positionId: position, endedOn: "" })
      )
    ).toBe(404);
    expect((await positionsOf(cadre.id))[0].ended_on).toBeNull();
    expect(await auditActions()).toEqual([]);
  });

  for (const role of ["counting_member", "committee_reader"] as const) {
    it(`a ${role} reads cadres and positions but gets 403 on every change`, async () => {
      const { ward } = await createWards();
      const cookie = await login("reader", [{ role, unitId: ward.id }]);
      const cadre = await seedCadre(ward.id, ward.id, "Phạm Thị Lan", "Phó Chủ tịch UBND");
      const list = dataOf(await loadList(cookie, ward.id));
      expect(list.cadres).toHaveLength(1);
      expect(list.canManage).toBe(false);
      const page = dataOf(await loadCadre(cookie, ward.id, cadre.id));
      expect(page.positions).toHaveLength(1);
      expect(page.canManage).toBe(false);
      const title = await titleId(ward.id, "Bí thư Đảng ủy");
      expect(
        statusOf(
          await postList(cookie, ward.id, {
            fullName: "X",
            titleId: title,
            unitId: String(ward.id),
            startedOn: "01/01/2026",
          })
        )
      ).toBe(403);
      for (const form of [
        { intent: "updateCadre", fullName: "X", birthYear: "" },
        { intent: "addPosition", titleId: title, newTitle: "", unitId: String(ward.id), startedOn: "01/01/2026" },
        { intent: "endPosition", positionId: String(cadre.positionId), endedOn: "" },
      ]) {
        expect(statusOf(await postCadre(cookie, ward.id, cadre.id, form))).toBe(403);
      }
      expect(await db.selectFrom("cadres").select("id").execute()).toHaveLength(1);
      expect(await auditActions()).toEqual([]);
    });
  }
});
