import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderCountingMinutesPdf } from "./minutes-pdf.server";
import { groupTotal, reconcile } from "./reconcile";
import { protectGroups, protectSubjectByGroup } from "./tally.server";
import { quorumMet, subjectTally, type SubjectCounts } from "./rules";
import { DEFAULT_RULES, LEVELS, type CountingMinutes, type PollKind, type PollRules } from "./tally";

const folder = mkdtempSync(path.join(tmpdir(), "phieu-minutes-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The text a reader (or a search) gets out of the PDF, pages separated by form feeds. */
function textOf(pdf: Buffer): string {
  const file = path.join(folder, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" });
  // Phrases wrap inside table cells and paragraphs: read them as one line, as a person would.
  return text.normalize("NFC").replace(/[^\S\f]+/g, " ");
}

/** The text in the order it was drawn: a table row reads as one line, and a lone "< 5" keeps its space. */
function rawTextOf(pdf: Buffer): string {
  const text = execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", "-", "-"], { input: pdf, encoding: "utf8" });
  return text.normalize("NFC").replace(/\s+/g, " ");
}

function pagesOf(text: string): string[] {
  return text.split("\f").filter((page) => page.trim() !== "");
}

function minutesFor(
  subjects: SubjectCounts[],
  options: { kind?: PollKind; rules?: PollRules; locale?: "vi" | "en" } & Partial<CountingMinutes> = {}
): CountingMinutes {
  const { kind = "confidence_poll", rules = DEFAULT_RULES, ...overrides } = options;
  const totals = { collected: 60, issued: 80 };
  return {
    locale: "vi",
    wardName: "Phường Thanh Xuân",
    unitName: "Phường Thanh Xuân",
    pollTitle: "Lấy phiếu tín nhiệm cán bộ chủ chốt năm 2026",
    kind,
    place: "Hội trường Ủy ban nhân dân phường",
    openedAt: new Date("2026-03-05T01:30:00Z"),
    closedAt: new Date("2026-03-05T09:00:00Z"),
    countedAt: new Date("2026-03-05T09:45:00Z"),
    committee: [
      { fullName: "Lê Thị Mai", role: "Trưởng ban kiểm phiếu" },
      { fullName: "Phạm Đức Anh", role: "Thành viên" },
      { fullName: "Vũ Ngọc Ánh", role: "Thành viên" },
    ],
    summoned: 90,
    present: 62,
    quorumMet: true,
    complaints: null,
    tallyHash: "3f9a0c1b2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",
    ...overrides,
    tally: {
      pollId: 1,
      kind,
      levels: LEVELS[kind],
      rules,
      slips: { issued: 80, handedOut: 75, used: 60, voided: 5 },
      ballots: { collected: 60, valid: 58, invalid: 2 },
      turnoutPercent: 80,
      subjects: subjects.map((subject) => subjectTally(kind, subject, totals, rules)),
      groups: [],
      invariant: { receipts: 60, credentialsUsed: 60, ballotsCounted: 60, holds: true },
      ...overrides.tally,
    },
  };
}

const threeSubjects: SubjectCounts[] = [
  {
    subjectId: 1,
    fullName: "Nguyễn Văn Thành",
    title: "Bí thư Đảng ủy phường",
    unitName: "Phường Thanh Xuân",
    counts: { high_confidence: 40, confidence: 15, low_confidence: 5 },
    invalid: 0,
  },
  {
    subjectId: 2,
    fullName: "Trần Thị Hồng Nhung",
    title: "Chủ tịch Ủy ban nhân dân phường",
    unitName: "Phường Thanh Xuân",
    counts: { high_confidence: 10, confidence: 18, low_confidence: 31 },
    invalid: 1,
  },
  {
    subjectId: 3,
    fullName: "Đặng Quang Huy",
    title: "Tổ trưởng",
    unitName: "Tổ dân phố số 5",
    counts: { high_confidence: 5, confidence: 14, low_confidence: 40 },
    invalid: 1,
  },
];

describe("counting minutes PDF", () => {
  it("prints the record in Vietnamese with every name, figure and flag", async () => {
    const pdf = await renderCountingMinutesPdf(minutesFor(threeSubjects));
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const text = textOf(pdf);

    expect(text).toContain("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    expect(text).toContain("Độc lập - Tự do - Hạnh phúc");
    expect(text).toContain("BIÊN BẢN KIỂM PHIẾU");
    expect(text).toContain("Lấy phiếu tín nhiệm: Lấy phiếu tín nhiệm cán bộ chủ chốt năm 2026");
    expect(text).toContain("PHƯỜNG THANH XUÂN");
    // 09:45 UTC is 16:45 in Hà Nội.
    expect(text).toContain("Kiểm phiếu: 16 giờ 45 phút, ngày 05 tháng 3 năm 2026");
    expect(text).toContain("Địa điểm: Hội trường Ủy ban nhân dân phường");

    for (const name of ["Nguyễn Văn Thành", "Trần Thị Hồng Nhung", "Đặng Quang Huy"]) expect(text).toContain(name);
    for (const member of ["Lê Thị Mai — Trưởng ban kiểm phiếu", "Phạm Đức Anh — Thành viên", "Vũ Ngọc Ánh"]) {
      expect(text).toContain(member);
    }
    expect(text).toContain("TRƯỞNG BAN KIỂM PHIẾU");
    expect(text).toContain("(Ký, ghi rõ họ tên)");

    // 40/60, 31/60 and 5/60 of the ballots collected.
    expect(text).toContain("66,67%");
    expect(text).toContain("51,67%");
    expect(text).toContain("8,33%");
    expect(text).toContain("Đề nghị miễn nhiệm (từ 2/3 tín nhiệm thấp trở lên)");
    expect(text).toContain("Thuộc diện xem xét (trên 1/2 tín nhiệm thấp)");
    expect(text).toContain("Tỷ lệ phần trăm của mỗi mức được tính trên tổng số phiếu thu về (60 phiếu).");

    expect(text).toContain("Số người được triệu tập: 90");
    expect(text).toContain("đủ điều kiện tiến hành");
    expect(text).toContain("Số phiếu thu về: 60; phiếu hợp lệ: 58; phiếu không hợp lệ: 2.");
    expect(text).toContain("Số biên nhận đã cấp: 60; số mã phiếu đã sử dụng: 60; số phiếu được kiểm: 60.");
    expect(text).toContain("Ba số trên bằng nhau");
    expect(text).toContain("Không có khiếu nại.");
    expect(text).toContain("3f9a 0c1b 2d4e 5f60");
  });

  it("warns when the numbers do not reconcile, and records complaints and a missed quorum", async () => {
    const minutes = minutesFor(threeSubjects, {
      summoned: 90,
      present: 59,
      quorumMet: false,
      complaints: "Ông Hoàng Văn Bình hỏi về một phiếu bị rách; Ban kiểm phiếu đã kiểm tra và xác định phiếu hợp lệ.",
    });
    minutes.tally.invariant = { receipts: 60, credentialsUsed: 61, ballotsCounted: 60, holds: false };
    const text = textOf(await renderCountingMinutesPdf(minutes));

    expect(text).toContain("CẢNH BÁO: ba số trên không bằng nhau.");
    expect(text).toContain("số mã phiếu đã sử dụng: 61");
    expect(text).toContain("không đủ điều kiện tiến hành theo quy định");
    expect(text).toContain("Ông Hoàng Văn Bình hỏi về một phiếu bị rách");
    expect(text).not.toContain("Không có khiếu nại.");
  });

  it("states a confidence vote and its own flag", async () => {
    const pdf = await renderCountingMinutesPdf(
      minutesFor(
        [
          {
            subjectId: 9,
            fullName: "Ngô Thị Thu Hà",
            title: "Phó Chủ tịch",
            unitName: "Phường Thanh Xuân",
            counts: { confidence: 25, no_confidence: 35 },
            invalid: 0,
          },
        ],
        { kind: "confidence_vote", pollTitle: "Bỏ phiếu tín nhiệm Phó Chủ tịch" }
      )
    );
    const text = textOf(pdf);
    expect(text).toContain("Bỏ phiếu tín nhiệm: Bỏ phiếu tín nhiệm Phó Chủ tịch");
    expect(text).toContain("Không tín nhiệm");
    expect(text).toContain("58,33%");
    expect(text).toContain("Đề nghị miễn nhiệm (trên 1/2 không tín nhiệm)");
  });

  it("carries 25 subjects over several pages, repeating the table header on each", async () => {
    const families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng"];
    const givens = ["Thành Đạt", "Thị Hương", "Quốc Việt", "Ngọc Ánh", "Đức Thắng"];
    const subjects: SubjectCounts[] = families.flatMap((family, i) =>
      givens.map((given, j) => ({
        subjectId: i * 5 + j + 1,
        fullName: `${family} ${given}`,
        title: "Phó Chủ tịch Ủy ban nhân dân phường phụ trách văn hóa - xã hội",
        unitName: "Phường Thanh Xuân",
        counts: { high_confidence: 20 + j, confidence: 20, low_confidence: 20 - j },
        invalid: 0,
      }))
    );
    const short = textOf(await renderCountingMinutesPdf(minutesFor(threeSubjects)));
    const text = textOf(await renderCountingMinutesPdf(minutesFor(subjects)));
    const pages = pagesOf(text);

    expect(pages.length).toBeGreaterThan(pagesOf(short).length);
    for (const subject of subjects) expect(text).toContain(subject.fullName);
    const pagesWithRows = pages.filter((page) => subjects.some((subject) => page.includes(subject.fullName)));
    expect(pagesWithRows.length).toBeGreaterThan(1);
    for (const page of pagesWithRows) expect(page).toContain("Họ và tên, chức vụ");
    expect(pages.at(-1)).toContain("Trang " + pages.length + "/" + pages.length);
  });

  it("prints English headings for the English locale", async () => {
    const text = textOf(await renderCountingMinutesPdf(minutesFor(threeSubjects, { locale: "en" })));
    expect(text).toContain("SOCIALIST REPUBLIC OF VIET NAM");
    expect(text).toContain("COUNTING MINUTES");
    expect(text).toContain("V. RESULTS OF THE COUNT");
    expect(text).toContain("Name and position");
    expect(text).toContain("66.67%");
    expect(text).toContain("Dismissal proposed (2/3 or more low confidence)");
    expect(text).toContain("Count: 16:45 on 05/03/2026");
    expect(text).toContain("Đặng Quang Huy");
    expect(text).not.toContain("BIÊN BẢN KIỂM PHIẾU");
  });

  it("prints the residential groups with “< 5” for a small group and for the one that would give it away", async () => {
    const rules = { ...DEFAULT_RULES, k: 5 };
    // 30 + 3 + 27 = the 60 ballots collected: the 3 is under k, and 27 would be 60 − 30 − 3 if it were shown.
    const groups = protectGroups(
      [
        { unitId: 1, name: "Tổ dân phố số 1", issued: 40, handedOut: 38, used: 30 },
        { unitId: 2, name: "Tổ dân phố số 2", issued: 11, handedOut: 10, used: 3 },
        { unitId: 3, name: "Tổ dân phố số 3", issued: 35, handedOut: 31, used: 27 },
      ],
      rules.k
    );
    const minutes = minutesFor(threeSubjects, { rules });
    minutes.tally.groups = groups;
    // Subject 1 per group (high, confidence, low; none blank): the 3 ballots of group 2 carry no group.
    const attributed = new Map([
      [
        1,
        new Map([
          [1, 20],
          [2, 8],
          [3, 2],
        ]),
      ],
      [
        3,
        new Map([
          [1, 18],
          [2, 6],
          [3, 3],
        ]),
      ],
    ]);
    minutes.tally.subjects[0].byGroup = protectSubjectByGroup({
      levels: minutes.tally.levels,
      subject: minutes.tally.subjects[0],
      groups,
      attributed,
      k: rules.k,
    });
    const pdf = await renderCountingMinutesPdf(minutes);
    const text = rawTextOf(pdf);

    expect(text).toContain("Số phiếu thu về theo tổ dân phố");
    expect(text).toContain("Tổ dân phố số 1 40 38 30 78,95%");
    expect(text).toContain("Tổ dân phố số 2 11 10 < 5 —");
    expect(text).toContain("Tổ dân phố số 3 35 31 < 5 —");
    expect(text).not.toMatch(/Tổ dân phố số 2 11 10 3\b/);
    expect(text).not.toMatch(/Tổ dân phố số 3 35 31 27\b/);
    expect(text).toContain("Kết quả từng người theo tổ dân phố");
    expect(text).toContain("1. Nguyễn Văn Thành — Bí thư Đảng ủy phường");
    // Group 2's ballots are not known by group: every cell "< 5". Group 1's 2 low and what would reveal it go too.
    expect(text).toContain("Tổ dân phố số 2 < 5 < 5 < 5 < 5");
    expect(text).toMatch(/Tổ dân phố số 1 (?:\d+|< 5) (?:\d+|< 5) < 5 0/);
    // The layout mode (a reader's copy and paste) shows the marker too, never the small count.
    expect(textOf(pdf)).toMatch(/Tổ dân phố số 2 11 10 <\s?5 —/);
  });
});

/** Subject counts in one channel, for the channel figures of a tally built by hand. */
function channel(counts: SubjectCounts["counts"], invalid: number) {
  return { counts, invalid };
}

/**
 * Online: the 60 ballots of `threeSubjects`, from groups of 30, 3 and 27 (the last two withheld). Paper: groups 1
 * and 3 confirmed (20 issued, 19 collected, 18 valid, 1 invalid each); group 2 entered but not confirmed, so not
 * counted. Group 1's online and paper ballots exceed those present, accepted for a reason; group 2's warnings stand.
 */
function paperMinutes(locale: "vi" | "en" = "vi"): CountingMinutes {
  const rules = { ...DEFAULT_RULES, k: 5 };
  const paperBySubject = [
    channel({ high_confidence: 20, confidence: 12, low_confidence: 3 }, 1),
    channel({ high_confidence: 6, confidence: 10, low_confidence: 19 }, 1),
    channel({ high_confidence: 4, confidence: 8, low_confidence: 22 }, 2),
  ];
  const totals = { collected: 60 + 38, issued: 75 + 40, invalidBallots: 2 };
  const subjects = threeSubjects.map((online, i) => {
    const paper = paperBySubject[i];
    const counts = Object.fromEntries(
      LEVELS.confidence_poll.map((level) => [level, (online.counts[level] ?? 0) + (paper.counts[level] ?? 0)])
    );
    return {
      ...subjectTally("confidence_poll", { ...online, counts, invalid: online.invalid + paper.invalid }, totals, rules),
      byChannel: { online: channel(online.counts, online.invalid), paper },
    };
  });
  const online = [
    { unitId: 1, name: "Tổ dân phố số 1", issued: 40, handedOut: 38, used: 30 },
    { unitId: 2, name: "Tổ dân phố số 2", issued: 11, handedOut: 10, used: 3 },
    { unitId: 3, name: "Tổ dân phố số 3", issued: 35, handedOut: 31, used: 27 },
  ];
  const groups = protectGroups(online, rules.k);
  const paper = [
    { unitId: 1, name: "Tổ dân phố số 1", summoned: 60, present: 45, issued: 20, collected: 19, valid: 18, invalid: 1 },
    { unitId: 2, name: "Tổ dân phố số 2", summoned: 15, present: 9, issued: 8, collected: 8, valid: 8, invalid: 0 },
    { unitId: 3, name: "Tổ dân phố số 3", summoned: 60, present: 50, issued: 20, collected: 19, valid: 18, invalid: 1 },
  ].map((entry) => ({
    ...entry,
    quorumMet: quorumMet(entry.summoned, entry.present, rules.quorum),
    confirmed: entry.unitId !== 2,
  }));
  const warnings = reconcile({
    rules,
    groups: online.map((g, i) => ({ ...g, suppressed: groups[i].suppressed })),
    paper,
    onlineCollected: 60,
  }).map((warning) =>
    warning.id === "overPresent:1"
      ? {
          ...warning,
          acknowledgement: {
            reason: "13 người đã bỏ phiếu trực tuyến tại nhà vì ốm, không có mặt tại hội nghị",
            by: "Lê Thị Mai",
            at: "2026-03-05T10:05:00.000Z",
          },
        }
      : warning
  );
  const minutes = minutesFor(threeSubjects, { rules, locale });
  minutes.tally = {
    ...minutes.tally,
    ballots: {
      collected: 98,
      valid: 96,
      invalid: 2,
      byChannel: { online: { collected: 60, valid: 60, invalid: 0 }, paper: { collected: 38, valid: 36, invalid: 2 } },
    },
    turnoutPercent: 85.22,
    subjects,
    groups: groups.map((g) => ({ ...g, totalCollected: groupTotal(g, g.unitId === 1 ? 19 : g.unitId === 3 ? 19 : 0) })),
    paper,
    warnings,
  };
  return minutes;
}

describe("counting minutes PDF with paper ballots", () => {
  it("prints online, paper and total figures, each meeting's count and every warning with its reason", async () => {
    const minutes = paperMinutes();
    // The withheld group's total is withheld too, though its paper figure is published.
    expect(minutes.tally.groups.map((g) => g.totalCollected)).toEqual([49, null, null]);
    expect(minutes.tally.warnings!.map((w) => w.id)).toEqual([
      "overPresent:1",
      "paperUnconfirmed:2",
      "quorumNotMet:2",
      "overPresent:2",
    ]);
    const pdf = await renderCountingMinutesPdf(minutes);
    const raw = rawTextOf(pdf);
    const text = textOf(pdf);

    // IV: the ballots per channel, paper ballots issued included (online "issued" are the slips handed out).
    expect(raw).toContain("Hình thức Phiếu phát ra Phiếu thu về Hợp lệ Không hợp lệ");
    expect(raw).toContain("Trực tuyến 75 60 60 0 Phiếu giấy 40 38 36 2 Tổng 115 98 96 2");
    expect(raw).not.toContain("Số phiếu thu về: 60");

    // III: each meeting's attendance and ballots; the one not confirmed is listed as not counted.
    expect(raw).toContain("Tổ dân phố số 1 60 45 Đủ 20 19 18 1 Đã xác nhận");
    expect(raw).toContain("Tổ dân phố số 2 15 9 Không đủ 8 8 8 0 Chưa xác nhận (không tính)");
    expect(raw).toContain("Tổ dân phố số 3 60 50 Đủ 20 19 18 1 Đã xác nhận");

    // V: three lines per subject, the percentages (over the 98 ballots of both channels) on the total only.
    expect(text).toContain("Tỷ lệ phần trăm của mỗi mức được tính trên tổng số phiếu thu về (98 phiếu).");
    expect(raw).toContain(
      "1 Nguyễn Văn Thành Bí thư Đảng ủy phường Trực tuyến 40 15 5 0 Phiếu giấy 20 12 3 1 " +
        "Tổng 60 61,22% 27 27,55% 8 8,16% 1 Không"
    );
    expect(raw).toContain(
      "Trực tuyến 10 18 31 1 Phiếu giấy 6 10 19 1 Tổng 16 16,33% 28 28,57% 50 51,02% 2 " +
        "Thuộc diện xem xét (trên 1/2 tín nhiệm thấp)"
    );

    // The groups: paper and total columns, the total withheld ("< 5") wherever the online figure is.
    expect(raw).toContain("Thu về trực tuyến Tỷ lệ Phiếu giấy Tổng phiếu");
    expect(raw).toContain("Tổ dân phố số 1 40 38 30 78,95% 19 49");
    expect(raw).toContain("Tổ dân phố số 2 11 10 < 5 — — < 5");
    expect(raw).toContain("Tổ dân phố số 3 35 31 < 5 — 19 < 5");
    expect(raw).not.toMatch(/\b46\b/);

    // VIII: every warning in words, the accepted one with its reason, who and when; before the signatures.
    expect(text).toContain("VIII. CẢNH BÁO ĐỐI CHIẾU VÀ LÝ DO CHẤP NHẬN");
    expect(text).toContain(
      "1. Tổ dân phố số 1: phiếu trực tuyến (30) cộng phiếu giấy (19) nhiều hơn số người có mặt (45)."
    );
    expect(text).toContain(
      "Lý do chấp nhận: 13 người đã bỏ phiếu trực tuyến tại nhà vì ốm, không có mặt tại hội nghị " +
        "(người ghi nhận: Lê Thị Mai, lúc 17 giờ 05 phút, ngày 05 tháng 3 năm 2026)."
    );
    expect(text).toContain(
      "2. Tổ dân phố số 2: số liệu phiếu giấy chưa được thành viên thứ hai xác nhận nên chưa được tính."
    );
    expect(text).toContain(
      "3. Tổ dân phố số 2: số người có mặt (9/15) không đủ tỷ lệ tối thiểu 2/3 số được triệu tập."
    );
    // Group 2's online ballots are under k: the warning does not quote them.
    expect(text).toContain("4. Tổ dân phố số 2: phiếu trực tuyến cộng phiếu giấy (8) nhiều hơn số người có mặt (9).");
    expect(text.match(/Chưa xử lý: chưa ghi lý do chấp nhận/g)).toHaveLength(3);
    const order = ["VII. KHIẾU NẠI", "VIII. CẢNH BÁO", "Biên bản được lập lúc", "TRƯỞNG BAN KIỂM PHIẾU"];
    const positions = order.map((phrase) => text.indexOf(phrase));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("prints the whole meeting's paper count and an accepted warning in English", async () => {
    const minutes = paperMinutes("en");
    const meeting = {
      unitId: null,
      name: "",
      summoned: 140,
      present: 88,
      issued: 30,
      collected: 28,
      valid: 27,
      invalid: 1,
    };
    const paper = [{ ...meeting, quorumMet: quorumMet(140, 88, DEFAULT_RULES.quorum), confirmed: true }];
    minutes.tally.paper = paper;
    minutes.tally.ballots = {
      collected: 88,
      valid: 87,
      invalid: 1,
      byChannel: { online: { collected: 60, valid: 60, invalid: 0 }, paper: { collected: 28, valid: 27, invalid: 1 } },
    };
    // Counted for the whole meeting: no group has a paper figure of its own.
    minutes.tally.groups = minutes.tally.groups.map((g) => ({ ...g, totalCollected: groupTotal(g, 0) }));
    minutes.tally.warnings = reconcile({ rules: DEFAULT_RULES, groups: [], paper, onlineCollected: 60 }).map(
      (warning) => ({
        ...warning,
        acknowledgement: {
          reason: "Several members were away on duty.",
          by: "Phạm Đức Anh",
          at: "2026-03-05T10:05:00Z",
        },
      })
    );
    expect(minutes.tally.warnings.map((w) => w.id)).toEqual(["quorumNotMet:meeting"]);
    const pdf = await renderCountingMinutesPdf(minutes);
    const raw = rawTextOf(pdf);
    const text = textOf(pdf);

    expect(raw).toContain("Online 75 60 60 0 Paper 30 28 27 1 Total 105 88 87 1");
    expect(raw).toContain("Whole meeting 140 88 Not met 30 28 27 1 Confirmed");
    expect(raw).toContain("Online 40 15 5 0 Paper 20 12 3 1 Total 60 61.22% 27 27.55% 8 8.16% 1");
    expect(raw).toContain("Tổ dân phố số 1 40 38 30 78.95% — 30");
    expect(text).toContain("VIII. RECONCILIATION WARNINGS AND WHY THEY WERE ACCEPTED");
    expect(text).toContain(
      "1. Whole meeting: the people present (88/140) fall short of the quorum of 2/3 of those summoned."
    );
    expect(text).toContain(
      "Reason for accepting: Several members were away on duty. (recorded by Phạm Đức Anh, 17:05 on 05/03/2026)."
    );
    expect(text).not.toContain("Trực tuyến");
  });

  it("says there is no warning when the paper figures reconcile, and reads as before without paper", async () => {
    const minutes = paperMinutes();
    minutes.tally.warnings = [];
    const text = textOf(await renderCountingMinutesPdf(minutes));
    expect(text).toContain("VIII. CẢNH BÁO ĐỐI CHIẾU VÀ LÝ DO CHẤP NHẬN");
    expect(text).toContain("Các số liệu đối chiếu khớp nhau: không có cảnh báo.");

    // An online-only tally as computed today (no paper entry, no warning) prints exactly what an older one does.
    const older = minutesFor(threeSubjects);
    const today = minutesFor(threeSubjects);
    today.tally = { ...today.tally, paper: [], warnings: [] };
    const [before, now] = [
      textOf(await renderCountingMinutesPdf(older)),
      textOf(await renderCountingMinutesPdf(today)),
    ];
    expect(now).toBe(before);
    expect(now).not.toContain("VIII.");
    expect(now).not.toContain("Trực tuyến");
    expect(now).toContain("Số phiếu thu về: 60; phiếu hợp lệ: 58; phiếu không hợp lệ: 2.");
  });
});
