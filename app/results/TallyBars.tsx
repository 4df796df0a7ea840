// A subject's result as horizontal bars drawn in HTML and CSS: readable with JavaScript off, printable, and
// spoken as a plain list by a screen reader (the bars themselves are decorative).
// It takes the locale rather than calling useT(), so that it renders outside a Remix route too (tests, exports).
import type { Locale } from "~/i18n/define";
import { translate } from "~/i18n/i18n";
import { flagMessage, formatCount, formatPercent, kindOfLevels, percent } from "./rules";
import { DEFAULT_RULES, type Level, type PollRules, type SubjectTally } from "./tally";

export function TallyBars({
  subject,
  levels,
  locale,
  rules = DEFAULT_RULES,
}: {
  subject: SubjectTally;
  levels: Level[];
  locale: Locale;
  /** The poll's rules: they state the thresholds behind the flags and the denominator. */
  rules?: PollRules;
}) {
  const t = (message: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) =>
    translate(locale, message, params);
  const kind = kindOfLevels(levels);
  const rows: { key: Level | "invalid"; count: number; share: number | null }[] = [
    ...levels.map((level) => ({
      key: level,
      count: subject.counts[level] ?? 0,
      share: subject.percentages[level] ?? percent(subject.counts[level] ?? 0, subject.denominator),
    })),
    {
      key: "invalid" as const,
      count: subject.invalid,
      // Over valid ballots, a share of the invalid ones would mean nothing.
      share: rules.denominator === "valid" ? null : percent(subject.invalid, subject.denominator),
    },
  ];

  return (
    <figure className="tally-bars">
      <figcaption className="tally-bars__caption">
        <span className="tally-bars__name">{subject.fullName}</span>{" "}
        <span className="tally-bars__title">{subject.title}</span>
      </figcaption>
      <ul className="tally-bars__list">
        {rows.map((row) => (
          <li key={row.key} className={`tally-bars__row tally-bars__row--${row.key}`}>
            <span className="tally-bars__label">{t(`results.level.${row.key}`)}</span>
            <span className="tally-bars__value">
              {row.share === null
                ? t("results.bars.valueNoPercent", { count: formatCount(locale, row.count) })
                : t("results.bars.value", {
                    count: formatCount(locale, row.count),
                    percent: formatPercent(locale, row.share),
                  })}
            </span>
            <span className="tally-bars__track" aria-hidden="true">
              <span className="tally-bars__fill" style={{ width: `${Math.min(100, Math.max(0, row.share ?? 0))}%` }} />
            </span>
          </li>
        ))}
      </ul>
      <p className="tally-bars__over">
        {t(`results.bars.over.${rules.denominator}`, { count: formatCount(locale, subject.denominator) })}
      </p>
      {subject.flags.length > 0 ? (
        <p className="tally-bars__flags">
          <span className="visually-hidden">{t("results.bars.flags")}: </span>
          {subject.flags.map((flag) => (
            <span key={flag} className={`badge tally-bars__flag tally-bars__flag--${flag}`}>
              {t(flagMessage(kind, flag, rules))}
            </span>
          ))}
        </p>
      ) : null}
    </figure>
  );
}
