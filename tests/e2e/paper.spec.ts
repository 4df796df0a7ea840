// Paper ballots beside online ones, as the counting committee goes through them: a resident votes online, the
// officer closes; a counting member enters the paper tally of the group's meeting with one wrong figure, is told
// which and why, corrects it; the same member is offered no confirmation, a second member confirms. The results
// warn that online plus paper ballots exceed those present, which blocks publishing until the officer writes why
// it is accepted; after the committee confirms, the reader sees online, paper and total, and the minutes print both
// channels and the reason. Each project (JavaScript on, and off) runs its own poll.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { expect, type Page } from "@playwright/test";
import { createAndOpenPoll, downloadOf, logIn, test, uniqueSuffix } from "./helpers";

const WARD = "Phường Thanh Xuân";
const GROUP = "Tổ dân phố số 1";
const OTHER_GROUP = "Tổ dân phố số 2";
const SUBJECTS = ["Nguyễn Văn Thành", "Lê Minh Đức"] as const;
const LEVELS = ["Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"] as const;
const REASON = "Một cử tri đã bỏ phiếu trực tuyến trước giờ họp nên không có tên trong danh sách có mặt.";

/** A paper tally's per-subject figures: the three levels, then the ballots invalid for the subject. */
type SubjectFigures = [number, number, number, number];

async function fillPaper(
  page: Page,
  figures: { summoned: number; present: number; issued: number; collected: number; valid: number; invalid: number },
  subjects: SubjectFigures[]
) {
  const labels = {
    summoned: "Số người được triệu tập",
    present: "Số người có mặt",
    issued: "Số phiếu phát ra",
    collected: "Số phiếu thu về",
    valid: "Số phiếu hợp lệ",
    invalid: "Số phiếu không hợp lệ",
  } as const;
  for (const [field, label] of Object.entries(labels)) {
    await page.getByLabel(label, { exact: true }).fill(String(figures[field as keyof typeof labels]));
  }
  for (const [s, values] of subjects.entries()) {
    for (const [i, level] of [...LEVELS, "Không hợp lệ"].entries()) {
      await page.getByLabel(`${SUBJECTS[s]}: ${level}`, { exact: true }).fill(String(values[i]));
    }
  }
}

test("paper ballots entered, corrected, confirmed by a second member, reconciled and published", async ({
  page,
  own,
}, testInfo) => {
  testInfo.setTimeout(120_000);
  const title = `Phiếu giấy thử (${testInfo.project.name}) ${uniqueSuffix(testInfo.project.name)}`;

  await logIn(page, "mattran");
  const { pollId, urls } = await createAndOpenPoll(page, {
    ward: WARD,
    title,
    subjects: SUBJECTS,
    groups: [GROUP, OTHER_GROUP],
    committee: ["Trần Văn Bình", "Lê Thị Mai"],
    slips: { group: GROUP, count: 2 },
  });
  const pollUrl = `/polls/${pollId}`;

  // One resident votes online: high confidence for the first subject, low for the second.
  const resident = await own();
  await resident.goto(urls[0]);
  const ballot = resident.locator("fieldset.ballot-subject");
  await ballot.filter({ hasText: SUBJECTS[0] }).getByRole("radio", { name: "Tín nhiệm cao", exact: true }).check();
  await ballot.filter({ hasText: SUBJECTS[1] }).getByRole("radio", { name: "Tín nhiệm thấp", exact: true }).check();
  await resident.getByRole("button", { name: "Xem lại" }).click();
  await resident.getByRole("button", { name: "Gửi phiếu" }).click();
  await expect(resident.getByRole("heading", { level: 1, name: /đã được ghi nhận/ })).toBeVisible();

  await page.goto(pollUrl);
  await page.locator("summary", { hasText: "Đóng nhận phiếu…" }).click();
  await page.getByRole("button", { name: "Tôi xác nhận: đóng và kiểm phiếu" }).click();
  await expect(page.locator(".poll-heading")).toContainText("Đã đóng, đã kiểm phiếu");

  // The first counting member enters the group's paper tally, one figure wrong: the second subject's levels and
  // invalid make 6 where 5 ballots were valid.
  const first = await own();
  await logIn(first, "kiemphieu1");
  await first.goto(pollUrl);
  await first.getByRole("link", { name: "Phiếu giấy (đã nhập 0, đã xác nhận 0)", exact: true }).click();
  await expect(first.getByRole("heading", { level: 1, name: `Phiếu giấy — ${title}` })).toBeVisible();
  await first.getByRole("link", { name: GROUP, exact: true }).click();
  await expect(first.getByRole("heading", { level: 1, name: `Phiếu giấy — ${GROUP}` })).toBeVisible();
  const paper = { summoned: 9, present: 6, issued: 6, collected: 6, valid: 5, invalid: 1 };
  await fillPaper(first, paper, [
    [2, 2, 1, 0],
    [1, 1, 2, 2],
  ]);
  await first.getByRole("button", { name: "Lưu số liệu" }).click();
  const sumError = "Người thứ 2 (Lê Minh Đức): các mức cộng phiếu không hợp lệ là 6, phải bằng số phiếu hợp lệ (5).";
  await expect(first.getByText(sumError)).toBeVisible();
  await expect(first.getByLabel(`${SUBJECTS[1]}: Không hợp lệ`, { exact: true })).toHaveAttribute(
    "aria-invalid",
    "true"
  );
  // Nothing typed is lost.
  await expect(first.getByLabel("Số người có mặt", { exact: true })).toHaveValue("6");
  await expect(first.getByLabel(`${SUBJECTS[0]}: Tín nhiệm cao`, { exact: true })).toHaveValue("2");

  await first.getByLabel(`${SUBJECTS[1]}: Không hợp lệ`, { exact: true }).fill("1");
  await first.getByRole("button", { name: "Lưu số liệu" }).click();
  await expect(first.getByRole("status").filter({ hasText: "Đã lưu số liệu." })).toBeVisible();
  const groupRow = first.getByRole("row").filter({ hasText: GROUP });
  await expect(groupRow).toContainText("Chờ xác nhận (người nhập: Trần Văn Bình)");
  // The meeting-wide line is no longer offered once a group has figures.
  await expect(first.getByRole("link", { name: "Cả hội nghị" })).toHaveCount(0);

  // Whoever entered the figures cannot confirm them.
  await first.getByRole("link", { name: GROUP, exact: true }).click();
  await expect(first.getByText("Bạn là người nhập số liệu này nên không thể tự xác nhận")).toBeVisible();
  await expect(first.getByRole("button", { name: "Tôi đã đối chiếu, xác nhận số liệu" })).toHaveCount(0);

  // A second counting member does.
  const second = await own();
  await logIn(second, "kiemphieu2");
  await second.goto(`${pollUrl}/paper`);
  await second.getByRole("link", { name: GROUP, exact: true }).click();
  await expect(second.getByLabel("Số người có mặt", { exact: true })).toHaveValue("6");
  await second.getByRole("button", { name: "Tôi đã đối chiếu, xác nhận số liệu" }).click();
  await expect(second.getByRole("status").filter({ hasText: "Đã xác nhận số liệu phiếu giấy." })).toBeVisible();
  await expect(second.getByRole("row").filter({ hasText: GROUP })).toContainText(
    "Đã xác nhận (người nhập: Trần Văn Bình; người xác nhận: Lê Thị Mai)"
  );

  // One online ballot plus six paper ballots, six people present: the results warn, and publishing waits. The
  // group's online figure, under k, is withheld in the warning as everywhere else.
  const warning = `${GROUP}: phiếu trực tuyến cộng phiếu giấy (6) nhiều hơn số người có mặt (6).`;
  await page.goto(`${pollUrl}/results`);
  await expect(page.getByText(warning)).toBeVisible();
  await page.goto(pollUrl);
  await page.getByRole("button", { name: "Công bố kết quả" }).click();
  await expect(page.getByText("Còn 1 cảnh báo đối chiếu chưa xử lý")).toBeVisible();
  await expect(page.locator(".poll-heading")).toContainText("Đã đóng, đã kiểm phiếu");

  // The officer records why it is accepted; an empty reason is refused first.
  await page.goto(`${pollUrl}/results`);
  const ack = page.locator("form.paper-ack");
  await ack.getByRole("button", { name: "Ghi nhận lý do" }).click();
  await expect(page.getByText("Ghi rõ lý do chấp nhận cảnh báo này.")).toBeVisible();
  await page.locator("form.paper-ack").getByLabel("Lý do chấp nhận").fill(REASON);
  await page.locator("form.paper-ack").getByRole("button", { name: "Ghi nhận lý do" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Đã ghi nhận lý do." })).toBeVisible();
  await expect(page.getByText(`Đã chấp nhận — lý do: ${REASON}`)).toBeVisible();

  // The committee confirms the tally (paper and acknowledgement included), the officer publishes.
  for (const member of [first, second]) {
    await member.goto(`${pollUrl}/results`);
    await member.getByRole("button", { name: /^Tôi xác nhận kết quả \(mã / }).click();
    await expect(member.getByRole("status").filter({ hasText: "Đã ghi nhận xác nhận của bạn." })).toBeVisible();
  }
  await page.goto(pollUrl);
  await page.getByRole("button", { name: "Công bố kết quả" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Đã công bố kết quả." })).toBeVisible();

  // The party committee's reader sees each channel and the total.
  const reader = await own();
  await logIn(reader, "danguy");
  expect((await reader.goto(`${pollUrl}/results`))?.status()).toBe(200);
  await expect(reader.getByRole("heading", { name: "Trực tuyến và phiếu giấy" })).toBeVisible();
  const table = (subject: string) =>
    reader
      .locator("section", { has: reader.locator("#channels-title") })
      .locator("div")
      .filter({
        has: reader.getByRole("heading", { level: 3, name: new RegExp(subject) }),
      });
  const rowOf = (subject: string, channel: string) =>
    table(subject)
      .getByRole("row")
      .filter({ has: reader.getByRole("rowheader", { name: channel, exact: true }) });
  await expect(rowOf(SUBJECTS[0], "Trực tuyến").getByRole("cell")).toHaveText(["1", "0", "0", "0"]);
  await expect(rowOf(SUBJECTS[0], "Phiếu giấy").getByRole("cell")).toHaveText(["2", "2", "1", "0"]);
  await expect(rowOf(SUBJECTS[0], "Tổng").getByRole("cell")).toHaveText(["3", "2", "1", "0"]);
  await expect(rowOf(SUBJECTS[1], "Trực tuyến").getByRole("cell")).toHaveText(["0", "0", "1", "0"]);
  await expect(rowOf(SUBJECTS[1], "Phiếu giấy").getByRole("cell")).toHaveText(["1", "1", "2", "1"]);
  await expect(rowOf(SUBJECTS[1], "Tổng").getByRole("cell")).toHaveText(["1", "1", "3", "1"]);
  // Seven ballots collected in all (one online, six on paper, one of them invalid): 3 of 7 is 42,86%.
  await expect(
    reader
      .locator("figure.tally-bars")
      .filter({ hasText: SUBJECTS[0] })
      .locator(".tally-bars__row--high_confidence .tally-bars__value")
  ).toHaveText("3 phiếu (42,86%)");
  await expect(reader.getByText(`Đã chấp nhận — lý do: ${REASON}`)).toBeVisible();

  // The minutes print both channels, the total and the reason.
  const minutes = await downloadOf(reader, () =>
    reader.getByRole("link", { name: "Tải biên bản kiểm phiếu (PDF)" }).click()
  );
  const pdfFile = testInfo.outputPath("bien-ban-phieu-giay.pdf");
  fs.writeFileSync(pdfFile, minutes.bytes);
  const text = execFileSync("pdftotext", ["-enc", "UTF-8", pdfFile, "-"], { encoding: "utf8" })
    .normalize("NFC")
    .replace(/\s+/g, " ");
  expect(text).toContain("Trực tuyến");
  expect(text).toContain("Phiếu giấy");
  expect(text).toContain(REASON.slice(0, 40));
});
