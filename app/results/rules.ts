// The rules of a poll as pure functions: percentages, flags, denominators and quorum. Every threshold is compared
// in exact integer arithmetic, because a subject at exactly 2/3 low confidence must be flagged for dismissal and
// one at exactly 1/2 must not be flagged for review; a rounded percentage or a threshold computed in floating point
// (0.1 + 0.2 + 0.4 is not 0.7) can land on the wrong side.
import type { Locale, Message } from "~/i18n/i18n";
import {
  LEVELS,
  type Denominator,
  type Flag,
  type Level,
  type PollKind,
  type PollRules,
  type SubjectTally,
} from "./tally";

/** A non-negative fraction num/den in lowest terms. */
export interface Fraction {
  num: number;
  den: number;
}

/** Rules hold fractions that officers pick (1/2, 2/3, 3/4, 50%, 66.5%...): every one has a small denominator. */
const MAX_EXACT_DENOMINATOR = 10_000;
/** Anything else is rounded to the nearest millionth, which no realistic poll can tell apart. */
const FALLBACK_DENOMINATOR = 1_000_000;

/**
 * The exact fraction a threshold stands for. Thresholds are stored as numbers (2/3 is 0.6666666666666666), so the
 * smallest denominator up to 10,000 whose fraction lies within a rounding error of the number is taken: 1/2, 2/3,
 * 4/5, 0.505 (101/200) and any percentage with two decimals come back exact. Two such fractions differ by at least
 * 1/10^8, far more than the tolerance, so the match is never ambiguous.
 */
export function toFraction(value: number): Fraction {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`A threshold must be a number ≥ 0, got ${value}`);
  const whole = Math.floor(value);
  const part = value - whole;
  const tolerance = 1e-10 * Math.max(1, value);
  for (let den = 1; den <= MAX_EXACT_DENOMINATOR; den++) {
    const num = Math.round(part * den);
    if (Math.abs(part - num / den) <= tolerance) return { num: whole * den + num, den };
  }
  const num = Math.round(value * FALLBACK_DENOMINATOR);
  const divisor = gcd(num, FALLBACK_DENOMINATOR);
  return { num: num / divisor, den: FALLBACK_DENOMINATOR / divisor };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** "1/2", "2/3": how the minutes and the results page state a threshold. */
export function formatFraction(value: number): string {
  const { num, den } = toFraction(value);
  return den === 1 ? String(num) : `${num}/${den}`;
}

/** count/denominator > threshold, exactly. */
function above(count: number, denominator: number, threshold: Fraction): boolean {
  return count * threshold.den > denominator * threshold.num;
}

/** count/denominator ≥ threshold, exactly. */
function atLeast(count: number, denominator: number, threshold: Fraction): boolean {
  return count * threshold.den >= denominator * threshold.num;
}

/**
 * Percent of the denominator, rounded half up to 2 decimals in integer arithmetic (as SQL's round() does); 0 when
 * there is nothing to divide. It exceeds 100 only when the figures do not reconcile (more ballots than issued),
 * which is shown rather than hidden.
 */
export function percent(count: number, denominator: number): number {
  if (!(denominator > 0) || !(count > 0)) return 0;
  // round(count * 100 / denominator, 2) = floor((count * 10000 * 2 + denominator) / (2 * denominator)) / 100
  return Math.floor((count * 20_000 + denominator) / (2 * denominator)) / 100;
}

/** The flags a subject's counts raise under the poll's rules. No denominator, no flag. */
export function flagsFor(
  kind: PollKind,
  counts: Partial<Record<Level, number>>,
  denominator: number,
  rules: Pick<PollRules, "reviewAbove" | "dismissalAtLeast" | "noConfidenceAbove">
): Flag[] {
  if (!(denominator > 0)) return [];
  if (kind === "confidence_vote") {
    return above(counts.no_confidence ?? 0, denominator, toFraction(rules.noConfidenceAbove)) ? ["dismissal"] : [];
  }
  const low = counts.low_confidence ?? 0;
  if (atLeast(low, denominator, toFraction(rules.dismissalAtLeast))) return ["dismissal"];
  if (above(low, denominator, toFraction(rules.reviewAbove))) return ["review"];
  return [];
}

export interface DenominatorCounts {
  /** Ballots collected (every ballot in the count). */
  collected: number;
  /** Ballots valid for this subject: collected minus those left blank or spoiled for the subject. */
  valid: number;
  /** Ballots (slips) issued. */
  issued: number;
}

/** The number a subject's percentages are taken over, as the poll's rules choose it. */
export function denominatorFor(denominator: Denominator, counts: DenominatorCounts): number {
  switch (denominator) {
    case "collected":
      return counts.collected;
    case "valid":
      return counts.valid;
    case "issued":
      return counts.issued;
  }
}

/**
 * Whether those present reach the quorum of those summoned, exactly (2 of 3 meets 2/3). Null when the number
 * summoned is not known (an online poll with no meeting) or zero, or when nobody recorded who was present.
 */
export function quorumMet(summoned: number | null, present: number | null, quorum: number): boolean | null {
  if (summoned == null || present == null || !(summoned > 0)) return null;
  return atLeast(present, summoned, toFraction(quorum));
}

export interface SubjectCounts {
  subjectId: number;
  fullName: string;
  title: string;
  unitName: string;
  /** Ballots that marked each level for this subject; a missing level counts as 0. */
  counts: Partial<Record<Level, number>>;
  /** Ballots left blank or spoiled for this subject. */
  invalid: number;
}

/** A subject's tally from its raw counts and the poll's totals. */
export function subjectTally(
  kind: PollKind,
  subject: SubjectCounts,
  /** `invalidBallots`: paper ballots invalid as a whole, collected but valid for no subject. */
  totals: { collected: number; issued: number; invalidBallots?: number },
  rules: PollRules
): SubjectTally {
  const levels = LEVELS[kind];
  const counts: Partial<Record<Level, number>> = {};
  for (const level of levels) counts[level] = subject.counts[level] ?? 0;
  const denominator = denominatorFor(rules.denominator, {
    collected: totals.collected,
    valid: totals.collected - (totals.invalidBallots ?? 0) - subject.invalid,
    issued: totals.issued,
  });
  const percentages: Partial<Record<Level, number>> = {};
  for (const level of levels) percentages[level] = percent(counts[level] ?? 0, denominator);
  return {
    subjectId: subject.subjectId,
    fullName: subject.fullName,
    title: subject.title,
    unitName: subject.unitName,
    counts,
    invalid: subject.invalid,
    denominator,
    percentages,
    flags: flagsFor(kind, counts, denominator, rules),
  };
}

/** The flag in words, with the threshold the poll's rules set ("Đề nghị miễn nhiệm (từ 2/3 tín nhiệm thấp trở lên)"). */
export function flagMessage(kind: PollKind, flag: Flag, rules: PollRules): Message {
  if (flag === "review") {
    return { key: "results.flag.review.rule", params: { threshold: formatFraction(rules.reviewAbove) } };
  }
  if (kind === "confidence_vote") {
    return { key: "results.flag.dismissal.vote.rule", params: { threshold: formatFraction(rules.noConfidenceAbove) } };
  }
  return { key: "results.flag.dismissal.poll.rule", params: { threshold: formatFraction(rules.dismissalAtLeast) } };
}

/** The kind a list of levels belongs to. */
export function kindOfLevels(levels: Level[]): PollKind {
  return levels.includes("no_confidence") ? "confidence_vote" : "confidence_poll";
}

const numberLocale: Record<Locale, string> = { vi: "vi-VN", en: "en-GB" };

/** 1.234 in Vietnamese, 1,234 in English. */
export function formatCount(locale: Locale, value: number): string {
  return new Intl.NumberFormat(numberLocale[locale], { maximumFractionDigits: 0 }).format(value);
}

/** 66,67% in Vietnamese (a decimal comma, as official records write it), 66.67% in English. */
export function formatPercent(locale: Locale, value: number): string {
  return `${new Intl.NumberFormat(numberLocale[locale], { maximumFractionDigits: 2, useGrouping: false }).format(
    value
  )}%`;
}
