// What several specs do: log in as a demo account, find a unit's id from the home page, act as another person in a
// browser of their own, download a file.
import fs from "node:fs/promises";
import { expect, type Browser, type Page, type TestInfo } from "@playwright/test";

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
