import { Form, useNavigation } from "@remix-run/react";
import { useMemo } from "react";
import { useCheckedForm } from "~/components/checked-form";
import type { Message } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import { LEVELS } from "~/results/tally";
import { ballotSchema, BLANK, levelValue, subjectField } from "./ballot.schema";
import type { OpenBallotView } from "./ballot.server";
import { ErrorSummary, PageHeading, PollHeader, type SummaryItem } from "./ballot-ui";

function subjectAnchor(subjectId: number) {
  return `subject-${subjectId}`;
}

function useBallotForm(view: OpenBallotView, mode: "ballot" | "carried") {
  const { kind } = view.poll;
  const ids = view.subjects.map((s) => s.id).join(",");
  const schema = useMemo(() => ballotSchema({ kind, subjectIds: ids.split(",").map(Number), mode }), [kind, ids, mode]);
  return useCheckedForm(schema, view.errors);
}

/** Step 1: one fieldset per subject, one large radio button per level; nothing else to fill in. */
export function BallotForm({ view }: { view: OpenBallotView }) {
  const t = useT();
  const navigation = useNavigation();
  const { register, errorFor, onSubmit } = useBallotForm(view, "ballot");
  const levels = LEVELS[view.poll.kind];
  const summary: SummaryItem[] = [];
  if (view.errors._form) summary.push({ message: view.errors._form });
  for (const s of view.subjects) {
    const error = errorFor(subjectField(s.id));
    if (error) summary.push({ message: error, href: `#${subjectAnchor(s.id)}` });
  }
  return (
    <>
      <p className="ballot-step">{t("ballots.step.choose")}</p>
      <PageHeading>{t("ballots.ballot.title")}</PageHeading>
      <PollHeader poll={view.poll} />
      <ErrorSummary items={summary} />
      <p>{t("ballots.ballot.intro")}</p>
      <p className="ballot-secret">{t("ballots.ballot.secret")}</p>
      <Form method="post" onSubmit={onSubmit} noValidate autoComplete="off" className="ballot-form">
        {view.subjects.map((s) => {
          const name = subjectField(s.id);
          const error = errorFor(name);
          return (
            <fieldset
              key={s.id}
              id={subjectAnchor(s.id)}
              className={error ? "ballot-subject ballot-subject--invalid" : "ballot-subject"}
              aria-describedby={error ? `${subjectAnchor(s.id)}-error` : undefined}
            >
              <legend className="ballot-subject__legend">
                <span className="ballot-subject__name">{s.fullName}</span>{" "}
                <span className="ballot-subject__position">
                  {t("ballots.subject.position", { title: s.title, unit: s.unitName })}
                </span>
              </legend>
              {error ? (
                <p className="field__error" id={`${subjectAnchor(s.id)}-error`}>
                  {t(error)}
                </p>
              ) : null}
              <div className="ballot-choices">
                {levels.map((level, i) => (
                  <label key={level} className={`ballot-choice ballot-choice--${level}`}>
                    <input
                      type="radio"
                      {...register(name)}
                      value={levelValue(i)}
                      defaultChecked={view.choices[name] === levelValue(i)}
                    />
                    <span>{t(`ballots.level.${level}`)}</span>
                  </label>
                ))}
              </div>
            </fieldset>
          );
        })}
        <button
          type="submit"
          name="intent"
          value="review"
          className="button button--block button--large"
          disabled={navigation.state === "submitting"}
        >
          {t("ballots.ballot.review")}
        </button>
      </Form>
    </>
  );
}

/** Step 2: the choices read back, blanks flagged; they travel in hidden fields until "Gửi phiếu". */
export function ReviewForm({ view }: { view: OpenBallotView }) {
  const t = useT();
  const navigation = useNavigation();
  const { register, onSubmit } = useBallotForm(view, "carried");
  const levels = LEVELS[view.poll.kind];
  const sending = navigation.state === "submitting" && navigation.formData?.get("intent") === "cast";
  const blanks = view.subjects.filter((s) => (view.choices[subjectField(s.id)] ?? BLANK) === BLANK).length;
  const levelLabel = (value: string): Message | string => {
    const level = levels[Number(value) - 1];
    return level ? `ballots.level.${level}` : "ballots.level.blank";
  };
  return (
    <>
      <p className="ballot-step">{t("ballots.step.review")}</p>
      <PageHeading>{t("ballots.review.title")}</PageHeading>
      <PollHeader poll={view.poll} />
      <p>{t("ballots.review.intro")}</p>
      {blanks > 0 ? (
        <div className="alert alert--warn" role="status">
          {t("ballots.review.blankSummary", { count: blanks })}
        </div>
      ) : null}
      <Form method="post" onSubmit={onSubmit} noValidate autoComplete="off" className="ballot-form">
        <ol className="ballot-review">
          {view.subjects.map((s) => {
            const name = subjectField(s.id);
            const value = view.choices[name] ?? BLANK;
            const blank = value === BLANK;
            return (
              <li
                key={s.id}
                className={blank ? "ballot-review__item ballot-review__item--blank" : "ballot-review__item"}
              >
                <span className="ballot-subject__name">{s.fullName}</span>
                <span className="ballot-subject__position">
                  {t("ballots.subject.position", { title: s.title, unit: s.unitName })}
                </span>
                {blank ? (
                  <span className="ballot-review__choice ballot-review__warning">{t("ballots.review.blank")}</span>
                ) : (
                  <span className="ballot-review__choice">{t(levelLabel(value))}</span>
                )}
                <input type="hidden" {...register(name)} defaultValue={value} />
              </li>
            );
          })}
        </ol>
        <div className="ballot-actions">
          <button
            type="submit"
            name="intent"
            value="cast"
            className="button button--block button--large"
            disabled={navigation.state === "submitting"}
          >
            {sending ? t("ballots.review.sending") : t("ballots.review.cast")}
          </button>
          <button
            type="submit"
            name="intent"
            value="edit"
            className="button button--secondary button--block"
            disabled={navigation.state === "submitting"}
          >
            {t("ballots.review.edit")}
          </button>
        </div>
      </Form>
    </>
  );
}
