import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, logIn, logOut } from "./helpers";

test("the login page speaks Vietnamese", async ({ page }) => {
  const response = await page.goto("/login");
  expect(response?.status()).toBe(200);
  await expect(page.locator("html")).toHaveAttribute("lang", "vi");
  await expect(page).toHaveTitle(/Đăng nhập/);
  await expect(page.getByRole("heading", { level: 1, name: "Đăng nhập" })).toBeVisible();
  await expect(page.getByLabel("Tên đăng nhập", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Mật khẩu", { exact: true })).toBeVisible();
  await expect(page.getByText("Người dân không cần đăng nhập")).toBeVisible();
});

test("a wrong password is refused with a Vietnamese message, keeping the username", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Tên đăng nhập", { exact: true }).fill("danguy");
  await page.getByLabel("Mật khẩu", { exact: true }).fill("not-the-password");
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await expect(page.getByRole("alert")).toHaveText("Tên đăng nhập hoặc mật khẩu không đúng.");
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByLabel("Tên đăng nhập", { exact: true })).toHaveValue("danguy");
});

test("empty fields are marked as required", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  const username = page.getByLabel("Tên đăng nhập", { exact: true });
  await expect(username).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Trường này là bắt buộc.").first()).toBeVisible();
});

test("an officer logs in, sees the ward, and logs out", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?redirectTo=%2F/);
  await page.getByLabel("Tên đăng nhập", { exact: true }).fill("mattran");
  await page.getByLabel("Mật khẩu", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1, name: "Đơn vị của bạn" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Phường Thanh Xuân" })).toBeVisible();
  await expect(page.getByText("Đăng nhập: Nguyễn Thị Hồng Vân")).toBeVisible();
  await expect(page.getByText("Cán bộ Mặt trận")).toBeVisible();
  // Another ward is not listed.
  await expect(page.getByRole("link", { name: "Phường Khương Đình" })).toHaveCount(0);

  await logOut(page);
  await expect(page.getByRole("heading", { level: 1, name: "Đăng nhập" })).toBeVisible();
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});

test("the language switches to English and back", async ({ page }) => {
  await logIn(page, "mattran");
  await page.getByLabel("Ngôn ngữ").selectOption("en");
  await page.getByRole("button", { name: "Đổi" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your units" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");

  // The choice survives a new page load.
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Your units" })).toBeVisible();

  await page.getByLabel("Language").selectOption("vi");
  await page.getByRole("button", { name: "Switch" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Đơn vị của bạn" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "vi");
});
