import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "~/audit/audit.server";
import { insertCadre, insertPosition } from "~/cadres/cadres.server";
import { findTitle } from "~/cadres/titles.server";
import { db } from "~/db.server";
import { action as adminAction, loader as adminLoader } from "~/routes/admin.units";
import { action as unitAction, loader as unitLoader } from "~/routes/units.$unitId._index";
import type { Role } from "../../db/schema";
import { createWards, createUser, dataOf, makeRequest, run, sessionCookie, statusOf } from "../../tests/setup/fixtures";
import { createPollFixture } from "../../tests/setup/poll-fixtures";

type Grant = { role: Role; unitId: number | null };
/** A posted form; the keys a union of test cases leaves undefined are not sent. */
type Form = Record<string, string | undefined>;
const sent = (form: Form) =>
  Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined)) as Record<string, string>;

async function login(username: string, grants: Grant[]) {
  const user = await createUser(username, grants);
  return sessionCookie(user.id);
}

function loadUnit(cookie: string, unitId: number) {
  return run(() =>
    unitLoader({
      request: makeRequest(`/units/${unitId}`, { cookie }),
      params: { unitId: String(unitId) },
      context: {},
    })
  );
}

function postUnit(cookie: string, unitId: number, form: Form) {
  return run(() =>
    unitAction({
      request: makeRequest(`/units/${unitId}`, { cookie, form: sent(form) }),
      params: { unitId: String(unitId) },
      context: {},
    })
  );
}

function loadAdmin(cookie: string) {
  return run(() => adminLoader({ request: makeRequest("/admin/units", { cookie }), params: {}, context: {} }));
}

function postAdmin(cookie: string, form: Record<string, string>) {
  return run(() => adminAction({ request: makeRequest("/admin/units", { cookie, form }), params: {}, context: {} }));
}

async function groupNames(wardId: number) {
  const rows = await db.selectFrom("units").select("name").where("parent_id", "=", wardId).orderBy("id").execute();
  return rows.map((r) => r.name);
}

async function auditActions() {
  const rows = await db.selectFrom("audit_log").select("action").orderBy("id").execute();
  return rows.map((r) => r.action);
}

/** A cadre of the ward holding `title` in `unitId` since 2021. */
async function cadreIn(wardId: number, unitId: number, title = "Tổ trưởng tổ dân phố", endedOn: string | null = null) {
  const cadre = await insertCadre({ wardId, fullName: "Ngô Văn Khải", birthYear: 1958 });
  const titleId = (await findTitle({ wardId, name: title }))!.id;
  await insertPosition({ cadreId: cadre.id, position: { unitId, titleId, startedOn: "2021-07-01", endedOn } });
  return cadre;
}

describe("the ward's page", () => {
  it("shows the ward, its groups with their current cadres, and the links an officer needs", async () => {
    const { ward, group1, group2 } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    await cadreIn(ward.id, group1.id);
    await cadreIn(ward.id, group2.id, "Tổ trưởng tổ dân phố", "2023-01-01");
    const page = dataOf(await loadUnit(cookie, ward.id));
    expect(page.unit).toMatchObject({ name: "Phường Thanh Xuân", kind: "ward", parent_name: "Thành phố Hà Nội" });
    expect(page.groups).toEqual([
      { id: group1.id, name: "Tổ dân phố số 1", currentCadres: 1, positions: 1 },
      { id: group2.id, name: "Tổ dân phố số 2", currentCadres: 0, positions: 1 },
    ]);
    expect(page.canManage).toBe(true);
    expect(page.canReadCadres).toBe(true);
    expect(page.trail.map((u: { name: string; readable: boolean }) => [u.name, u.readable])).toEqual([
      ["Thành phố Hà Nội", false],
      ["Phường Thanh Xuân", true],
    ]);
  });

  it("lists groups in natural order (số 2 before số 10)", async () => {
    const { ward } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    expect(statusOf(await postUnit(cookie, ward.id, { intent: "createGroup", name: "Tổ dân phố số 10" }))).toBe(302);
    const page = dataOf(await loadUnit(cookie, ward.id));
    expect(page.groups.map((g: { name: string }) => g.name)).toEqual([
      "Tổ dân phố số 1",
      "Tổ dân phố số 2",
      "Tổ dân phố số 10",
    ]);
  });

  it("answers 404 for a unit that does not exist or an id that is not a number", async () => {
    await createWards();
    const cookie = await login("quantri", [{ role: "admin", unitId: null }]);
    expect(statusOf(await loadUnit(cookie, 999_999))).toBe(404);
    const result = await run(() =>
      unitLoader({ request: makeRequest("/units/abc", { cookie }), params: { unitId: "abc" }, context: {} })
    );
    expect(statusOf(result)).toBe(404);
  });
});

describe("residential groups", () => {
  it("an officer adds a residential group, written with its audit entry", async () => {
    const { ward } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const result = (await postUnit(cookie, ward.id, {
      intent: "createGroup",
      name: "  Tổ dân phố   số 3 ",
    })) as Response;
    expect(result.status).toBe(302);
    expect(result.headers.get("Location")).toBe(`/units/${ward.id}?notice=groupCreated`);
    expect(await groupNames(ward.id)).toEqual(["Tổ dân phố số 1", "Tổ dân phố số 2", "Tổ dân phố số 3"]);
    const entry = await db.selectFrom("audit_log").selectAll().executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ action: "unit.create", unit_id: ward.id, actor_label: "mattran" });
    expect(entry.details).toMatchObject({ kind: "residential_group", name: "Tổ dân phố số 3", parentId: ward.id });
  });

  it("refuses the same name typed in NFD or in another case, with a field error, and stores nothing", async () => {
    const { ward } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    for (const name of ["Tổ dân phố số 1".normalize("NFD"), "TỔ DÂN PHỐ SỐ 1", "tổ  dân phố số 1".normalize("NFD")]) {
      const result = await postUnit(cookie, ward.id, { intent: "createGroup", name });
      expect(statusOf(result)).toBe(400);
      expect(dataOf(result).errors).toEqual({ name: "units.groupExists" });
      expect(dataOf(result).values.name).toBe(name);
    }
    expect(await groupNames(ward.id)).toEqual(["Tổ dân phố số 1", "Tổ dân phố số 2"]);
    expect(await auditActions()).toEqual([]);
  });

  it("allows the same group name in another ward", async () => {
    const { ward, otherWard } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    expect(statusOf(await postUnit(cookie, ward.id, { intent: "createGroup", name: "Tổ dân phố số 3" }))).toBe(302);
    const other = await login("khuongdinh", [{ role: "front_officer", unitId: otherWard.id }]);
    expect(statusOf(await postUnit(other, otherWard.id, { intent: "createGroup", name: "Tổ dân phố số 3" }))).toBe(302);
  });

  it("refuses an empty or too long name (400, what was typed kept)", async () => {
    const { ward } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const tooLong = await postUnit(cookie, ward.id, { intent: "createGroup", name: "Tổ ".repeat(40) + "x" });
    expect(statusOf(tooLong)).toBe(400);
    expect(dataOf(tooLong).errors.name).toEqual({ key: "errors.tooLong", params: { max: 100 } });
    const empty = await postUnit(cookie, ward.id, { intent: "createGroup", name: "   " });
    expect(dataOf(empty).errors.name).toBe("errors.required");
    expect(await groupNames(ward.id)).toHaveLength(2);
  });

  it("renames a group and the ward; a name another group has is refused", async () => {
    const { ward, group1, group2 } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const taken = await postUnit(cookie, ward.id, {
      intent: "renameGroup",
      groupId: String(group2.id),
      name: "TỔ DÂN PHỐ SỐ 1",
    });
    expect(statusOf(taken)).toBe(400);
    expect(dataOf(taken)).toMatchObject({
      intent: "renameGroup",
      targetId: group2.id,
      errors: { name: "units.groupExists" },
    });
    // Its own name in another case is not a duplicate.
    const recased = await postUnit(cookie, ward.id, {
      intent: "renameGroup",
      groupId: String(group1.id),
      name: "Tổ Dân Phố Số 1",
    });
    expect(statusOf(recased)).toBe(302);
    const renamed = await postUnit(cookie, ward.id, {
      intent: "renameGroup",
      groupId: String(group2.id),
      name: "Tổ dân phố Hòa Bình",
    });
    expect(statusOf(renamed)).toBe(302);
    const wardRenamed = await postUnit(cookie, ward.id, { intent: "renameUnit", name: "Phường Thanh Xuân Trung" });
    expect(statusOf(wardRenamed)).toBe(302);
    expect(await groupNames(ward.id)).toEqual(["Tổ Dân Phố Số 1", "Tổ dân phố Hòa Bình"]);
    expect((await db.selectFrom("units").select("name").where("id", "=", ward.id).executeTakeFirstOrThrow()).name).toBe(
      "Phường Thanh Xuân Trung"
    );
    expect(await auditActions()).toEqual(["unit.rename", "unit.rename", "unit.rename"]);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 3 });
  });

  it("renaming the ward to the name of another ward of the province is refused", async () => {
    const { ward } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    const result = await postUnit(cookie, ward.id, { intent: "renameUnit", name: "phường khương đình" });
    expect(statusOf(result)).toBe(400);
    expect(dataOf(result).errors).toEqual({ name: "units.nameExists" });
  });

  it("deletes a group nothing refers to; a group with a position (even ended) stays, with a clear message", async () => {
    const { ward, group1, group2 } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    await cadreIn(ward.id, group1.id, "Tổ trưởng tổ dân phố", "2024-01-01");
    const refused = await postUnit(cookie, ward.id, { intent: "deleteGroup", groupId: String(group1.id) });
    expect(statusOf(refused)).toBe(400);
    expect(dataOf(refused).formError).toEqual({ key: "units.groupHasPositions", params: { count: 1 } });
    const deleted = (await postUnit(cookie, ward.id, {
      intent: "deleteGroup",
      groupId: String(group2.id),
    })) as Response;
    expect(deleted.status).toBe(302);
    expect(deleted.headers.get("Location")).toBe(`/units/${ward.id}?notice=groupDeleted`);
    expect(await groupNames(ward.id)).toEqual(["Tổ dân phố số 1"]);
    expect(await auditActions()).toEqual(["unit.delete"]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("does not delete a group an officer holds a grant on", async () => {
    const { ward, group2 } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    await createUser("totruong", [{ role: "front_officer", unitId: group2.id }]);
    const refused = await postUnit(cookie, ward.id, { intent: "deleteGroup", groupId: String(group2.id) });
    expect(dataOf(refused).formError).toEqual({ key: "units.groupHasGrants", params: { count: 1 } });
    expect(await groupNames(ward.id)).toHaveLength(2);
  });

  it("does not delete a group that takes part in a poll: a message, not a 500", async () => {
    const f = await createPollFixture();
    const cookie = await sessionCookie(f.officer.id);
    const refused = await postUnit(cookie, f.ward.id, { intent: "deleteGroup", groupId: String(f.group2.id) });
    expect(statusOf(refused)).toBe(400);
    expect(dataOf(refused).formError).toEqual({ key: "units.groupInPolls", params: { count: 1 } });
    expect(await groupNames(f.ward.id)).toHaveLength(2);
  });
});

describe("another ward's officer", () => {
  it("gets 403 on every loader and action of this ward's unit pages, and 404 for its ids under their own ward", async () => {
    const { ward, group1, otherWard } = await createWards();
    const other = await login("khuongdinh", [{ role: "front_officer", unitId: otherWard.id }]);
    expect(statusOf(await loadUnit(other, ward.id))).toBe(403);
    expect(statusOf(await loadUnit(other, group1.id))).toBe(403);
    for (const form of [
      { intent: "createGroup", name: "Tổ dân phố số 9" },
      { intent: "renameUnit", name: "Phường X" },
      { intent: "renameGroup", groupId: String(group1.id), name: "Tổ X" },
      { intent: "deleteGroup", groupId: String(group1.id) },
    ]) {
      expect(statusOf(await postUnit(other, ward.id, form))).toBe(403);
      expect(statusOf(await postUnit(other, group1.id, form))).toBe(403);
    }
    // This ward's group id posted to their own ward's page.
    const renamed = await postUnit(other, otherWard.id, {
      intent: "renameGroup",
      groupId: String(group1.id),
      name: "Tổ X",
    });
    expect(statusOf(renamed)).toBe(404);
    const deleted = await postUnit(other, otherWard.id, { intent: "deleteGroup", groupId: String(group1.id) });
    expect(statusOf(deleted)).toBe(404);
    const malformed = await postUnit(other, otherWard.id, { intent: "deleteGroup", groupId: "1 or 1=1" });
    expect(statusOf(malformed)).toBe(404);
    expect(await groupNames(ward.id)).toEqual(["Tổ dân phố số 1", "Tổ dân phố số 2"]);
    expect(await auditActions()).toEqual([]);
  });
});

describe("an officer granted on a residential group", () => {
  it("sees that group only, with its ward and the cadres holding positions in it", async () => {
    const { ward, group1, group2 } = await createWards();
    const cookie = await login("totruong", [{ role: "front_officer", unitId: group1.id }]);
    await cadreIn(ward.id, group1.id);
    const page = dataOf(await loadUnit(cookie, group1.id));
    expect(page.unit).toMatchObject({ kind: "residential_group", name: "Tổ dân phố số 1" });
    expect(page.ward).toMatchObject({ id: ward.id, name: "Phường Thanh Xuân", readable: false });
    expect(page.holders).toEqual([
      expect.objectContaining({ full_name: "Ngô Văn Khải", title: "Tổ trưởng tổ dân phố" }),
    ]);
    expect(page.canReadCadres).toBe(false);
    expect(statusOf(await loadUnit(cookie, ward.id))).toBe(403);
    expect(statusOf(await loadUnit(cookie, group2.id))).toBe(403);
    expect(statusOf(await postUnit(cookie, ward.id, { intent: "createGroup", name: "Tổ 9" }))).toBe(403);
    // They may rename their own group, not create groups under it.
    expect(statusOf(await postUnit(cookie, group1.id, { intent: "renameUnit", name: "Tổ dân phố Hạnh Phúc" }))).toBe(
      302
    );
    expect(statusOf(await postUnit(cookie, group1.id, { intent: "createGroup", name: "Tổ con" }))).toBe(400);
  });
});

describe("readers", () => {
  for (const role of ["counting_member", "committee_reader"] as const) {
    it(`a ${role} reads the ward's and a group's pages but gets 403 on every change`, async () => {
      const { ward, group1 } = await createWards();
      const cookie = await login("reader", [{ role, unitId: ward.id }]);
      const page = dataOf(await loadUnit(cookie, ward.id));
      expect(page.groups).toHaveLength(2);
      expect(page.canManage).toBe(false);
      expect(statusOf(await loadUnit(cookie, group1.id))).toBe(200);
      for (const form of [
        { intent: "createGroup", name: "Tổ dân phố số 9" },
        { intent: "renameUnit", name: "Phường X" },
        { intent: "renameGroup", groupId: String(group1.id), name: "Tổ X" },
        { intent: "deleteGroup", groupId: String(group1.id) },
      ]) {
        expect(statusOf(await postUnit(cookie, ward.id, form))).toBe(403);
      }
      expect(await groupNames(ward.id)).toHaveLength(2);
    });
  }
});

describe("administration of provinces and wards", () => {
  it("is refused to anyone but an administrator", async () => {
    const { ward } = await createWards();
    const cookie = await login("mattran", [{ role: "front_officer", unitId: ward.id }]);
    expect(statusOf(await loadAdmin(cookie))).toBe(403);
    expect(statusOf(await postAdmin(cookie, { intent: "createProvince", name: "Tỉnh Bắc Ninh" }))).toBe(403);
    expect(statusOf(await postAdmin(cookie, { intent: "renameUnit", unitId: String(ward.id), name: "X" }))).toBe(403);
  });

  it("an administrator creates a province and a ward, renames, and duplicates are refused", async () => {
    const { province, ward } = await createWards();
    const cookie = await login("quantri", [{ role: "admin", unitId: null }]);
    const page = dataOf(await loadAdmin(cookie));
    expect(page.canCreateProvince).toBe(true);
    expect(page.provinces).toEqual([
      {
        id: province.id,
        name: "Thành phố Hà Nội",
        canManage: true,
        wards: [
          expect.objectContaining({ name: "Phường Khương Đình" }),
          expect.objectContaining({ name: "Phường Thanh Xuân" }),
        ],
      },
    ]);
    expect(statusOf(await postAdmin(cookie, { intent: "createProvince", name: "Tỉnh Bắc Ninh" }))).toBe(302);
    const bacNinh = await db
      .selectFrom("units")
      .selectAll()
      .where("name", "=", "Tỉnh Bắc Ninh")
      .executeTakeFirstOrThrow();
    expect(bacNinh).toMatchObject({ kind: "province", parent_id: null });
    const dupProvince = await postAdmin(cookie, {
      intent: "createProvince",
      name: "THÀNH PHỐ HÀ NỘI".normalize("NFD"),
    });
    expect(statusOf(dupProvince)).toBe(400);
    expect(dataOf(dupProvince).errors).toEqual({ name: "units.nameExists" });
    expect(
      statusOf(
        await postAdmin(cookie, { intent: "createWard", provinceId: String(bacNinh.id), name: "Phường Suối Hoa" })
      )
    ).toBe(302);
    const dupWard = await postAdmin(cookie, {
      intent: "createWard",
      provinceId: String(province.id),
      name: "phường thanh xuân",
    });
    expect(dataOf(dupWard).errors).toEqual({ name: "units.nameExists" });
    // A ward is created under a province only.
    expect(
      statusOf(await postAdmin(cookie, { intent: "createWard", provinceId: String(ward.id), name: "Phường Y" }))
    ).toBe(404);
    expect(
      statusOf(
        await postAdmin(cookie, { intent: "renameUnit", unitId: String(ward.id), name: "Phường Thanh Xuân Bắc" })
      )
    ).toBe(302);
    const tooLong = await postAdmin(cookie, { intent: "renameUnit", unitId: String(ward.id), name: "P".repeat(101) });
    expect(dataOf(tooLong)).toMatchObject({ targetId: ward.id, errors: { name: { key: "errors.tooLong" } } });
    expect(await auditActions()).toEqual(["unit.create", "unit.create", "unit.rename"]);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 3 });
  });

  it("an administrator of one province cannot create provinces nor act on another province", async () => {
    const { province } = await createWards();
    const { id: otherProvinceId } = await db
      .insertInto("units")
      .values({ name: "Tỉnh Bắc Ninh", kind: "province", parent_id: null })
      .returning("id")
      .executeTakeFirstOrThrow();
    const cookie = await login("quantrihn", [{ role: "admin", unitId: province.id }]);
    const page = dataOf(await loadAdmin(cookie));
    expect(page.canCreateProvince).toBe(false);
    expect(page.provinces.map((p: { name: string }) => p.name)).toEqual(["Thành phố Hà Nội"]);
    expect(statusOf(await postAdmin(cookie, { intent: "createProvince", name: "Tỉnh Lạng Sơn" }))).toBe(403);
    expect(
      statusOf(await postAdmin(cookie, { intent: "createWard", provinceId: String(otherProvinceId), name: "Phường Z" }))
    ).toBe(403);
    expect(
      statusOf(await postAdmin(cookie, { intent: "renameUnit", unitId: String(otherProvinceId), name: "X" }))
    ).toBe(403);
    expect(
      statusOf(await postAdmin(cookie, { intent: "createWard", provinceId: String(province.id), name: "Phường Z" }))
    ).toBe(302);
  });
});
