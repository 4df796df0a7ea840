// The Front officer's day: add a residential group, import the ward's cadres from a CSV file that has a mistake,
// read the error with its line, fix the file, import it, and find the cadres on the cadres page.
import { expect, test, type Page } from "@playwright/test";
import { logIn, uniqueSuffix } from "./helpers";

const HEADER = "Họ và tên,Năm sinh,Chức vụ,Đơn vị,Từ ngày";

function csvFile(name: string, lines: string[]) {
  return { name, mimeType: "text/csv", buffer: Buffer.from([HEADER, ...lines].join("\r\n") + "\r\n", "utf8") };
}

async function upload(page: Page, file: ReturnType<typeof csvFile>) {
  await page.getByRole("radio", { name: "Cán bộ và chức vụ" }).check();
  await page.getByLabel("Tệp CSV hoặc Excel (.xlsx)").setInputFiles(file);
  await page.getByRole("button", { name: "Tải lên và xem trước" }).click();
  await expect(page.getByRole("heading", { name: `Xem trước: ${file.name}` })).toBeVisible();
}

test("an officer adds a residential group and imports cadres, fixing a bad row first", async ({ page }, testInfo) => {
  const suffix = uniqueSuffix(testInfo.project.name);
  const group = `Tổ dân phố ${suffix}`;
  const groupLeader = `Trịnh Văn Khánh ${suffix}`;
  const veteransHead = `Lý Thị Hạnh ${suffix}`;

  await logIn(page, "mattran");
  await page.getByRole("link", { name: "Phường Thanh Xuân" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Phường Thanh Xuân" })).toBeVisible();

  // A new residential group.
  const addGroup = page.getByRole("region", { name: "Thêm tổ dân phố" });
  await addGroup.getByLabel("Tên tổ dân phố").fill(group);
  await addGroup.getByRole("button", { name: "Thêm" }).click();
  await expect(page.getByRole("status")).toHaveText("Đã thêm tổ dân phố.");
  await expect(page.getByRole("link", { name: group })).toBeVisible();

  // A cadre file whose second data row (line 3 of the file) has a date that does not exist.
  await page.getByRole("link", { name: "Nhập từ tệp CSV/XLSX" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Nhập dữ liệu từ tệp" })).toBeVisible();
  await upload(
    page,
    csvFile("can-bo.csv", [
      `${groupLeader},1980,Tổ trưởng tổ dân phố,${group},01/07/2021`,
      `${veteransHead},1985,Chủ tịch Hội Cựu chiến binh,,31/02/2022`,
    ])
  );
  await expect(page.getByRole("alert").filter({ hasText: "Tệp có 1 lỗi nên chưa thể nhập" })).toBeVisible();
  const errors = page.locator("table.import-errors");
  await expect(errors.getByRole("row")).toHaveCount(2);
  const errorRow = errors.getByRole("row").nth(1);
  await expect(errorRow.getByRole("cell").nth(0)).toHaveText("3");
  await expect(errorRow.getByRole("cell").nth(1)).toHaveText("Từ ngày");
  await expect(errorRow.getByRole("cell").nth(2)).toContainText("Ngày không có thật");
  await expect(page.getByRole("button", { name: "Nhập dữ liệu" })).toHaveCount(0);

  // Nothing was stored.
  await page.goto(page.url().replace(/\/import.*$/, "/cadres"));
  await expect(page.getByText(groupLeader)).toHaveCount(0);
  await page.goBack();

  // The fixed file imports.
  await upload(
    page,
    csvFile("can-bo-da-sua.csv", [
      `${groupLeader},1980,Tổ trưởng tổ dân phố,${group},01/07/2021`,
      `${veteransHead},1985,Chủ tịch Hội Cựu chiến binh,,28/02/2022`,
    ])
  );
  await expect(page.getByText("Không có lỗi.")).toBeVisible();
  await page.getByRole("button", { name: "Nhập dữ liệu" }).click();
  await expect(page.getByText("Đã nhập 2 chức vụ của cán bộ.")).toBeVisible();

  // The cadres are on the ward's cadres page, and the group leader on the group's page.
  await page.getByRole("link", { name: "Về trang phường" }).click();
  await page.getByRole("link", { name: "Cán bộ chủ chốt" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Cán bộ chủ chốt — Phường Thanh Xuân" })).toBeVisible();
  await expect(page.getByRole("link", { name: groupLeader })).toBeVisible();
  await expect(page.getByRole("link", { name: veteransHead })).toBeVisible();

  await page.getByRole("link", { name: groupLeader }).click();
  await expect(page.getByRole("heading", { level: 1, name: groupLeader })).toBeVisible();
  await expect(page.getByText("Tổ trưởng tổ dân phố").first()).toBeVisible();
  await expect(page.getByText(group).first()).toBeVisible();
});
