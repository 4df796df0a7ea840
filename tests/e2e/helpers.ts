// What several specs do: log in as a demo account, find a unit's id from the home page.
import { expect, type Page } from "@playwright/test";

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
