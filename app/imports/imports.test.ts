import { readFileSync } from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "~/audit/audit.server";
import { db } from "~/db.server";
import { action, loader } from "~/routes/units.$unitId.import";
import { createUser, createWards, dataOf, makeRequest, run, sessionCookie, statusOf } from "../../tests/setup/fixtures";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "fixtures", name));

type Kind = "residential_groups" | "cadres";

async function officerOf(wardId: number, username = "mattran") {
  const user = await createUser(username, [{ role: "front_officer", unitId: wardId }]);
  return { user, cookie: await sessionCookie(user.id) };
}

function callAction(cookie: string, wardId: number, form: Record<string, string | Blob>) {
  return run(() =>
    action({
      request: makeRequest(`/units/${wardId}/import`, { cookie, form }),
      params: { unitId: String(wardId) },
      context: {},
    })
  );
}

function callLoader(cookie: string, wardId: number, search = "") {
  return run(() =>
    loader({
      request: makeRequest(`/units/${wardId}/import${search}`, { cookie }),
      params: { unitId: String(wardId) },
      context: {},
    })
  );
}

function upload(cookie: string, wardId: number, kind: Kind, fileName: string, content: string | Uint8Array) {
  return callAction(cookie, wardId, { intent: "upload", kind, file: new File([content as BlobPart], fileName) });
}

/** Uploads a file and follows the redirect to its preview; returns the draft id and the loader's data. */
async function uploadAndPreview(
  cookie: string,
  wardId: number,
  kind: Kind,
  fileName: string,
  content: string | Uint8Array
) {
  const result = await upload(cookie, wardId, kind, fileName, content);
  expect(statusOf(result), JSON.stringify(dataOf(result))).toBe(302);
  const location = (result as Response).headers.get("Location")!;
  const draftId = new URL(location, "http://localhost").searchParams.get("draft")!;
  expect(location).toBe(`/units/${wardId}/import?draft=${draftId}`);
  const page = dataOf(await callLoader(cookie, wardId, `?draft=${draftId}`));
  return { draftId, page, draft: page.draft };
}

/** The error an upload was refused with, for its file field. */
async function uploadError(cookie: string, wardId: number, kind: Kind, fileName: string, content: string | Uint8Array) {
  const result = await upload(cookie, wardId, kind, fileName, content);
  return { status: statusOf(result), error: dataOf(result).errors?.file };
}

function commit(cookie: string, wardId: number, draftId: string) {
  return callAction(cookie, wardId, { intent: "commit", draftId });
}

const errorKey = (message: unknown) => (typeof message === "string" ? message : (message as { key: string }).key);

async function countRows() {
  const count = async (table: "units" | "cadres" | "positions" | "position_titles" | "audit_log") =>
    Number((await db.selectFrom(table).select(db.fn.countAll<string>().as("n")).executeTakeFirstOrThrow()).n);
  return {
    units: await count("units"),
    cadres: await count("cadres"),
    positions: await count("positions"),
    titles: await count("position_titles"),
    audit: await count("audit_log"),
  };
}

describe("import of residential groups", () => {
  it("previews a good CSV, then commits it with an audit entry", async () => {
    const { ward } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const { draftId, draft } = await uploadAndPreview(
      cookie,
      ward.id,
      "residential_groups",
      "to-dan-pho.csv",
      fixture("groups-good.csv")
    );
    expect(draft.plan.errors).toEqual([]);
    expect(draft.plan.counts.groups).toBe(3);
    expect(draft.plan.rows.map((r: { line: number; status: string }) => [r.line, r.status])).toEqual([
      [2, "newGroup"],
      [3, "newGroup"],
      [4, "newGroup"],
    ]);
    expect(draft.plan.rows[2].values.name).toBe("Tổ dân phố số 5, khu tập thể");

    const done = await commit(cookie, ward.id, draftId);
    expect(statusOf(done)).toBe(302);
    expect((done as Response).headers.get("Location")).toBe(
      `/units/${ward.id}/import?imported=3&kind=residential_groups`
    );
    const groups = await db.selectFrom("units").select("name").where("parent_id", "=", ward.id).orderBy("id").execute();
    expect(groups.map((g) => g.name)).toEqual([
      "Tổ dân phố số 1",
      "Tổ dân phố số 2",
      "Tổ dân phố số 3",
      "Tổ dân phố số 4",
      "Tổ dân phố số 5, khu tập thể",
    ]);
    const audit = await db.selectFrom("audit_log").selectAll().where("action", "=", "import.commit").execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_label: "mattran", unit_id: ward.id });
    expect(audit[0].details).toMatchObject({
      kind: "residential_groups",
      groups: 3,
      fileName: "to-dan-pho.csv",
      draftId,
    });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });

    const page = dataOf(await callLoader(cookie, ward.id, "?imported=3&kind=residential_groups"));
    expect(page.notice).toEqual({ key: "imports.done.residential_groups", params: { count: 3 } });
  });

  it("takes a name typed in NFC and in NFD as one name: one duplicate error, and an existing group is found", async () => {
    const { ward } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const name = "Tổ dân phố Hòa Bình";
    const csv = `Tên\n${name.normalize("NFC")}\n${name.normalize("NFD")}\n${"tổ dân phố số 1".normalize("NFD")}\n`;
    expect(csv.normalize("NFC")).not.toBe(csv);
    const { draftId, draft } = await uploadAndPreview(cookie, ward.id, "residential_groups", "nfd.csv", csv);
    expect(draft.plan.errors).toEqual([
      { line: 3, column: "Tên", message: { key: "imports.row.duplicate", params: { line: 2 } } },
      { line: 4, column: "Tên", message: { key: "imports.row.groupExists", params: { name: "Tổ dân phố số 1" } } },
    ]);
    expect(draft.plan.rows[1].values.name).toBe(name.normalize("NFC"));
    const before = await countRows();
    expect(statusOf(await commit(cookie, ward.id, draftId))).toBe(409);
    expect(await countRows()).toEqual(before);
  });

  it("refuses a group name over 100 characters, naming the limit", async () => {
    const { ward } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const { draft } = await uploadAndPreview(
      cookie,
      ward.id,
      "residential_groups",
      "dai.csv",
      `Name\n${"T".repeat(101)}\n${"T".repeat(100)}\n`
    );
    expect(draft.plan.errors).toEqual([
      { line: 2, column: "Name", message: { key: "errors.tooLong", params: { max: 100 } } },
    ]);
  });

  it("flags a name cut in two by an unquoted comma instead of keeping half of it, and keeps quotes typed in a name", async () => {
    const { ward } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const csv = 'Tên tổ dân phố\nTổ 9, khu B\nTổ "Cầu Giấy" 2\n';
    const { draft } = await uploadAndPreview(cookie, ward.id, "residential_groups", "phay.csv", csv);
    expect(draft.plan.errors).toEqual([{ line: 2, column: "", message: "imports.row.overflow" }]);
    expect(draft.plan.rows[1]).toMatchObject({ values: { name: 'Tổ "Cầu Giấy" 2' }, status: "newGroup" });
  });
});

describe("import of cadres with positions", () => {
  it("previews a good file (one cadre on two rows, a new title), then commits everything", async () => {
    const { ward, group1 } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const { draftId, draft } = await uploadAndPreview(
      cookie,
      ward.id,
      "cadres",
      "can-bo.csv",
      fixture("cadres-good.csv")
    );
    expect(draft.plan.errors).toEqual([]);
    expect(draft.plan.warnings).toEqual([{ key: "imports.unknownColumns", params: { columns: "“Ghi chú”" } }]);
    expect(draft.plan.newTitles).toEqual(["Trưởng ban Thanh tra nhân dân"]);
    expect(draft.plan.counts).toMatchObject({ newCadres: 3, existingCadres: 0, positions: 4, newTitles: 1 });
    expect(draft.columns.map((c: { header: string }) => c.header)).toEqual([
      "Họ và tên",
      "Năm sinh",
      "Chức vụ",
      "Đơn vị",
      "Từ ngày",
    ]);

    expect(statusOf(await commit(cookie, ward.id, draftId))).toBe(302);
    const cadres = await db
      .selectFrom("cadres")
      .select(["id", "full_name", "birth_year", "ward_id"])
      .orderBy("id")
      .execute();
    expect(cadres.map((c) => [c.full_name, c.birth_year, c.ward_id])).toEqual([
      ["Nguyễn Văn An", 1975, ward.id],
      ["Trần Thị Bình", 1968, ward.id],
      ["Lê Văn Cường", null, ward.id],
    ]);
    const positions = await db
      .selectFrom("positions")
      .innerJoin("position_titles", "position_titles.id", "positions.title_id")
      .select(["positions.cadre_id", "positions.unit_id", "position_titles.name", "positions.started_on"])
      .orderBy("positions.id")
      .execute();
    expect(positions).toEqual([
      { cadre_id: cadres[0].id, unit_id: ward.id, name: "Chủ tịch UBND", started_on: "2021-07-01" },
      { cadre_id: cadres[0].id, unit_id: ward.id, name: "Phó Bí thư Đảng ủy", started_on: "2021-07-01" },
      { cadre_id: cadres[1].id, unit_id: group1.id, name: "Tổ trưởng tổ dân phố", started_on: "2024-01-15" },
      { cadre_id: cadres[2].id, unit_id: ward.id, name: "Trưởng ban Thanh tra nhân dân", started_on: "2022-03-01" },
    ]);
    const wardTitles = await db.selectFrom("position_titles").select("name").where("ward_id", "=", ward.id).execute();
    expect(wardTitles).toEqual([{ name: "Trưởng ban Thanh tra nhân dân" }]);
    const audit = await db
      .selectFrom("audit_log")
      .select("details")
      .where("action", "=", "import.commit")
      .executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({
      kind: "cadres",
      newCadres: 3,
      existingCadres: 0,
      positions: 4,
      newTitles: ["Trưởng ban Thanh tra nhân dân"],
    });
  });

  it("lists a bad row with its line and column, refuses to commit, stores nothing, then commits the fixed file", async () => {
    const { ward } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const before = await countRows();
    const bad = await uploadAndPreview(cookie, ward.id, "cadres", "can-bo.csv", fixture("cadres-bad-row.csv"));
    expect(bad.draft.plan.errors).toEqual([{ line: 4, column: "Từ ngày", message: "imports.row.impossibleDate" }]);
    expect(bad.draft.plan.rows.find((r: { line: number }) => r.line === 4).status).toBe("error");

    const refused = await commit(cookie, ward.id, bad.draftId);
    expect(statusOf(refused)).toBe(409);
    expect(dataOf(refused).formError).toBe("imports.commitRejected");
    expect(await countRows()).toEqual(before);
    const draftRow = await db
      .selectFrom("import_drafts")
      .select("committed_at")
      .where("id", "=", bad.draftId)
      .executeTakeFirstOrThrow();
    expect(draftRow.committed_at).toBeNull();

    const fixed = await uploadAndPreview(cookie, ward.id, "cadres", "can-bo.csv", fixture("cadres-good.csv"));
    expect(fixed.draft.plan.errors).toEqual([]);
    expect(statusOf(await commit(cookie, ward.id, fixed.draftId))).toBe(302);
    expect((await countRows()).positions).toBe(4);
  });

  it("gives an existing cadre the new positions, and refuses a position they already hold", async () => {
    const { ward, group2 } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const first = await uploadAndPreview(cookie, ward.id, "cadres", "a.csv", fixture("cadres-good.csv"));
    await commit(cookie, ward.id, first.draftId);
    const csv = [
      "Full name,Birth year,Title,Unit,Start date",
      "NGUYỄN VĂN AN,1975,Chủ tịch UBND,,01/01/2025",
      `nguyễn văn an,1975,Tổ trưởng tổ dân phố,${group2.name.toUpperCase()},01/01/2025`,
      "Nguyễn Văn An,1980,Chủ tịch UBND,,01/01/2025",
    ].join("\n");
    const { draftId, draft } = await uploadAndPreview(cookie, ward.id, "cadres", "b.csv", csv);
    expect(draft.plan.errors).toEqual([
      {
        line: 2,
        column: "Title",
        message: {
          key: "imports.row.positionHeld",
          params: { name: "NGUYỄN VĂN AN", title: "Chủ tịch UBND", unit: "Phường Thanh Xuân" },
        },
      },
    ]);
    expect(draft.plan.rows.map((r: { status: string }) => r.status)).toEqual(["error", "existingCadre", "newCadre"]);
    expect(statusOf(await commit(cookie, ward.id, draftId))).toBe(409);
  });

  it("explains bad years, dates, unknown units and too-long names and titles, each in its column", async () => {
    const { ward } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const csv = [
      "Họ và tên,Năm sinh,Chức vụ,Đơn vị,Từ ngày",
      "Phạm Văn Dũng,75,Chủ tịch UBND,,01/07/2021",
      "Phạm Văn Dũng,1890,Chủ tịch UBND,,01/07/2021",
      "Phạm Văn Em,,Chủ tịch UBND,Tổ dân phố số 99,hôm qua",
      `${"N".repeat(121)},,${"C".repeat(151)},,`,
      "Phạm Văn Giang,1980,Chủ tịch HĐND,,2021-02-30",
    ].join("\n");
    const { draft } = await uploadAndPreview(cookie, ward.id, "cadres", "loi.csv", csv);
    const errors = draft.plan.errors.map((e: { line: number; column: string; message: unknown }) => [
      e.line,
      e.column,
      errorKey(e.message),
    ]);
    expect(errors).toEqual([
      [2, "Năm sinh", "imports.row.badYear"],
      [3, "Năm sinh", "imports.row.badYear"],
      [4, "Từ ngày", "imports.row.badDate"],
      [4, "Đơn vị", "imports.row.unknownUnit"],
      [5, "Họ và tên", "errors.tooLong"],
      [5, "Chức vụ", "errors.tooLong"],
      [5, "Từ ngày", "errors.required"],
      [6, "Từ ngày", "imports.row.impossibleDate"],
    ]);
    expect(draft.plan.errors[4].message.params).toEqual({ max: 120 });
    expect(draft.plan.errors[5].message.params).toEqual({ max: 150 });
  });

  it("reads an XLSX workbook's first worksheet: dates, numbers and rich text", async () => {
    const { ward } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Cán bộ");
    sheet.addRow(["DANH SÁCH CÁN BỘ CHỦ CHỐT"]);
    sheet.addRow([]);
    sheet.addRow(["Họ và tên", "Năm sinh", "Chức vụ", "Đơn vị", "Từ ngày"]);
    sheet.addRow(["Đặng Quang Huy", 1990, "Bí thư Đoàn Thanh niên", "", new Date(Date.UTC(2022, 4, 9))]);
    sheet.addRow([
      { richText: [{ text: "Bùi Thị " }, { text: "Ngọc Ánh" }] },
      1983,
      "Chủ tịch Hội Liên hiệp Phụ nữ",
      null,
      "09/05/2022",
    ]);
    workbook.addWorksheet("Ghi chú").addRow(["không đọc trang này"]);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    const { draftId, draft } = await uploadAndPreview(cookie, ward.id, "cadres", "can-bo.xlsx", bytes);
    expect(draft.plan.errors).toEqual([]);
    expect(
      draft.plan.rows.map((r: { line: number; values: Record<string, string> }) => [
        r.line,
        r.values.fullName,
        r.values.startedOn,
      ])
    ).toEqual([
      [4, "Đặng Quang Huy", "2022-05-09"],
      [5, "Bùi Thị Ngọc Ánh", "09/05/2022"],
    ]);
    expect(statusOf(await commit(cookie, ward.id, draftId))).toBe(302);
    const stored = await db.selectFrom("positions").select("started_on").execute();
    expect(stored).toEqual([{ started_on: "2022-05-09" }, { started_on: "2022-05-09" }]);
  });
});

describe("files that cannot be imported", () => {
  it("answers each with a clear message and stores no draft", async () => {
    const { ward } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const zip = new Uint8Array(await new ExcelJS.Workbook().xlsx.writeBuffer());
    // "Họ và tên,Chức vụ" as Windows-1258 writes it: precomposed base letters, tone marks as separate bytes.
    const cp1258 = Uint8Array.from([
      0x48, 0x6f, 0xf2, 0x20, 0x76, 0x61, 0xcc, 0x20, 0x74, 0xea, 0x6e, 0x2c, 0x43, 0x68, 0xfd, 0xec, 0x63, 0x20, 0x76,
      0x75, 0xf2, 0x0a, 0x41, 0x2c, 0x42, 0x0a,
    ]);
    expect(new TextDecoder("windows-1258").decode(cp1258).normalize("NFC")).toBe("Họ và tên,Chức vụ\nA,B\n");
    const cases: [Kind, string, string | Uint8Array, string][] = [
      ["residential_groups", "trong.csv", "", "imports.file.empty"],
      ["residential_groups", "trong.csv", "\uFEFF\r\n ; \r\n", "imports.file.empty"],
      ["residential_groups", "tieu-de.csv", "Tên tổ dân phố\n", "imports.file.noRows"],
      ["cadres", "cp1258.csv", cp1258, "imports.file.notUtf8"],
      ["cadres", "doi-ten.xlsx", "Họ và tên,Chức vụ\nA,B\n", "imports.file.badXlsx"],
      ["cadres", "cut.xlsx", zip.subarray(0, zip.length - 100), "imports.file.badXlsx"],
      ["cadres", "cu.xls", Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0, 0, 0]), "imports.file.oldXls"],
      ["cadres", "anh.png", "x", "imports.file.unknownType"],
      ["cadres", "thieu.csv", "Họ và tên,Năm sinh\nA,1970\n", "imports.file.missingColumns"],
      ["cadres", "hai-lan.csv", "Họ và tên,Full name,Chức vụ,Từ ngày\n", "imports.file.duplicateColumn"],
      ["cadres", "ngoac.csv", 'Họ và tên,Chức vụ,Từ ngày\n"A,B,01/01/2020\n', "imports.file.badCsv"],
    ];
    for (const [kind, name, content, expected] of cases) {
      const { status, error } = await uploadError(cookie, ward.id, kind, name, content);
      expect([name, status, errorKey(error)]).toEqual([name, 400, expected]);
    }
    const missing = await uploadError(cookie, ward.id, "cadres", "thieu.csv", "Họ và tên,Năm sinh\nA,1970\n");
    expect(missing.error.params.columns).toBe("“Chức vụ”, “Từ ngày”");
    const noFile = await callAction(cookie, ward.id, { intent: "upload", kind: "cadres" });
    expect(dataOf(noFile).errors.file).toBe("imports.file.required");
    const noKind = await callAction(cookie, ward.id, { intent: "upload", file: new File(["Tên\nA\n"], "a.csv") });
    expect(dataOf(noKind).errors.kind).toBe("imports.kindRequired");
    expect(await db.selectFrom("import_drafts").select("id").execute()).toEqual([]);
  });

  it("refuses a file over 2 MB with status 413, and more than 5,000 rows", async () => {
    const { ward } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const big = "Tên\n" + "x".repeat(2 * 1024 * 1024);
    const { status, error } = await uploadError(cookie, ward.id, "residential_groups", "lon.csv", big);
    expect([status, error]).toEqual([413, "imports.file.tooLarge"]);
    const rows = "Tên\n" + Array.from({ length: 5001 }, (_, i) => `Tổ ${i + 1}`).join("\n");
    const many = await uploadError(cookie, ward.id, "residential_groups", "nhieu.csv", rows);
    expect([many.status, many.error]).toEqual([
      400,
      { key: "imports.file.tooManyRows", params: { count: 5001, max: 5000 } },
    ]);
    expect(await db.selectFrom("import_drafts").select("id").execute()).toEqual([]);
  });

  it("decodes UTF-16 with a byte order mark and tab separators (Excel's “Unicode text”)", async () => {
    const { ward } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const text = "Tên tổ dân phố\tGhi chú\r\nTổ dân phố Đông\tmới\r\n";
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) new DataView(bytes.buffer).setUint16(2 + i * 2, text.charCodeAt(i), true);
    const { draft } = await uploadAndPreview(cookie, ward.id, "residential_groups", "unicode.txt", bytes);
    expect(draft.plan.rows[0].values).toEqual({ name: "Tổ dân phố Đông" });
  });
});

describe("commit and access", () => {
  it("commits a draft at most once: a second commit adds nothing and says so", async () => {
    const { ward } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const { draftId } = await uploadAndPreview(
      cookie,
      ward.id,
      "residential_groups",
      "a.csv",
      fixture("groups-good.csv")
    );
    expect(statusOf(await commit(cookie, ward.id, draftId))).toBe(302);
    const after = await countRows();
    const again = await commit(cookie, ward.id, draftId);
    expect(statusOf(again)).toBe(409);
    expect(dataOf(again).formError.key).toBe("imports.alreadyCommitted");
    expect(await countRows()).toEqual(after);
    const page = dataOf(await callLoader(cookie, ward.id, `?draft=${draftId}`));
    expect(page.draft.committedAt).not.toBeNull();
    expect(page.draft.plan).toBeNull();
  });

  it("lets only one of two simultaneous commits through", async () => {
    const { ward } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const { draftId } = await uploadAndPreview(cookie, ward.id, "cadres", "a.csv", fixture("cadres-good.csv"));
    const results = await Promise.all([commit(cookie, ward.id, draftId), commit(cookie, ward.id, draftId)]);
    expect(results.map(statusOf).sort()).toEqual([302, 409]);
    expect((await countRows()).positions).toBe(4);
    const audits = await db.selectFrom("audit_log").select("id").where("action", "=", "import.commit").execute();
    expect(audits).toHaveLength(1);
  });

  it("hides another officer's draft (404) and refuses another ward's officer (403)", async () => {
    const { ward, otherWard, group1 } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const { draftId } = await uploadAndPreview(
      cookie,
      ward.id,
      "residential_groups",
      "a.csv",
      fixture("groups-good.csv")
    );

    const colleague = await officerOf(ward.id, "dongnghiep");
    expect(statusOf(await callLoader(colleague.cookie, ward.id, `?draft=${draftId}`))).toBe(404);
    expect(statusOf(await commit(colleague.cookie, ward.id, draftId))).toBe(404);

    const admin = await createUser("quantri", [{ role: "admin", unitId: null }]);
    const adminCookie = await sessionCookie(admin.id);
    expect(statusOf(await callLoader(adminCookie, otherWard.id, `?draft=${draftId}`))).toBe(404);
    expect(statusOf(await callLoader(cookie, ward.id, "?draft=not-a-uuid"))).toBe(404);

    const stranger = await officerOf(otherWard.id, "khuongdinh");
    expect(statusOf(await callLoader(stranger.cookie, ward.id))).toBe(403);
    expect(statusOf(await callLoader(stranger.cookie, ward.id, `?draft=${draftId}`))).toBe(403);
    expect(statusOf(await commit(stranger.cookie, ward.id, draftId))).toBe(403);
    expect(
      statusOf(await upload(stranger.cookie, ward.id, "residential_groups", "a.csv", fixture("groups-good.csv")))
    ).toBe(403);

    const reader = await createUser("danguy", [{ role: "committee_reader", unitId: ward.id }]);
    expect(statusOf(await callLoader(await sessionCookie(reader.id), ward.id))).toBe(403);
    // Imports are into a ward: a residential group's page has none.
    expect(statusOf(await callLoader(cookie, group1.id))).toBe(404);
    expect(statusOf(await callLoader(cookie, 999_999))).toBe(404);

    expect(await db.selectFrom("import_drafts").select("committed_at").execute()).toEqual([{ committed_at: null }]);
    expect((await countRows()).units).toBe(6);
  });

  it("offers templates that import cleanly into the ward", async () => {
    const { ward } = await createWards();
    const { cookie } = await officerOf(ward.id);
    const page = dataOf(await callLoader(cookie, ward.id));
    expect(page.kinds).toEqual(["residential_groups", "cadres"]);
    expect(page.templates.cadres.startsWith("\uFEFFHọ và tên,Năm sinh,Chức vụ,Đơn vị,Từ ngày\r\n")).toBe(true);
    for (const kind of ["residential_groups", "cadres"] as const) {
      const { draft } = await uploadAndPreview(cookie, ward.id, kind, "mau.csv", page.templates[kind]);
      expect(draft.plan.errors).toEqual([]);
    }
  });
});
