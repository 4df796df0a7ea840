// Writes the README's screenshots (docs/screenshots/*.png) from the real pages: a server on a fresh temporary
// database (tests/e2e/serve.ts), Debian's Chromium, the demo accounts. Run after a build:
//   npx remix build && npx tsx scripts/screenshots.ts
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "@playwright/test";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(root, "docs/screenshots");
const PASSWORD = "phieu-demo-2026";
const MOBILE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, exited: () => boolean) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error("The server stopped before it answered /healthz.");
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("The server did not answer /healthz within 60 s.");
}

async function newPage(browser: Browser, baseURL: string, viewport: { width: number; height: number }) {
  const context = await browser.newContext({
    baseURL,
    viewport,
    deviceScaleFactor: 1,
    locale: "vi-VN",
    timezoneId: "Asia/Ho_Chi_Minh",
  });
  return context.newPage();
}

async function logIn(page: Page, username: string) {
  await page.goto("/login");
  await page.getByLabel("Tên đăng nhập", { exact: true }).fill(username);
  await page.getByLabel("Mật khẩu", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByRole("button", { name: "Đăng xuất" }).waitFor();
}

async function shoot(page: Page, name: string, fullPage = false) {
  const file = path.join(outDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  console.log(`  ${path.relative(root, file)}`);
}

/** Pages that other parts of Phiếu add later are skipped with a note instead of failing the whole run. */
async function optional(name: string, fn: () => Promise<void>) {
  try {
    await fn();
  } catch (error) {
    console.warn(`  (skipped ${name}: ${error instanceof Error ? error.message.split("\n")[0] : error})`);
  }
}

async function main() {
  if (!fs.existsSync(path.join(root, "build/index.js"))) throw new Error("Run `npx remix build` first.");
  fs.mkdirSync(outDir, { recursive: true });
  const port = await freePort();
  const baseURL = `http://localhost:${port}`;
  const server = spawn(process.execPath, ["--import", "tsx", "tests/e2e/serve.ts"], {
    cwd: root,
    env: { ...process.env, PHIEU_E2E_PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const stopped = new Promise<void>((resolve) => server.on("exit", () => resolve()));
  let browser: Browser | null = null;
  try {
    await waitForHealth(baseURL, () => server.exitCode !== null);
    browser = await chromium.launch({
      executablePath: process.env.PHIEU_CHROMIUM ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"],
    });
    console.log("Writing screenshots:");

    const phone = await newPage(browser, baseURL, MOBILE);
    await phone.goto("/login");
    await shoot(phone, "login");

    const officer = await newPage(browser, baseURL, DESKTOP);
    await logIn(officer, "mattran");
    await shoot(officer, "home");

    await optional("ward", async () => {
      await officer.getByRole("link", { name: "Phường Thanh Xuân" }).click();
      await officer.getByRole("heading", { level: 1, name: "Phường Thanh Xuân" }).waitFor();
      await shoot(officer, "ward");
    });
    const wardUrl = officer.url();

    await optional("cadres", async () => {
      await officer.goto(`${wardUrl}/cadres`);
      await officer.getByRole("heading", { level: 1, name: /Cán bộ chủ chốt/ }).waitFor();
      await shoot(officer, "cadres");
    });

    await optional("import", async () => {
      await officer.goto(`${wardUrl}/import`);
      await officer.getByRole("radio", { name: "Cán bộ và chức vụ" }).check();
      const csv = [
        "Họ và tên,Năm sinh,Chức vụ,Đơn vị,Từ ngày",
        "Trịnh Văn Khánh,1980,Tổ trưởng tổ dân phố,Tổ dân phố số 3,01/07/2021",
        "Lý Thị Hạnh,1985,Chủ tịch Hội Cựu chiến binh,,31/02/2022",
        "Mai Đức Long,1979,Phó Chủ tịch UBMTTQ,,15/08/2021",
      ].join("\r\n");
      await officer
        .getByLabel("Tệp CSV hoặc Excel (.xlsx)")
        .setInputFiles({ name: "can-bo.csv", mimeType: "text/csv", buffer: Buffer.from(csv + "\r\n", "utf8") });
      await officer.getByRole("button", { name: "Tải lên và xem trước" }).click();
      await officer.getByRole("heading", { name: "Xem trước: can-bo.csv" }).waitFor();
      await shoot(officer, "import", true);
    });

    // The same officer pages on a phone.
    await optional("ward-mobile", async () => {
      const mobileOfficer = await newPage(browser!, baseURL, MOBILE);
      await logIn(mobileOfficer, "mattran");
      await mobileOfficer.goto(`${wardUrl.replace(/^https?:\/\/[^/]+/, "")}/cadres`);
      await mobileOfficer.getByRole("heading", { level: 1, name: /Cán bộ chủ chốt/ }).waitFor();
      await shoot(mobileOfficer, "cadres-mobile");
    });
  } finally {
    await browser?.close();
    if (server.exitCode === null) server.kill("SIGTERM");
    await stopped;
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
