// What several specs do: log in as a demo account, find a unit's id from the home page, act as another person in a
// browser of their own, download a file.
import fs from "node:fs/promises";
import { test as base, expect, type Browser, type Page, type TestInfo } from "@playwright/test";
import { strFromU8, unzipSync } from "fflate";

/** The password of every demo account (db/seeds/demo.ts). */
export const DEMO_PASSWORD = "phieu-demo-2026";

export async function logIn(page: Page, username: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Tên đăng nhập", { exact: true }).fill(username);
  await page.getByLabel("Mật khẩu", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await expect(page.getByRole("button", { name: "Đăng xuất" })).toBeVisible();
}

export async function logOut(page: Page) {
  await page.getByRole("button", { name: "Đăng xuất" }).click();
  await expect(page).toHaveURL(/\/login$/);
}

/** The id of a unit linked from the home page of the logged-in user. */
export async function unitIdFromHome(page: Page, unitName: string): Promise<string> {
  await page.goto("/");
  const href = await page.getByRole("link", { name: unitName }).getAttribute("href");
  const id = href?.match(/^\/units\/(\d+)$/)?.[1];
  if (!id) throw new Error(`No link to ${unitName} on the home page (href: ${href})`);
  return id;
}

/** Something unique per project and run, so that the js and no-js runs do not collide on the shared database. */
export function uniqueSuffix(projectName: string) {
  return `${projectName === "no-js" ? "B" : "A"}${Date.now().toString(36).slice(-4).toUpperCase()}`;
}

/**
 * A page in a browser context of its own (another person on another device), with the project's address, locale
 * and time zone; `javaScriptEnabled` defaults to the project's. Close it with `page.context().close()`.
 */
export async function pageOfOwn(
  browser: Browser,
  testInfo: TestInfo,
  options: { javaScriptEnabled?: boolean; viewport?: { width: number; height: number } } = {}
): Promise<Page> {
  const use = testInfo.project.use;
  const context = await browser.newContext({
    baseURL: use.baseURL,
    locale: use.locale,
    timezoneId: use.timezoneId,
    javaScriptEnabled: options.javaScriptEnabled ?? use.javaScriptEnabled ?? true,
    ...(options.viewport ? { viewport: options.viewport } : {}),
  });
  return context.newPage();
}

/** Clicks what starts a download (a form post or a link, with or without JavaScript) and returns the file's bytes. */
export async function downloadOf(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  const file = await download.path();
  if (!file) throw new Error(`The download ${download.suggestedFilename()} failed: ${await download.failure()}`);
  return { name: download.suggestedFilename(), bytes: await fs.readFile(file) };
}

/**
 * The logged-in officer creates a poll on the ward's page (subjects and groups ticked by name, the committee by
 * name), issues slips to one group as a ZIP, records them all handed out, and opens the poll. Returns the poll's id
 * and the slips' ballot URLs from the ZIP's CSV.
 */
export async function createAndOpenPoll(
  page: Page,
  options: {
    ward: string;
    title: string;
    subjects: readonly string[];
    groups: readonly string[];
    committee: readonly string[];
    slips: { group: string; count: number };
  }
): Promise<{ pollId: string; urls: string[] }> {
  await page.goto("/");
  await page.getByRole("link", { name: options.ward }).click();
  await page.getByRole("link", { name: "Lấy phiếu tín nhiệm", exact: true }).click();
  await page.getByRole("link", { name: "Tạo cuộc lấy phiếu" }).click();
  await page.getByLabel("Tên cuộc lấy phiếu", { exact: true }).fill(options.title);
  await page.getByLabel("Địa điểm", { exact: true }).fill("Hội trường UBND phường Thanh Xuân");
  for (const name of options.subjects) {
    await page.getByRole("checkbox", { name: new RegExp(`^${name} — `) }).check();
  }
  for (const group of options.groups) await page.getByRole("checkbox", { name: group, exact: true }).check();
  // The committee as given, and no row more (the form starts with the ward's counting accounts in its rows).
  const rows = await page.locator("fieldset.poll-committee .field-row").count();
  for (let i = 0; i < rows; i++) {
    const name = options.committee[i] ?? "";
    await page.getByLabel(`Họ và tên (thành viên ${i + 1})`, { exact: true }).fill(name);
    await page
      .getByLabel(`Nhiệm vụ (thành viên ${i + 1})`, { exact: true })
      .fill(name === "" ? "" : i === 0 ? "Trưởng ban" : "Thành viên");
  }
  // These polls keep their key on the server (server key mode): closing counts them at once.
  await page.getByRole("radio", { name: /^Máy chủ giữ khóa/ }).check();
  await page.getByRole("button", { name: "Tạo cuộc lấy phiếu" }).click();
  await expect(page.getByRole("heading", { level: 1, name: options.title })).toBeVisible();
  const pollId = page.url().match(/\/polls\/(\d+)/)![1];

  const slips = page.locator("section#credentials");
  await slips.getByLabel("Tổ dân phố", { exact: true }).selectOption({ label: options.slips.group });
  await slips.getByLabel("Số mã", { exact: true }).fill(String(options.slips.count));
  const zip = await downloadOf(page, () => slips.getByRole("button", { name: "Cấp mã và tải tệp ZIP" }).click());
  const files = unzipSync(new Uint8Array(zip.bytes));
  const csv = strFromU8(files[Object.keys(files).find((name) => name.endsWith(".csv"))!]);
  const urls = csv
    .replace(/^\uFEFF/, "")
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(",")[2]);
  expect(urls).toHaveLength(options.slips.count);

  // Every slip handed out, as the officer records it: the reconciliation compares the online ballots with it.
  await page.goto(`/polls/${pollId}`);
  await recordHandedOut(page, options.slips.count);
  await page.getByRole("button", { name: "Mở nhận phiếu" }).click();
  await expect(page.locator(".poll-heading")).toContainText("Đang nhận phiếu");
  return { pollId, urls };
}

/** On the poll's page: the only batch's slips handed out. */
export async function recordHandedOut(page: Page, count: number) {
  const form = page.locator("form.poll-handed-out");
  await form.getByLabel(/^Số phiếu đã phát/).fill(String(count));
  await form.getByRole("button", { name: "Lưu" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Đã ghi số phiếu đã phát." })).toBeVisible();
}

/**
 * The spec's `test`, with `own`: another person's page in a browser of their own (see pageOfOwn), closed when the
 * test ends, whatever happened.
 */
export const test = base.extend<{ own: (options?: Parameters<typeof pageOfOwn>[2]) => Promise<Page> }>({
  own: async ({ browser }, use, testInfo) => {
    const pages: Page[] = [];
    await use(async (options) => {
      const page = await pageOfOwn(browser, testInfo, options);
      pages.push(page);
      return page;
    });
    for (const page of pages) await page.context().close();
  },
});
