// Writes the README's screenshots (docs/screenshots/*.png) from the real pages: a server on a fresh temporary
// database (tests/e2e/serve.ts), Debian's Chromium, the demo accounts. Run after a build:
//   npx remix build && npx tsx scripts/screenshots.ts
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "@playwright/test";
import { strFromU8, unzipSync } from "fflate";

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

/** Scrolls an element to the top of the window, for a screenshot of a page's lower part. */
async function scrollToTop(page: Page, selector: string) {
  await page.locator(selector).evaluate((element) => {
    element.scrollIntoView({ block: "start" });
    window.scrollBy(0, -16);
  });
}

/** Issues a batch of slips from the poll page (the ZIP download) and returns the ballot URLs of its CSV. */
async function issueSlips(page: Page, group: string, count: number): Promise<string[]> {
  const slips = page.locator("section#credentials");
  await slips.getByLabel("Tổ dân phố", { exact: true }).selectOption({ label: group });
  await slips.getByLabel("Số mã", { exact: true }).fill(String(count));
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    slips.getByRole("button", { name: "Cấp mã và tải tệp ZIP" }).click(),
  ]);
  const files = unzipSync(new Uint8Array(fs.readFileSync((await download.path())!)));
  const csv = Object.entries(files).find(([name]) => name.endsWith(".csv"))?.[1];
  if (!csv) throw new Error("The slips ZIP has no CSV.");
  // "STT,Mã phiếu,Đường dẫn", then number, code, URL.
  return strFromU8(csv)
    .replace(/^\uFEFF/, "")
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(",")[2]);
}

const LEVELS = ["Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"] as const;

/** Picks one level per subject on an open ballot (null leaves the subject blank) and goes to the review step. */
async function fillBallot(page: Page, url: string, pick: (subject: number) => number | null) {
  await page.goto(url);
  const subjects = page.locator("fieldset.ballot-subject");
  await subjects.first().waitFor();
  const count = await subjects.count();
  for (let i = 0; i < count; i++) {
    const level = pick(i);
    if (level !== null) await subjects.nth(i).getByRole("radio", { name: LEVELS[level], exact: true }).check();
  }
  await page.getByRole("button", { name: "Xem lại" }).click();
  await page.getByRole("heading", { level: 1, name: "Xem lại phiếu của bạn" }).waitFor();
}

async function castBallot(page: Page) {
  await page.getByRole("button", { name: "Gửi phiếu" }).click();
  await page.locator(".receipt__code").waitFor();
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

    // The demo poll: slips issued from its page, a resident's ballot on a phone, then closed, confirmed by the two
    // counting members and published, for its results page.
    await optional("polls", async () => {
      await officer.goto(`${wardUrl}/polls`);
      await officer.locator(".poll-list__item a").first().click();
      await officer.locator("section#credentials").waitFor();
      const pollUrl = officer.url().replace(/[?#].*$/, "");
      const urls = await issueSlips(officer, "Tổ dân phố số 2", 8);
      await officer.goto(pollUrl);
      await officer.getByLabel("Số phiếu đã phát (trên 8)").fill("8");
      await officer.getByLabel("Số phiếu đã phát (trên 8)").locator("xpath=ancestor::form").getByRole("button").click();
      await officer.getByRole("status").waitFor();

      const resident = await newPage(browser!, baseURL, MOBILE);
      await resident.goto(urls[0]);
      await resident.getByRole("heading", { level: 1, name: "Phiếu của bạn", exact: true }).waitFor();
      await shoot(resident, "ballot");
      // The second cadre left blank, so that the review shows the warning above its line.
      await fillBallot(resident, urls[0], (i) => (i === 1 ? null : i % 3 === 2 ? 1 : 0));
      await shoot(resident, "ballot-review");
      await castBallot(resident);
      await shoot(resident, "ballot-receipt");

      // More residents, for results worth drawing: mostly confidence, and the second cadre low on 4 ballots of 7,
      // more than half, so flagged for review.
      for (const [n, url] of urls.slice(1, 7).entries()) {
        await fillBallot(resident, url, (i) =>
          i === 1 ? (n < 4 ? 2 : 1) : (i + n) % 4 === 0 ? 1 : (i + n) % 5 === 1 ? 2 : 0
        );
        await castBallot(resident);
      }

      await officer.goto(pollUrl);
      await shoot(officer, "poll-credentials");

      await officer.locator("summary", { hasText: "Đóng nhận phiếu…" }).click();
      await officer.getByRole("button", { name: "Tôi xác nhận: đóng và kiểm phiếu" }).click();
      await officer.getByRole("status").waitFor();

      // The first group voted on paper at its meeting: a counting member enters the tally with one subject's
      // figures not adding up (shown with its message), corrects it; the second member confirms.
      const counter = await newPage(browser!, baseURL, DESKTOP);
      await logIn(counter, "kiemphieu1");
      await counter.goto(`${pollUrl}/paper`);
      await counter.getByRole("link", { name: "Tổ dân phố số 1", exact: true }).click();
      const meeting: [string, string][] = [
        ["Số người được triệu tập", "40"],
        ["Số người có mặt", "32"],
        ["Số phiếu phát ra", "25"],
        ["Số phiếu thu về", "25"],
        ["Số phiếu hợp lệ", "24"],
        ["Số phiếu không hợp lệ", "1"],
      ];
      for (const [label, value] of meeting) await counter.getByLabel(label, { exact: true }).fill(value);
      const rows = counter.locator("table.paper-subjects tbody tr");
      for (let i = 0; i < (await rows.count()); i++) {
        const figures = [[15, 7, 2, 0], [12, 8, 3, 1], [18, 4, 1, 1]][i % 3];
        const inputs = rows.nth(i).locator("input");
        for (let j = 0; j < figures.length; j++) await inputs.nth(j).fill(String(figures[j] + (i === 1 && j === 3 ? 1 : 0)));
      }
      await counter.getByRole("button", { name: "Lưu số liệu" }).click();
      await counter.locator("table.paper-subjects .field__error").first().waitFor();
      await scrollToTop(counter, "table.paper-subjects");
      await shoot(counter, "paper-entry");
      await rows.nth(1).locator("input").nth(3).fill("1");
      await counter.getByRole("button", { name: "Lưu số liệu" }).click();
      await counter.getByRole("status").waitFor();
      const second = await newPage(browser!, baseURL, DESKTOP);
      await logIn(second, "kiemphieu2");
      await second.goto(`${pollUrl}/paper`);
      await second.getByRole("link", { name: "Tổ dân phố số 1", exact: true }).click();
      await second.getByRole("button", { name: "Tôi đã đối chiếu, xác nhận số liệu" }).click();
      await second.getByRole("status").waitFor();
      await shoot(second, "paper-list");
      await counter.context().close();
      await second.context().close();

      for (const username of ["kiemphieu1", "kiemphieu2"]) {
        const member = await newPage(browser!, baseURL, DESKTOP);
        await logIn(member, username);
        await member.goto(`${pollUrl}/results`);
        await member.getByRole("button", { name: /^Tôi xác nhận kết quả/ }).click();
        await member.getByRole("status").waitFor();
        await member.context().close();
      }
      await officer.goto(pollUrl);
      await officer.getByRole("button", { name: "Công bố kết quả" }).click();
      await officer.getByRole("status").waitFor();

      const reader = await newPage(browser!, baseURL, DESKTOP);
      await logIn(reader, "danguy");
      await reader.goto(`${pollUrl}/results`);
      await reader.locator("figure.tally-bars").first().waitFor();
      await shoot(reader, "results");
      await scrollToTop(reader, "#subjects-title");
      await shoot(reader, "results-bars");
      await scrollToTop(reader, "#channels-title");
      await shoot(reader, "results-channels");
    });

    // A poll whose key the counting committee holds (committee key mode, the form's default here): the officer's
    // page waits for the members' keys; a member makes theirs, shown once.
    await optional("keys", async () => {
      await officer.goto(`${wardUrl}/polls/new`);
      await officer.getByLabel("Tên cuộc lấy phiếu", { exact: true }).fill("Lấy phiếu tín nhiệm giữa nhiệm kỳ");
      await officer.getByLabel("Địa điểm", { exact: true }).fill("Hội trường UBND phường Thanh Xuân");
      const subjects = officer.locator("fieldset").filter({ hasText: "Người được lấy phiếu" }).getByRole("checkbox");
      for (let i = 0; i < Math.min(3, await subjects.count()); i++) await subjects.nth(i).check();
      await officer.getByRole("checkbox", { name: "Tổ dân phố số 1", exact: true }).check();
      await officer.getByRole("button", { name: "Tạo cuộc lấy phiếu" }).click();
      await officer.locator("#key-title").waitFor();
      const pollUrl = officer.url().replace(/[?#].*$/, "");
      await scrollToTop(officer, "#key-title");
      await shoot(officer, "poll-keys");
      const member = await newPage(browser!, baseURL, MOBILE);
      await logIn(member, "kiemphieu1");
      await member.goto(`${pollUrl}/share`);
      await member.getByRole("button", { name: "Tạo khóa", exact: true }).click();
      await member.locator(".key-share__qr svg").waitFor();
      await shoot(member, "key-enrolment", true);
      await member.context().close();
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
