import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { subjectTally } from "./rules";
import { TallyBars } from "./TallyBars";
import { DEFAULT_RULES, LEVELS } from "./tally";

const subject = subjectTally(
  "confidence_poll",
  {
    subjectId: 3,
    fullName: "Đặng Quang Huy",
    title: "Tổ trưởng tổ dân phố số 5",
    unitName: "Tổ dân phố số 5",
    counts: { high_confidence: 5, confidence: 14, low_confidence: 40 },
    invalid: 1,
  },
  { collected: 60, issued: 80 },
  DEFAULT_RULES
);

/** The markup as text, tags removed, as a screen reader would read it out. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

describe("TallyBars", () => {
  it("lists each level with its count and percentage, and the flag as a badge", () => {
    const html = renderToStaticMarkup(
      <TallyBars subject={subject} levels={LEVELS.confidence_poll} locale="vi" rules={DEFAULT_RULES} />
    );
    const text = textOf(html);
    expect(text).toContain("Đặng Quang Huy");
    expect(text).toContain("Tín nhiệm cao 5 phiếu (8,33%)");
    expect(text).toContain("Tín nhiệm 14 phiếu (23,33%)");
    expect(text).toContain("Tín nhiệm thấp 40 phiếu (66,67%)");
    expect(text).toContain("Không hợp lệ / để trống 1 phiếu (1,67%)");
    expect(text).toContain("Tỷ lệ tính trên 60 phiếu thu về.");
    expect(html).toMatch(
      /class="badge [^"]*tally-bars__flag--dismissal"[^>]*>Đề nghị miễn nhiệm \(từ 2\/3 tín nhiệm thấp trở lên\)</
    );
    // The bars are drawn to scale and hidden from assistive technology.
    expect(html).toContain('aria-hidden="true"');
    expect(html).toContain("width:66.67%");
    expect(html).not.toContain("<script");
  });

  it("speaks English, and shows no badge when no rule is triggered", () => {
    const calm = { ...subject, counts: { high_confidence: 40, confidence: 14, low_confidence: 5 }, flags: [] };
    calm.percentages = { high_confidence: 66.67, confidence: 23.33, low_confidence: 8.33 };
    const text = textOf(renderToStaticMarkup(<TallyBars subject={calm} levels={LEVELS.confidence_poll} locale="en" />));
    expect(text).toContain("High confidence 40 (66.67%)");
    expect(text).toContain("Low confidence 5 (8.33%)");
    expect(text).toContain("Invalid / left blank 1 (1.67%)");
    expect(text).toContain("Percentages of the 60 ballots collected.");
    expect(text).not.toContain("Dismissal");
  });

  it("gives no share for invalid ballots when percentages are over valid ones", () => {
    const rules = { ...DEFAULT_RULES, denominator: "valid" as const };
    const overValid = subjectTally(
      "confidence_vote",
      {
        subjectId: 4,
        fullName: "Nguyễn Văn Thành",
        title: "Chủ tịch",
        unitName: "Phường Thanh Xuân",
        counts: { confidence: 20, no_confidence: 30 },
        invalid: 10,
      },
      { collected: 60, issued: 80 },
      rules
    );
    const text = textOf(
      renderToStaticMarkup(<TallyBars subject={overValid} levels={LEVELS.confidence_vote} locale="vi" rules={rules} />)
    );
    expect(text).toContain("Không tín nhiệm 30 phiếu (60%)");
    expect(text).toContain("Không hợp lệ / để trống 10 phiếu");
    expect(text).not.toContain("10 phiếu (");
    expect(text).toContain("Tỷ lệ tính trên 50 phiếu hợp lệ đối với người này.");
    expect(text).toContain("Đề nghị miễn nhiệm (trên 1/2 không tín nhiệm)");
  });
});
