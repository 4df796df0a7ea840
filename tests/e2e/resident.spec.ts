// A resident on a phone: opens the ballot from a QR slip's URL, leaves one cadre blank, is warned on review, sends
// the ballot and gets a receipt; the slip opened again shows the same receipt; a code typed by hand in lower case
// without hyphens opens its ballot. Codes come from the command line run beside the server, as an officer would
// issue them; each project (JavaScript on and off) issues its own.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test, type Page } from "@playwright/test";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const RECEIPT = /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/;
const WARD = "Phường Thanh Xuân";

/** The database of this run's server, which tests/e2e/serve.ts writes down for the specs. */
function e2eServerInfo(): { dataDir: string; databaseUrl: string | null } {
  const file = path.join(os.tmpdir(), `phieu-e2e-${process.env.PHIEU_E2E_PORT ?? 3210}.json`);
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** `npm run phieu -- …` against the running server's database. */
function phieu(args: string[], baseURL: string): string {
  const info = e2eServerInfo();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PHIEU_DATA_DIR: info.dataDir,
    PHIEU_PUBLIC_URL: baseURL,
    LOG_LEVEL: "warn",
  };
  delete env.PHIEU_SECRET;
  if (info.databaseUrl) env.DATABASE_URL = info.databaseUrl;
  else delete env.DATABASE_URL;
  return execFileSync("npx", ["tsx", "scripts/phieu.ts", ...args], { cwd: root, env, encoding: "utf8" });
}

interface Slip {
  code: string;
  url: string;
}

let slips: Slip[] = [];

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(120_000);
  const baseURL = String(testInfo.project.use.baseURL);
  const polls = JSON.parse(phieu(["polls", "list", "--json"], baseURL)) as {
    id: number;
    status: string;
    unitName: string;
    groupIds: number[];
  }[];
  const poll = polls.find((p) => p.status === "open" && p.unitName === WARD);
  if (!poll) throw new Error(`The demo seed has no open poll in ${WARD}: ${JSON.stringify(polls)}`);
  const csv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phieu-slips-")), "slips.csv");
  phieu(
    ["credentials", "issue", String(poll.id), "--group", String(poll.groupIds[0]), "--count", "2", "--csv", csv],
    baseURL
  );
  // "STT,Mã phiếu,Đường dẫn", then one slip a line: number, code in groups of 4, ballot URL.
  const lines = fs
    .readFileSync(csv, "utf8")
    .replace(/^\uFEFF/, "")
    .trim()
    .split(/\r?\n/);
  fs.rmSync(path.dirname(csv), { recursive: true, force: true });
  slips = lines.slice(1).map((line) => {
    const [, code, url] = line.split(",");
    return { code, url };
  });
  expect(slips).toHaveLength(2);
});

async function expectNoSidewaysScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
}

test("a resident votes from a QR slip, leaving one cadre blank, and gets a receipt", async ({ page }, testInfo) => {
  const js = testInfo.project.name === "js";
  const slip = slips[0];
  expect(new URL(slip.url).pathname).toBe(`/v/${slip.code.replace(/-/g, "")}`);

  const response = await page.goto(slip.url);
  expect(response?.status()).toBe(200);
  const headers = response!.headers();
  expect(headers["cache-control"]).toBe("no-store");
  expect(headers["referrer-policy"]).toMatch(/strict-origin$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "vi");
  await expect(page.getByRole("heading", { level: 1, name: "Phiếu của bạn", exact: true })).toBeVisible();
  await expect(page.getByText(WARD).first()).toBeVisible();

  const subjects = page.locator("fieldset.ballot-subject");
  const count = await subjects.count();
  expect(count).toBeGreaterThanOrEqual(3);
  // Three levels per cadre, each a tap target at least 48 px high, and nothing else to fill in.
  await expect(subjects.first().getByRole("radio")).toHaveCount(3);
  await expect(page.locator("form.ballot-form input:not([type=radio])")).toHaveCount(0);
  const target = await subjects.first().locator("label").first().boundingBox();
  expect(target!.height).toBeGreaterThanOrEqual(48);
  expect(target!.width).toBeGreaterThanOrEqual(250);
  await expectNoSidewaysScroll(page);

  // Every cadre but the last gets a level, tapped on its label; the last is left blank.
  const levels = ["Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"];
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    names.push((await subjects.nth(i).locator(".ballot-subject__name").textContent())!.trim());
    if (i < count - 1)
      await subjects
        .nth(i)
        .getByText(levels[i % 3], { exact: true })
        .click();
  }
  await expect(subjects.first().getByRole("radio", { name: "Tín nhiệm cao" })).toBeChecked();

  if (js) await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
  await page.getByRole("button", { name: "Xem lại" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Xem lại phiếu của bạn" })).toBeVisible();
  await expect(page.getByText("Bạn đang để trống 1 người.")).toBeVisible();
  const blank = page.locator(".ballot-review__item--blank");
  await expect(blank).toHaveCount(1);
  await expect(blank).toContainText(names[count - 1]);
  await expect(blank).toContainText("Để trống: phiếu không hợp lệ đối với người này, như phiếu giấy.");
  await expect(page.locator(".ballot-review__item").first()).toContainText("Tín nhiệm cao");
  await expectNoSidewaysScroll(page);

  // Back to the ballot with the choices kept, and on to the review again.
  await page.getByRole("button", { name: "Sửa lại" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Phiếu của bạn", exact: true })).toBeVisible();
  await expect(subjects.nth(1).getByRole("radio", { name: "Tín nhiệm", exact: true })).toBeChecked();
  await expect(subjects.nth(count - 1).getByRole("radio", { checked: true })).toHaveCount(0);
  await page.getByRole("button", { name: "Xem lại" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Xem lại phiếu của bạn" })).toBeVisible();

  await page.getByRole("button", { name: "Gửi phiếu" }).click();
  await expect(
    page.getByRole("heading", { level: 1, name: "Phiếu của bạn đã được ghi nhận và sẽ được kiểm" })
  ).toBeVisible();
  const receipt = (await page.locator(".receipt__code").textContent())!.trim();
  expect(receipt).toMatch(RECEIPT);
  await expect(page.getByText("không cho biết bạn đã chọn gì")).toBeVisible();
  await expect(page.getByText("bảng công khai")).toBeVisible();
  // The choices are not shown once cast.
  await expect(page.getByText("Tín nhiệm cao", { exact: true })).toHaveCount(0);
  await expect(page).toHaveURL(slip.url);
  await expectNoSidewaysScroll(page);
  if (js) expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

  // The slip opened again (a dropped connection, a second look): the same receipt, and whom to contact.
  const again = await page.goto(slip.url);
  expect(again?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1, name: /đã được ghi nhận/ })).toBeVisible();
  await expect(page.locator(".receipt__code")).toHaveText(receipt);
  await expect(page.getByText(`Ủy ban Mặt trận Tổ quốc Việt Nam ${WARD}`)).toBeVisible();
  await expect(page.getByRole("radio")).toHaveCount(0);
});

test("a code typed by hand in lower case without hyphens opens its ballot", async ({ page }) => {
  const slip = slips[1];
  await page.goto("/v");
  await expect(page.getByRole("heading", { level: 1, name: "Nhập mã phiếu" })).toBeVisible();
  const field = page.getByLabel("Mã phiếu", { exact: true });
  await expect(field).toHaveAttribute("autocapitalize", "characters");
  await expect(field).toHaveAttribute("autocomplete", "off");
  await expect(field).toHaveAttribute("spellcheck", "false");
  await expect(field).toHaveAttribute("inputmode", "text");

  // A code cut short: the error at the top links to the field, which is marked.
  await field.fill(slip.code.toLowerCase().replace(/-/g, "").slice(0, 20));
  await page.getByRole("button", { name: "Mở phiếu" }).click();
  const summary = page.getByRole("alert").filter({ hasText: "Cần sửa trước khi tiếp tục" });
  await expect(summary.getByRole("link", { name: /Mã gồm 24 ký tự, chia thành 6 nhóm 4 ký tự/ })).toHaveAttribute(
    "href",
    "#code"
  );
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/v(\?index)?$/);

  await field.fill(slip.code.toLowerCase().replace(/-/g, ""));
  await page.getByRole("button", { name: "Mở phiếu" }).click();
  await expect(page).toHaveURL(new RegExp(`/v/${slip.code.replace(/-/g, "")}$`));
  await expect(page.getByRole("heading", { level: 1, name: "Phiếu của bạn", exact: true })).toBeVisible();
  await expect(page.locator("fieldset.ballot-subject").first().getByRole("radio")).toHaveCount(3);
  await expectNoSidewaysScroll(page);

  // A code that was never issued has a page of its own.
  const unknown = await page.goto("/v/7BCFGH2J0K3MNP4QRS5TVX6Z");
  expect(unknown?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Không tìm thấy mã phiếu này" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Nhập lại mã" })).toHaveAttribute("href", "/v");
});
