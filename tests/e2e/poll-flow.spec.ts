// The confidence poll from end to end, as the people of a ward go through it: the Front officer creates a poll with
// three subjects, issues three slips (one ZIP: the PDF to print, the CSV of ballot URLs) and opens it; one resident
// votes with JavaScript off and one with it on, from the CSV's URLs; the officer closes; two counting members confirm
// the tally and the officer publishes it; the party committee reads the result and the counting minutes.
// Both projects share the run's server, so each creates its own poll, named after the project.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { expect, type Page } from "@playwright/test";
import { strFromU8, unzipSync } from "fflate";
import { downloadOf, logIn, recordHandedOut, test, uniqueSuffix } from "./helpers";

const WARD = "Phường Thanh Xuân";
const GROUP = "Tổ dân phố số 1";
const OTHER_GROUP = "Tổ dân phố số 2";
/** Demo cadres of the ward (db/seeds/demo.ts), in the order the spec calls them subject 1, 2 and 3. */
const SUBJECTS = ["Nguyễn Văn Thành", "Lê Minh Đức", "Vũ Thị Hương"] as const;
const COMMITTEE = [
  { name: "Trần Văn Bình", role: "Trưởng ban" },
  { name: "Lê Thị Mai", role: "Thành viên" },
];
const RECEIPT = /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/;
const FORBIDDEN = "Bạn không có quyền truy cập trang này.";
const HIGH = "Tín nhiệm cao";
const CONFIDENCE = "Tín nhiệm";
const LOW = "Tín nhiệm thấp";

type Choice = typeof HIGH | typeof CONFIDENCE | typeof LOW | null;

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A resident's ballot from a slip's URL: one level per subject (null leaves it blank), review, send; the receipt. */
async function vote(page: Page, url: string, choices: Choice[]): Promise<string> {
  expect((await page.goto(url))?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1, name: "Phiếu của bạn", exact: true })).toBeVisible();
  const subjects = page.locator("fieldset.ballot-subject");
  await expect(subjects).toHaveCount(SUBJECTS.length);
  for (const [i, choice] of choices.entries()) {
    if (choice) {
      await subjects.filter({ hasText: SUBJECTS[i] }).getByRole("radio", { name: choice, exact: true }).check();
    }
  }

  await page.getByRole("button", { name: "Xem lại" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Xem lại phiếu của bạn" })).toBeVisible();
  const blanks = choices.filter((c) => c === null).length;
  if (blanks > 0) await expect(page.getByText(`Bạn đang để trống ${blanks} người.`)).toBeVisible();
  else await expect(page.getByText(/Bạn đang để trống/)).toHaveCount(0);
  await expect(page.locator(".ballot-review__item--blank")).toHaveCount(blanks);
  for (const [i, choice] of choices.entries()) {
    const item = page.locator(".ballot-review__item").filter({ hasText: SUBJECTS[i] });
    await expect(item.locator(".ballot-review__choice")).toHaveText(
      choice ?? "Để trống: phiếu không hợp lệ đối với người này, như phiếu giấy."
    );
  }

  await page.getByRole("button", { name: "Gửi phiếu" }).click();
  await expect(
    page.getByRole("heading", { level: 1, name: "Phiếu của bạn đã được ghi nhận và sẽ được kiểm" })
  ).toBeVisible();
  const receipt = (await page.locator(".receipt__code").textContent())!.trim();
  expect(receipt).toMatch(RECEIPT);
  return receipt;
}

/** A subject's bars on the results page: the count and percentage shown for each level, and the flags. */
function bars(page: Page, subject: string) {
  const figure = page.locator("figure.tally-bars").filter({ hasText: subject });
  const value = (row: string) => figure.locator(`.tally-bars__row--${row} .tally-bars__value`);
  return {
    figure,
    high: value("high_confidence"),
    confidence: value("confidence"),
    low: value("low_confidence"),
    invalid: value("invalid"),
    flags: figure.locator(".tally-bars__flag"),
  };
}

/** A figure of a results section (`<dt>` label, `<dd>` value). */
function figure(page: Page, label: string) {
  const dt = page.locator("dt", { hasText: new RegExp(`^${escapeRegExp(label)}$`) });
  return page.locator(".poll-figures > div").filter({ has: dt }).locator("dd");
}

test("a confidence poll from its QR slips to the published result and the minutes", async ({ page, own }, testInfo) => {
  testInfo.setTimeout(120_000);
  const title = `Lấy phiếu tín nhiệm thử (${testInfo.project.name}) ${uniqueSuffix(testInfo.project.name)}`;

  // 1. The Front officer creates the poll from the ward's page, with the default rules.
  await logIn(page, "mattran");
  await page.getByRole("link", { name: WARD }).click();
  await expect(page.getByRole("heading", { level: 1, name: WARD })).toBeVisible();
  await page.getByRole("link", { name: "Lấy phiếu tín nhiệm", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Lấy phiếu tín nhiệm — ${WARD}` })).toBeVisible();
  await page.getByRole("link", { name: "Tạo cuộc lấy phiếu" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tạo cuộc lấy phiếu" })).toBeVisible();

  await expect(page.getByLabel("Hình thức", { exact: true })).toHaveValue("confidence_poll");
  await page.getByLabel("Tên cuộc lấy phiếu", { exact: true }).fill(title);
  await page.getByLabel("Địa điểm", { exact: true }).fill("Hội trường UBND phường Thanh Xuân");
  for (const name of SUBJECTS) {
    await page.getByRole("checkbox", { name: new RegExp(`^${escapeRegExp(name)} — `) }).check();
  }
  for (const group of [GROUP, OTHER_GROUP]) await page.getByRole("checkbox", { name: group, exact: true }).check();
  for (const [i, member] of COMMITTEE.entries()) {
    await page.getByLabel(`Họ và tên (thành viên ${i + 1})`, { exact: true }).fill(member.name);
    await page.getByLabel(`Nhiệm vụ (thành viên ${i + 1})`, { exact: true }).fill(member.role);
  }
  await expect(page.getByLabel("Số thành viên Ban kiểm phiếu phải xác nhận")).toHaveValue("2");
  // The form starts with the key split among the ward's two counting accounts (committee key mode); this poll keeps
  // it on the server (server key mode), so that closing counts at once.
  await expect(page.getByRole("radio", { name: /^Chia khóa cho ban kiểm phiếu/ })).toBeChecked();
  await page.getByRole("radio", { name: /^Máy chủ giữ khóa/ }).check();
  await page.getByRole("button", { name: "Tạo cuộc lấy phiếu" }).click();

  await expect(page.getByRole("status").filter({ hasText: "Đã tạo cuộc lấy phiếu (bản nháp)." })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page.locator(".poll-heading")).toContainText("Bản nháp");
  const pollId = page.url().match(/\/polls\/(\d+)/)?.[1];
  expect(pollId).toBeTruthy();
  const pollUrl = `/polls/${pollId}`;
  const resultsUrl = `${pollUrl}/results`;
  const subjectsList = page.locator("ol.poll-subjects > li");
  await expect(subjectsList).toHaveCount(3);
  for (const name of SUBJECTS) await expect(subjectsList.filter({ hasText: name })).toHaveCount(1);
  await expect(page.getByRole("heading", { name: "Tổ dân phố tham gia (2)" })).toBeVisible();

  // 2. Three slips for the first group: one ZIP with the printable PDF and the CSV of ballot URLs.
  const slips = page.locator("section#credentials");
  await slips.getByLabel("Tổ dân phố", { exact: true }).selectOption({ label: GROUP });
  await slips.getByLabel("Số mã", { exact: true }).fill("3");
  const zip = await downloadOf(page, () => slips.getByRole("button", { name: "Cấp mã và tải tệp ZIP" }).click());
  expect(zip.name).toMatch(new RegExp(`^phieu-${pollId}-.*\\.zip$`));
  const files = unzipSync(new Uint8Array(zip.bytes));
  const csvName = Object.keys(files).find((name) => name.endsWith(".csv"));
  const pdfName = Object.keys(files).find((name) => name.endsWith(".pdf"));
  expect(csvName, Object.keys(files).join(", ")).toBeTruthy();
  expect(pdfName, Object.keys(files).join(", ")).toBeTruthy();
  const pdf = files[pdfName!];
  expect(pdf.byteLength).toBeGreaterThan(1000);
  expect(strFromU8(pdf.subarray(0, 5))).toBe("%PDF-");
  // "STT,Mã phiếu,Đường dẫn", then one slip a line: number, code in groups of 4, ballot URL.
  const lines = strFromU8(files[csvName!])
    .replace(/^\uFEFF/, "")
    .trim()
    .split(/\r?\n/);
  expect(lines[0]).toBe("STT,Mã phiếu,Đường dẫn");
  const urls = lines.slice(1).map((line) => line.split(",")[2]);
  expect(urls).toHaveLength(3);
  for (const url of urls) expect(new URL(url).pathname).toMatch(/^\/v\/[0-9A-Z]{24}$/);
  expect(new Set(urls).size).toBe(3);

  // The page, loaded again, counts the batch; the codes themselves are nowhere on it.
  await page.goto(pollUrl);
  const groupRow = slips.getByRole("row").filter({ hasText: GROUP });
  await expect(groupRow.getByRole("cell").nth(1)).toHaveText("3");
  await expect(page.getByText(new URL(urls[0]).pathname.slice(3, 11))).toHaveCount(0);

  // 3. The three slips are handed out, then the poll opens.
  await recordHandedOut(page, 3);
  await page.getByRole("button", { name: "Mở nhận phiếu" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Đã mở nhận phiếu." })).toBeVisible();
  await expect(page.locator(".poll-heading")).toContainText("Đang nhận phiếu");

  // 4. Resident A, on a phone with JavaScript off, and resident B, with it on, vote from the CSV's URLs.
  const phone = { width: 390, height: 844 };
  const residentA = await own({ javaScriptEnabled: false, viewport: phone });
  const receiptA = await vote(residentA, urls[0], [HIGH, LOW, CONFIDENCE]);
  const residentB = await own({ javaScriptEnabled: true, viewport: phone });
  const receiptB = await vote(residentB, urls[1], [LOW, LOW, null]);
  expect(receiptB).not.toBe(receiptA);

  // The first slip opened again: its ballot was counted, with the same receipt, and no ballot to fill.
  expect((await residentA.goto(urls[0]))?.status()).toBe(200);
  await expect(residentA.getByRole("heading", { level: 1, name: /đã được ghi nhận/ })).toBeVisible();
  await expect(residentA.locator(".receipt__code")).toHaveText(receiptA);
  await expect(residentA.getByRole("radio")).toHaveCount(0);

  // 5. The officer closes, through its confirmation step.
  await page.goto(pollUrl);
  const confirmClose = page.getByRole("button", { name: "Tôi xác nhận: đóng và kiểm phiếu" });
  await expect(confirmClose).toBeHidden();
  await page.locator("summary", { hasText: "Đóng nhận phiếu…" }).click();
  await expect(page.getByText("Đóng là dừng nhận phiếu ngay và kiểm phiếu; không thể mở lại.")).toBeVisible();
  await confirmClose.click();
  await expect(page.getByRole("status").filter({ hasText: "Đã đóng nhận phiếu và kiểm 2 phiếu." })).toBeVisible();
  await expect(page.locator(".poll-heading")).toContainText("Đã đóng, đã kiểm phiếu");

  // Before publication the party committee's reader is refused the results.
  const reader = await own();
  await logIn(reader, "danguy");
  expect((await reader.goto(resultsUrl))?.status()).toBe(403);
  await expect(reader.getByText(FORBIDDEN)).toBeVisible();
  await expect(reader.getByText(SUBJECTS[0])).toHaveCount(0);

  // 6. Each counting member confirms the tally once; the creator, an officer, is offered no confirmation.
  const confirmButton = /^Tôi xác nhận kết quả \(mã /;
  for (const [i, username] of ["kiemphieu1", "kiemphieu2"].entries()) {
    const member = await own();
    await logIn(member, username);
    await member.goto(pollUrl);
    await member.getByRole("link", { name: "Xem kết quả và xác nhận" }).click();
    await expect(member.getByRole("heading", { level: 1, name: `Kết quả: ${title}` })).toBeVisible();
    await member.getByRole("button", { name: confirmButton }).click();
    await expect(member.getByRole("status").filter({ hasText: "Đã ghi nhận xác nhận của bạn." })).toBeVisible();
    await expect(member.getByText(`Có ${i + 1}/2 xác nhận khớp với kết quả hiện tại.`)).toBeVisible();
    await expect(member.getByRole("button", { name: confirmButton })).toHaveCount(0);
  }

  await page.goto(resultsUrl);
  await expect(page.getByRole("heading", { level: 1, name: `Kết quả: ${title}` })).toBeVisible();
  await expect(page.getByText("Kết quả chưa công bố")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Xác nhận kết quả kiểm phiếu" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: confirmButton })).toHaveCount(0);

  await page.goto(pollUrl);
  await expect(page.getByText("Có 2/2 xác nhận khớp với kết quả hiện tại.")).toBeVisible();
  await page.getByRole("button", { name: "Công bố kết quả" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Đã công bố kết quả." })).toBeVisible();
  await expect(page.locator(".poll-heading")).toContainText("Đã công bố");

  // 7. The party committee's reader sees the published figures.
  expect((await reader.goto(resultsUrl))?.status()).toBe(200);
  await expect(reader.getByRole("heading", { level: 1, name: `Kết quả: ${title}` })).toBeVisible();
  await expect(reader.getByText("Kết quả đã được công bố và giữ cố định")).toBeVisible();
  await expect(figure(reader, "Biên nhận đã cấp")).toHaveText("2");
  await expect(figure(reader, "Mã phiếu đã dùng")).toHaveText("2");
  await expect(figure(reader, "Phiếu đã kiểm")).toHaveText("2");
  await expect(reader.getByText("Ba số bằng nhau")).toBeVisible();
  await expect(figure(reader, "Phiếu thu về")).toHaveText("2");
  await expect(figure(reader, "Đã cấp")).toHaveText("3");

  const first = bars(reader, SUBJECTS[0]);
  await expect(first.high).toHaveText("1 phiếu (50%)");
  await expect(first.confidence).toHaveText("0 phiếu (0%)");
  await expect(first.low).toHaveText("1 phiếu (50%)");
  await expect(first.invalid).toHaveText("0 phiếu (0%)");
  await expect(first.figure).toContainText("Tỷ lệ tính trên 2 phiếu thu về.");
  // Exactly half low confidence is not "more than half": no flag.
  await expect(first.flags).toHaveCount(0);

  const second = bars(reader, SUBJECTS[1]);
  await expect(second.high).toHaveText("0 phiếu (0%)");
  await expect(second.confidence).toHaveText("0 phiếu (0%)");
  await expect(second.low).toHaveText("2 phiếu (100%)");
  await expect(second.flags).toHaveCount(1);
  await expect(second.flags).toHaveText("Đề nghị miễn nhiệm (từ 2/3 tín nhiệm thấp trở lên)");

  const third = bars(reader, SUBJECTS[2]);
  await expect(third.high).toHaveText("0 phiếu (0%)");
  await expect(third.confidence).toHaveText("1 phiếu (50%)");
  await expect(third.low).toHaveText("0 phiếu (0%)");
  await expect(third.invalid).toHaveText("1 phiếu (50%)");
  await expect(third.flags).toHaveCount(0);

  // 8. The counting minutes name the three subjects in full (the PDF's own text, as pdftotext reads it).
  const minutes = await downloadOf(reader, () =>
    reader.getByRole("link", { name: "Tải biên bản kiểm phiếu (PDF)" }).click()
  );
  expect(minutes.name).toBe(`bien-ban-kiem-phieu-${pollId}.pdf`);
  expect(minutes.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  const pdfFile = testInfo.outputPath("bien-ban-kiem-phieu.pdf");
  fs.writeFileSync(pdfFile, minutes.bytes);
  const text = execFileSync("pdftotext", ["-enc", "UTF-8", pdfFile, "-"], { encoding: "utf8" })
    .normalize("NFC")
    .replace(/\s+/g, " ");
  for (const name of SUBJECTS) expect(text).toContain(name);
  expect(text).toContain("BIÊN BẢN KIỂM PHIẾU");
});
