import { describe, expect, it } from "vitest";
import { translate } from "~/i18n/i18n";
import {
  denominatorFor,
  flagMessage,
  flagsFor,
  formatFraction,
  formatPercent,
  percent,
  quorumMet,
  subjectTally,
  toFraction,
} from "./rules";
import { DEFAULT_RULES } from "./tally";

const poll = (low: number, denominator: number) =>
  flagsFor(
    "confidence_poll",
    { high_confidence: 0, confidence: denominator - low, low_confidence: low },
    denominator,
    DEFAULT_RULES
  );
const vote = (no: number, denominator: number) =>
  flagsFor("confidence_vote", { confidence: denominator - no, no_confidence: no }, denominator, DEFAULT_RULES);

describe("flags at the exact thresholds of QĐ 96", () => {
  it("flags dismissal at exactly 2/3 low confidence", () => {
    expect(poll(2, 3)).toEqual(["dismissal"]);
    expect(poll(200, 300)).toEqual(["dismissal"]);
    expect(poll(2_000_000, 3_000_000)).toEqual(["dismissal"]);
  });

  it("does not flag exactly 1/2 low confidence for review", () => {
    expect(poll(1, 2)).toEqual([]);
    expect(poll(50, 100)).toEqual([]);
  });

  it("flags review above 1/2 and below 2/3, dismissal from 2/3", () => {
    expect(poll(51, 100)).toEqual(["review"]);
    expect(poll(66, 100)).toEqual(["review"]);
    expect(poll(67, 100)).toEqual(["dismissal"]);
    expect(poll(100, 100)).toEqual(["dismissal"]);
    expect(poll(0, 100)).toEqual([]);
  });

  it("flags a confidence vote for dismissal only above 1/2 no confidence", () => {
    expect(vote(50, 100)).toEqual([]);
    expect(vote(51, 100)).toEqual(["dismissal"]);
    expect(vote(1, 2)).toEqual([]);
    expect(vote(2, 3)).toEqual(["dismissal"]);
  });

  it("raises no flag and no percentage when there is nothing to divide by", () => {
    expect(poll(0, 0)).toEqual([]);
    expect(vote(0, 0)).toEqual([]);
    expect(percent(0, 0)).toBe(0);
    expect(percent(5, 0)).toBe(0);
  });

  it("uses the poll's own thresholds, compared exactly", () => {
    const rules = { ...DEFAULT_RULES, reviewAbove: 0.4, dismissalAtLeast: 0.1 + 0.2 + 0.4 };
    expect(flagsFor("confidence_poll", { low_confidence: 40 }, 100, rules)).toEqual([]);
    expect(flagsFor("confidence_poll", { low_confidence: 41 }, 100, rules)).toEqual(["review"]);
    // 0.1 + 0.2 + 0.4 is 0.7000000000000001 in floating point: 7 of 10 must still reach 7/10.
    expect(flagsFor("confidence_poll", { low_confidence: 7 }, 10, rules)).toEqual(["dismissal"]);
  });
});

describe("thresholds as exact fractions", () => {
  it("reads stored numbers back as the fractions they stand for", () => {
    expect(toFraction(1 / 2)).toEqual({ num: 1, den: 2 });
    expect(toFraction(2 / 3)).toEqual({ num: 2, den: 3 });
    expect(toFraction(0.8)).toEqual({ num: 4, den: 5 });
    expect(toFraction(0.505)).toEqual({ num: 101, den: 200 });
    expect(toFraction(0.6667)).toEqual({ num: 6667, den: 10_000 });
    expect(toFraction(0.1 + 0.2)).toEqual({ num: 3, den: 10 });
    expect(toFraction(0)).toEqual({ num: 0, den: 1 });
    expect(toFraction(1)).toEqual({ num: 1, den: 1 });
    expect(formatFraction(2 / 3)).toBe("2/3");
  });

  it("refuses a threshold that is not a number", () => {
    expect(() => toFraction(Number.NaN)).toThrow(RangeError);
    expect(() => toFraction(-0.5)).toThrow(RangeError);
  });
});

describe("percentages", () => {
  it("round half up to two decimals", () => {
    expect(percent(1, 3)).toBe(33.33);
    expect(percent(2, 3)).toBe(66.67);
    expect(percent(1, 6)).toBe(16.67);
    expect(percent(1, 8)).toBe(12.5);
    expect(percent(1, 32)).toBe(3.13);
    expect(percent(1, 4)).toBe(25);
    expect(percent(100, 100)).toBe(100);
    expect(percent(0, 7)).toBe(0);
    expect(percent(12_345, 1_000_000)).toBe(1.23);
    expect(percent(12_355, 1_000_000)).toBe(1.24);
  });

  it("print with a decimal comma in Vietnamese", () => {
    expect(formatPercent("vi", 66.67)).toBe("66,67%");
    expect(formatPercent("en", 66.67)).toBe("66.67%");
    expect(formatPercent("vi", 20)).toBe("20%");
  });
});

describe("denominators", () => {
  const counts = { collected: 90, valid: 84, issued: 120 };
  it("takes ballots collected, valid or issued as the rules say", () => {
    expect(denominatorFor("collected", counts)).toBe(90);
    expect(denominatorFor("valid", counts)).toBe(84);
    expect(denominatorFor("issued", counts)).toBe(120);
  });

  it("counts a blank left for one subject as invalid for that subject only", () => {
    const totals = { collected: 90, issued: 120 };
    const subject = {
      subjectId: 1,
      fullName: "Nguyễn Văn Thành",
      title: "Chủ tịch",
      unitName: "Phường Thanh Xuân",
      counts: { high_confidence: 20, confidence: 10, low_confidence: 54 },
      invalid: 6,
    };

    const overValid = subjectTally("confidence_poll", subject, totals, { ...DEFAULT_RULES, denominator: "valid" });
    expect(overValid.denominator).toBe(84);
    expect(overValid.percentages.low_confidence).toBe(64.29);
    expect(overValid.flags).toEqual(["review"]);

    const overCollected = subjectTally("confidence_poll", subject, totals, DEFAULT_RULES);
    expect(overCollected.denominator).toBe(90);
    expect(overCollected.percentages.low_confidence).toBe(60);
    expect(overCollected.flags).toEqual(["review"]);

    const overIssued = subjectTally("confidence_poll", subject, totals, { ...DEFAULT_RULES, denominator: "issued" });
    expect(overIssued.denominator).toBe(120);
    expect(overIssued.percentages.low_confidence).toBe(45);
    expect(overIssued.flags).toEqual([]);
  });
});

describe("quorum", () => {
  it("is met at exactly 2/3 of those summoned", () => {
    expect(quorumMet(3, 2, DEFAULT_RULES.quorum)).toBe(true);
    expect(quorumMet(90, 60, DEFAULT_RULES.quorum)).toBe(true);
    expect(quorumMet(90, 59, DEFAULT_RULES.quorum)).toBe(false);
    expect(quorumMet(2, 1, DEFAULT_RULES.quorum)).toBe(false);
  });

  it("is unknown when nobody recorded who was summoned", () => {
    expect(quorumMet(null, 40, DEFAULT_RULES.quorum)).toBeNull();
    expect(quorumMet(0, 0, DEFAULT_RULES.quorum)).toBeNull();
    expect(quorumMet(40, null, DEFAULT_RULES.quorum)).toBeNull();
  });
});

describe("a subject's tally", () => {
  it("fills every level of the poll's kind, with percentages and flags", () => {
    const tally = subjectTally(
      "confidence_vote",
      {
        subjectId: 7,
        fullName: "Đặng Quang Huy",
        title: "Tổ trưởng",
        unitName: "Tổ dân phố số 5",
        counts: { no_confidence: 51 },
        invalid: 0,
      },
      { collected: 100, issued: 100 },
      DEFAULT_RULES
    );
    expect(tally.counts).toEqual({ confidence: 0, no_confidence: 51 });
    expect(tally.percentages).toEqual({ confidence: 0, no_confidence: 51 });
    expect(tally.flags).toEqual(["dismissal"]);
    expect(tally.fullName).toBe("Đặng Quang Huy");
  });

  it("states each flag in words with the poll's threshold", () => {
    expect(translate("vi", flagMessage("confidence_poll", "review", DEFAULT_RULES))).toBe(
      "Thuộc diện xem xét (trên 1/2 tín nhiệm thấp)"
    );
    expect(translate("vi", flagMessage("confidence_poll", "dismissal", DEFAULT_RULES))).toBe(
      "Đề nghị miễn nhiệm (từ 2/3 tín nhiệm thấp trở lên)"
    );
    expect(translate("vi", flagMessage("confidence_vote", "dismissal", DEFAULT_RULES))).toBe(
      "Đề nghị miễn nhiệm (trên 1/2 không tín nhiệm)"
    );
    expect(translate("en", flagMessage("confidence_poll", "dismissal", DEFAULT_RULES))).toBe(
      "Dismissal proposed (2/3 or more low confidence)"
    );
  });
});
