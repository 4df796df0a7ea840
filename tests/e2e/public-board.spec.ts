// The public board of a published poll, as anyone sees it: the Front officer runs a short poll to publication (two
// ballots, the way poll-flow.spec.ts does), then someone with no account opens /p/<id>, reads the totals, checks a
// resident's receipt and a made-up one, downloads the counted ballots (each subject's column shuffled on its own)
// and recounts them with scripts/recount.ts.
// Both projects share the run's server, so each creates its own poll, named after the project.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, type Page } from "@playwright/test";
import { createAndOpenPoll, downloadOf, logIn, test, uniqueSuffix } from "./helpers";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WARD = "Phường Thanh Xuân";
const GROUP = "Tổ dân phố số 1";
const SUBJECTS = ["Nguyễn Văn Thành", "Lê Minh Đức", "Vũ Thị Hương"] as const;
const LEVELS = ["Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"] as const;
const ROWS = ["high_confidence", "confidence", "low_confidence"] as const;
type Choice = (typeof LEVELS)[number] | null;

/** A resident's ballot from a slip's URL: one level per subject (null leaves it blank), review, send; the receipt. */
async function vote(page: Page, url: string, choices: Choice[]): Promise<string> {
  await page.goto(url);
  const subjects = page.locator("fieldset.ballot-subject");
  for (const [i, choice] of choices.entries()) {
    if (choice)
      await subjects.filter({ hasText: SUBJECTS[i] }).getByRole("radio", { name: choice, exact: true }).check();
  }
  await page.getByRole("button", { name: "Xem lại" }).click();
  await page.getByRole("button", { name: "Gửi phiếu" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /đã được ghi nhận/ })).toBeVisible();
  return (await page.locator(".receipt__code").textContent())!.trim();
}

test("anyone checks a receipt and recounts the ballots on a published poll's public board", async ({
  page,
  own,
}, testInfo) => {
  testInfo.setTimeout(120_000);
  const title = `Bảng công khai thử (${testInfo.project.name}) ${uniqueSuffix(testInfo.project.name)}`;

  await logIn(page, "mattran");
  const { pollId, urls } = await createAndOpenPoll(page, {
    ward: WARD,
    title,
    subjects: SUBJECTS,
    groups: [GROUP],
    committee: ["Trần Văn Bình"],
    slips: { group: GROUP, count: 2 },
  });
  const board = `/p/${pollId}`;
  const resident = await own();
  const receiptA = await vote(resident, urls[0], ["Tín nhiệm cao", "Tín nhiệm thấp", "Tín nhiệm"]);
  const receiptB = await vote(await own(), urls[1], ["Tín nhiệm thấp", "Tín nhiệm thấp", null]);

  // Before publication the board does not exist for anyone: the same 404 as a poll that never existed.
  const early = await own();
  expect((await early.goto(board))?.status()).toBe(404);
  expect((await early.goto("/p/999999"))?.status()).toBe(404);

  // Close, two counting members confirm, the officer publishes.
  await page.goto(`/polls/${pollId}`);
  await page.locator("summary", { hasText: "Đóng nhận phiếu…" }).click();
  await page.getByRole("button", { name: "Tôi xác nhận: đóng và kiểm phiếu" }).click();
  await expect(page.locator(".poll-heading")).toContainText("Đã đóng, đã kiểm phiếu");
  for (const username of ["kiemphieu1", "kiemphieu2"]) {
    const member = await own();
    await logIn(member, username);
    await member.goto(`/polls/${pollId}/results`);
    await member.getByRole("button", { name: /^Tôi xác nhận kết quả \(mã / }).click();
    await expect(member.getByRole("status").filter({ hasText: "Đã ghi nhận xác nhận của bạn." })).toBeVisible();
  }
  await page.goto(`/polls/${pollId}`);
  await page.getByRole("button", { name: "Công bố kết quả" }).click();
  await expect(page.locator(".poll-heading")).toContainText("Đã công bố");
  await page.goto(`/polls/${pollId}/results`);
  await expect(page.getByRole("link", { name: "Bảng công khai: kết quả, biên nhận và tự kiểm lại" })).toHaveAttribute(
    "href",
    board
  );

  // Someone with no account, on a phone of their own.
  const visitor = await own();
  const response = await visitor.goto(board);
  expect(response?.status()).toBe(200);
  expect(response?.headers()["cache-control"]).toBe("public, max-age=60");
  await expect(visitor.getByRole("button", { name: "Đăng xuất" })).toHaveCount(0);
  await expect(visitor.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(visitor.getByText(WARD).first()).toBeVisible();
  const figure = (label: string) =>
    visitor
      .locator(".poll-figures > div")
      .filter({ has: visitor.locator("dt", { hasText: new RegExp(`^${label}$`) }) })
      .locator("dd");
  await expect(figure("Phiếu thu về")).toHaveText("2");
  for (const label of ["Biên nhận đã cấp", "Mã phiếu đã dùng", "Phiếu đã kiểm"])
    await expect(figure(label)).toHaveText("2");
  await expect(visitor.getByText(/^Ba số bằng nhau\./)).toBeVisible();
  await expect(visitor.locator(".poll-hash")).toHaveText(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);
  // Totals only: no residential group, and no rule outcome, on the public page.
  await expect(visitor.getByText(GROUP)).toHaveCount(0);
  await expect(visitor.locator(".tally-bars__flag")).toHaveCount(0);
  const bar = (subject: string, row: string) =>
    visitor
      .locator("figure.tally-bars")
      .filter({ hasText: subject })
      .locator(`.tally-bars__row--${row} .tally-bars__value`);
  await expect(bar(SUBJECTS[0], "high_confidence")).toHaveText("1 phiếu (50%)");
  await expect(bar(SUBJECTS[1], "low_confidence")).toHaveText("2 phiếu (100%)");
  await expect(bar(SUBJECTS[2], "invalid")).toHaveText("1 phiếu (50%)");

  // Every receipt is listed, in alphabetical order.
  await expect(visitor.getByRole("heading", { name: "Danh sách biên nhận (2)" })).toBeVisible();
  await expect(visitor.locator(".board-receipts li")).toHaveText([receiptA, receiptB].sort());

  // A resident's receipt, typed in lower case without hyphens: accepted and counted, and nothing about the vote.
  const check = visitor.locator("section#check");
  await check.getByLabel("Mã biên nhận").fill(receiptB.toLowerCase().replace(/-/g, ""));
  await check.getByRole("button", { name: "Kiểm tra" }).click();
  await expect(check.getByRole("status")).toContainText(
    `Biên nhận ${receiptB} có trong danh sách: phiếu đã được nhận vào hòm phiếu và đã được kiểm.`
  );
  await expect(check.getByText(/Tín nhiệm/)).toHaveCount(0);
  await expect(visitor.locator(".board-receipts__item--mine")).toHaveText(receiptB);
  // A made-up receipt: not found.
  await check.getByLabel("Mã biên nhận").fill("BCFG-HJKM-NPQR");
  await check.getByRole("button", { name: "Kiểm tra" }).click();
  await expect(check.getByRole("status")).toContainText("Không tìm thấy biên nhận BCFG-HJKM-NPQR");
  // Garbage: not found either, with what a receipt looks like.
  await check.getByLabel("Mã biên nhận").fill("xin chào");
  await check.getByRole("button", { name: "Kiểm tra" }).click();
  await expect(check.getByRole("status")).toContainText("Không tìm thấy biên nhận này");
  await expect(check.getByText(/^Mã biên nhận gồm 12 ký tự/)).toBeVisible();
  const checked = await visitor.request.get(`${board}?receipt=${receiptA}`);
  expect(checked.headers()["cache-control"]).toBe("no-store");

  // The ballots, downloaded and recounted with the stand-alone script: the same figures as the page.
  const file = await downloadOf(visitor, () =>
    visitor.getByRole("link", { name: "Tải các phiếu đã kiểm (CSV)" }).click()
  );
  expect(file.name).toBe(`phieu-da-kiem-${pollId}.csv`);
  const csv = file.bytes.toString("utf8");
  for (const receipt of [receiptA, receiptB]) expect(csv).not.toContain(receipt);
  expect(csv).not.toContain(GROUP);
  // Each subject's column is shuffled on its own, and the page says so: a column holds exactly that subject's
  // answers (1 and 3, 3 and 3, blank and 2), whichever ballot each row's codes came from.
  await expect(visitor.getByText(/một dòng không phải là một lá phiếu\.$/)).toBeVisible();
  const rows = csv
    .replace(/^\uFEFF/, "")
    .trim()
    .split("\r\n")
    .filter((line) => !/^"?#/.test(line))
    .slice(1)
    .map((line) => line.split(",").slice(1).map(Number));
  const column = (s: number) => rows.map((row) => row[s]).sort((a, b) => a - b);
  expect([column(0), column(1), column(2)]).toEqual([
    [1, 3],
    [3, 3],
    [0, 2],
  ]);
  const csvFile = testInfo.outputPath(file.name);
  fs.writeFileSync(csvFile, file.bytes);
  const recounted = JSON.parse(
    execFileSync("npx", ["tsx", "scripts/recount.ts", csvFile, "--json"], { cwd: root, encoding: "utf8" })
  ) as { ballots: number; subjects: { name: string; counts: number[]; percentages: number[] }[] };
  expect(recounted.ballots).toBe(2);
  expect(recounted.subjects.map((s) => s.name.split(" — ")[0])).toEqual([...SUBJECTS]);
  for (const [s, subject] of recounted.subjects.entries()) {
    const shown = (code: number) =>
      `${subject.counts[code]} phiếu (${String(subject.percentages[code]).replace(".", ",")}%)`;
    for (const [i, row] of ROWS.entries()) await expect(bar(SUBJECTS[s], row)).toHaveText(shown(i + 1));
    await expect(bar(SUBJECTS[s], "invalid")).toHaveText(shown(0));
  }

  // The resident who opens the slip again finds the way to the board, where the receipt is already checked.
  await resident.goto(urls[0]);
  await resident.getByRole("link", { name: "Kiểm tra biên nhận của bạn trên bảng công khai" }).click();
  await expect(resident.locator("section#check").getByRole("status")).toContainText(
    `Biên nhận ${receiptA} có trong danh sách`
  );
});
