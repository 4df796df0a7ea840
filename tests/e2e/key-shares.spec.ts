// A poll whose key is split among the counting committee (k of n, decision 015): the Front officer creates it with
// two committee rows linked to the ward's counting accounts and k = 2 and issues two slips; opening is refused until
// each member has made their counting key (shown once); a resident votes; closing counts nothing; one key alone is
// refused, and the two together count the ballot box.
// Both projects share the run's server, so each creates its own poll, named after the project.
import { expect, type Page } from "@playwright/test";
import { strFromU8, unzipSync } from "fflate";
import { downloadOf, logIn, test, uniqueSuffix } from "./helpers";

const WARD = "Phường Thanh Xuân";
const GROUP = "Tổ dân phố số 1";
/** Demo cadres of the ward (db/seeds/demo.ts). */
const SUBJECTS = ["Nguyễn Văn Thành", "Lê Minh Đức", "Vũ Thị Hương"] as const;
/** The ward's counting members (db/seeds/demo.ts), each linked to one committee row. */
const COMMITTEE = [
  { username: "kiemphieu1", name: "Trần Văn Bình", role: "Trưởng ban" },
  { username: "kiemphieu2", name: "Lê Thị Mai", role: "Thành viên" },
];
/** A member's counting key as the key page shows it: groups of four characters separated by hyphens. */
const KEY_CODE = /^[0-9A-Z]{4}(-[0-9A-Z]{1,4})+$/;
const AWAITING = "Đã đóng, chờ ban kiểm phiếu nhập khóa.";

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A figure of a results section (`<dt>` label, `<dd>` value). */
function figure(page: Page, label: string) {
  const dt = page.locator("dt", { hasText: new RegExp(`^${escapeRegExp(label)}$`) });
  return page.locator(".poll-figures > div").filter({ has: dt }).locator("dd");
}

test("a committee-key poll opens once its members made their keys, and is counted once enough of them enter them", async ({
  page,
  own,
}, testInfo) => {
  testInfo.setTimeout(120_000);
  const title = `Lấy phiếu chia khóa thử (${testInfo.project.name}) ${uniqueSuffix(testInfo.project.name)}`;

  // 1. The Front officer creates the poll with the key split between the two counting members, k = 2.
  await logIn(page, "mattran");
  await page.getByRole("link", { name: WARD }).click();
  await page.getByRole("link", { name: "Lấy phiếu tín nhiệm", exact: true }).click();
  await page.getByRole("link", { name: "Tạo cuộc lấy phiếu" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tạo cuộc lấy phiếu" })).toBeVisible();

  await page.getByLabel("Tên cuộc lấy phiếu", { exact: true }).fill(title);
  await page.getByLabel("Địa điểm", { exact: true }).fill("Hội trường UBND phường Thanh Xuân");
  for (const name of SUBJECTS) {
    await page.getByRole("checkbox", { name: new RegExp(`^${escapeRegExp(name)} — `) }).check();
  }
  await page.getByRole("checkbox", { name: GROUP, exact: true }).check();
  const rows = page.locator("fieldset.poll-committee .field-row");
  for (const [i, member] of COMMITTEE.entries()) {
    await page.getByLabel(`Họ và tên (thành viên ${i + 1})`, { exact: true }).fill(member.name);
    await page.getByLabel(`Nhiệm vụ (thành viên ${i + 1})`, { exact: true }).fill(member.role);
    await rows.nth(i).getByLabel("Tài khoản", { exact: true }).selectOption({ label: member.name });
  }
  await page.getByRole("radio", { name: /^Chia khóa cho ban kiểm phiếu \(k trên n\)/ }).check();
  await page.getByLabel("Số khóa cần để kiểm phiếu (k)", { exact: true }).fill("2");
  await page.getByRole("button", { name: "Tạo cuộc lấy phiếu" }).click();

  await expect(page.getByRole("status").filter({ hasText: "Đã tạo cuộc lấy phiếu (bản nháp)." })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page.getByText("Khóa chia cho ban kiểm phiếu: 2 trên 2")).toBeVisible();
  const pollId = page.url().match(/\/polls\/(\d+)/)?.[1];
  expect(pollId).toBeTruthy();
  const pollUrl = `/polls/${pollId}`;
  const resultsUrl = `${pollUrl}/results`;

  // 2. Two slips: the CSV inside the ZIP gives their ballot URLs.
  const slips = page.locator("section#credentials");
  await slips.getByLabel("Tổ dân phố", { exact: true }).selectOption({ label: GROUP });
  await slips.getByLabel("Số mã", { exact: true }).fill("2");
  const zip = await downloadOf(page, () => slips.getByRole("button", { name: "Cấp mã và tải tệp ZIP" }).click());
  const files = unzipSync(new Uint8Array(zip.bytes));
  const csvName = Object.keys(files).find((name) => name.endsWith(".csv"));
  expect(csvName, Object.keys(files).join(", ")).toBeTruthy();
  const lines = strFromU8(files[csvName!])
    .replace(/^\uFEFF/, "")
    .trim()
    .split(/\r?\n/);
  expect(lines[0]).toBe("STT,Mã phiếu,Đường dẫn");
  const urls = lines.slice(1).map((line) => line.split(",")[2]);
  expect(urls).toHaveLength(2);
  for (const url of urls) expect(new URL(url).pathname).toMatch(/^\/v\/[0-9A-Z]{24}$/);

  // 3. Opening waits for the members' keys, and says whose.
  await page.goto(pollUrl);
  const waiting = `${COMMITTEE[0].name}, ${COMMITTEE[1].name}`;
  await expect(page.getByText(`Chưa mở được cuộc lấy phiếu: còn chờ ${waiting} tạo khóa kiểm phiếu.`)).toBeVisible();
  await page.getByRole("button", { name: "Mở nhận phiếu" }).click();
  await expect(page.getByText(`Chưa mở được: ${waiting} chưa tạo khóa kiểm phiếu.`)).toBeVisible();
  await expect(page.locator(".poll-heading")).not.toContainText("Đang nhận phiếu");

  // 4. Each counting member makes their key from the poll's page and sees it once; a second visit does not show it.
  const codes: string[] = [];
  const members: Page[] = [];
  for (const member of COMMITTEE) {
    const memberPage = await own();
    members.push(memberPage);
    await logIn(memberPage, member.username);
    await memberPage.goto(pollUrl);
    await memberPage.getByRole("link", { name: "Tạo khóa kiểm phiếu của tôi" }).click();
    await expect(memberPage.getByRole("heading", { level: 1, name: "Khóa kiểm phiếu của tôi" })).toBeVisible();
    await expect(memberPage.getByText(`${member.name} — ${member.role}`)).toBeVisible();
    await memberPage.getByRole("button", { name: "Tạo khóa", exact: true }).click();
    await expect(memberPage.getByRole("alert").filter({ hasText: "chỉ hiển thị một lần" })).toBeVisible();
    // Without JavaScript the page may still be streaming: the download link comes after the code, so the code is
    // read whole once the link is there; the file to download holds the same code.
    const download = memberPage.getByRole("link", { name: "Tải về (tệp .txt)" });
    await expect(download).toBeVisible();
    const code = (await memberPage.locator(".key-share__code code").textContent())!.trim();
    expect(code).toMatch(KEY_CODE);
    expect(decodeURIComponent((await download.getAttribute("href"))!)).toContain(`\n\n${code}\n`);
    await expect(memberPage.locator(".key-share__qr svg")).toBeVisible();
    codes.push(code);

    const again = await memberPage.goto(`${pollUrl}/share`);
    expect(again?.status()).toBe(200);
    expect(again?.headers()["cache-control"]).toBe("no-store");
    await expect(memberPage.getByText("Bạn đã tạo khóa cho cuộc lấy phiếu này.")).toBeVisible();
    await expect(memberPage.getByRole("button", { name: "Tạo lại khóa (khóa cũ hết hiệu lực)" })).toBeVisible();
    await expect(memberPage.locator(".key-share__code")).toHaveCount(0);
    await expect(memberPage.getByText(code)).toHaveCount(0);
  }
  expect(codes[1]).not.toBe(codes[0]);
  await page.goto(pollUrl);
  await expect(page.getByText("Đã tạo khóa: 2 trên 2 thành viên.")).toBeVisible();
  await page.getByRole("button", { name: "Mở nhận phiếu" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Đã mở nhận phiếu." })).toBeVisible();
  await expect(page.locator(".poll-heading")).toContainText("Đang nhận phiếu");

  // 5. A resident votes with the first slip.
  const resident = await own({ viewport: { width: 390, height: 844 } });
  expect((await resident.goto(urls[0]))?.status()).toBe(200);
  const subjects = resident.locator("fieldset.ballot-subject");
  await expect(subjects).toHaveCount(SUBJECTS.length);
  for (const name of SUBJECTS) {
    await subjects.filter({ hasText: name }).getByRole("radio", { name: "Tín nhiệm cao", exact: true }).check();
  }
  await resident.getByRole("button", { name: "Xem lại" }).click();
  await resident.getByRole("button", { name: "Gửi phiếu" }).click();
  await expect(
    resident.getByRole("heading", { level: 1, name: "Phiếu của bạn đã được ghi nhận và sẽ được kiểm" })
  ).toBeVisible();

  // 6. The officer closes: nothing is counted until the committee enters the key.
  await page.locator("summary", { hasText: "Đóng nhận phiếu…" }).click();
  await page.getByRole("button", { name: "Tôi xác nhận: đóng và chờ ban kiểm phiếu nhập khóa" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Phiếu sẽ được kiểm khi ban kiểm phiếu nhập đủ khóa." })
  ).toBeVisible();
  await page.goto(resultsUrl);
  await expect(page.getByText(AWAITING)).toBeVisible();
  await expect(page.locator(".poll-figures")).toHaveCount(0);

  // 7. The first member enters only their own key: refused, nothing counted.
  const counter = members[0];
  await counter.goto(pollUrl);
  await counter.getByRole("link", { name: "Nhập khóa để kiểm phiếu" }).click();
  await expect(counter.getByRole("heading", { level: 1, name: "Kiểm phiếu bằng khóa của ban kiểm phiếu" })).toBeVisible();
  await counter.getByLabel("Khóa thứ 1", { exact: true }).fill(codes[0]);
  await counter.getByRole("button", { name: "Mở hòm phiếu và kiểm" }).click();
  await expect(counter.getByText("Cần 2 khóa, mới nhập 1. Chưa kiểm phiếu nào.")).toBeVisible();
  // The server does not send the keys back; only a page without JavaScript is reloaded with empty fields.
  if (testInfo.project.name === "no-js")
    await expect(counter.getByLabel("Khóa thứ 1", { exact: true })).toHaveValue("");
  await page.goto(resultsUrl);
  await expect(page.getByText(AWAITING)).toBeVisible();
  await expect(page.locator(".poll-figures")).toHaveCount(0);

  // 8. Both keys: the box is opened and counted.
  await counter.getByLabel("Khóa thứ 1", { exact: true }).fill(codes[0]);
  await counter.getByLabel("Khóa thứ 2", { exact: true }).fill(codes[1]);
  await counter.getByRole("button", { name: "Mở hòm phiếu và kiểm" }).click();
  await expect(
    counter.getByRole("status").filter({ hasText: "Đã kiểm 1 phiếu; khóa của cuộc lấy phiếu đã bị hủy." })
  ).toBeVisible();
  await expect(counter).toHaveURL(new RegExp(`/polls/${pollId}(\\?|$)`));

  await page.goto(resultsUrl);
  await expect(page.getByRole("heading", { level: 1, name: `Kết quả: ${title}` })).toBeVisible();
  await expect(page.getByText(AWAITING)).toHaveCount(0);
  await expect(figure(page, "Biên nhận đã cấp")).toHaveText("1");
  await expect(figure(page, "Mã phiếu đã dùng")).toHaveText("1");
  await expect(figure(page, "Phiếu đã kiểm")).toHaveText("1");
  await expect(page.getByText("Ba số bằng nhau")).toBeVisible();
  await expect(
    page
      .locator("figure.tally-bars")
      .filter({ hasText: SUBJECTS[0] })
      .locator(".tally-bars__row--high_confidence .tally-bars__value")
  ).toHaveText("1 phiếu (100%)");
});
