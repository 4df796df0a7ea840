// An officer of one ward who types another ward's address gets a plain Vietnamese 403 page, never its data.
import { expect, test } from "@playwright/test";
import { logIn, logOut, unitIdFromHome } from "./helpers";

const FORBIDDEN = "Bạn không có quyền truy cập trang này.";

test("an officer of Phường Khương Đình gets 403 on Phường Thanh Xuân's pages", async ({ page }) => {
  await logIn(page, "mattran");
  const thanhXuan = await unitIdFromHome(page, "Phường Thanh Xuân");
  // Its own officer reads the pages.
  expect((await page.goto(`/units/${thanhXuan}`))?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1, name: /Phường Thanh Xuân/ })).toBeVisible();
  expect((await page.goto(`/units/${thanhXuan}/cadres`))?.status()).toBe(200);
  await expect(page.getByText("Nguyễn Văn Thành").first()).toBeVisible();
  await logOut(page);

  await logIn(page, "khuongdinh");
  await expect(page.getByRole("link", { name: "Phường Khương Đình" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Phường Thanh Xuân" })).toHaveCount(0);

  for (const path of [`/units/${thanhXuan}`, `/units/${thanhXuan}/cadres`, `/units/${thanhXuan}/import`]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByText(FORBIDDEN)).toBeVisible();
    await expect(page.getByText("Nguyễn Văn Thành")).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Về trang chủ" })).toBeVisible();
  }
});

test("a unit that does not exist answers 404 in Vietnamese", async ({ page }) => {
  await logIn(page, "khuongdinh");
  const response = await page.goto("/units/999999");
  expect(response?.status()).toBe(404);
  await expect(page.getByText("Không tìm thấy trang hoặc dữ liệu bạn yêu cầu.")).toBeVisible();
});
