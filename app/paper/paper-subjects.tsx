// The per-subject grid of the paper tally form: for each subject, the ballots at each level and those invalid for
// it, with the row's message (its figures do not add up) under the subject's name.
import type { UseFormRegister, FieldValues } from "react-hook-form";
import type { Message } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import type { Level } from "~/results/tally";
import { subjectField } from "./paper.schema";

export function PaperSubjectsTable({
  subjects,
  levels,
  register,
  errorFor,
  shown,
}: {
  subjects: { id: number; fullName: string; title: string }[];
  levels: Level[];
  register: UseFormRegister<FieldValues>;
  errorFor: (name: string) => Message | undefined;
  /** What the inputs start with: the stored figures, or what a refused post carried. */
  shown: Record<string, string>;
}) {
  const t = useT();
  return (
    <div className="table-wrap">
      <table className="paper-subjects">
        <thead>
          <tr>
            <th>{t("results.minutes.col.subject")}</th>
            {levels.map((level) => (
              <th key={level}>{t(`results.level.${level}`)}</th>
            ))}
            <th>{t("paper.field.subjectInvalid")}</th>
          </tr>
        </thead>
        <tbody>
          {subjects.map((subject, index) => {
            const sumError = errorFor(subjectField(subject.id, 0));
            const levelErrors = levels.map((_, i) => errorFor(subjectField(subject.id, i + 1)));
            const rowError = levelErrors.find(Boolean) ?? sumError;
            const errorId = `paper-subject-${subject.id}-error`;
            const input = (code: number, label: string, error: Message | undefined) => (
              <input
                {...register(subjectField(subject.id, code))}
                aria-label={label}
                aria-invalid={Boolean(error)}
                aria-describedby={rowError ? errorId : undefined}
                inputMode="numeric"
                autoComplete="off"
                size={6}
                defaultValue={shown[subjectField(subject.id, code)] ?? ""}
              />
            );
            return (
              <tr key={subject.id} className={rowError ? "field--invalid" : undefined}>
                <th scope="row">
                  {index + 1}. {subject.fullName}
                  <br />
                  <span className="muted">{subject.title}</span>
                  {rowError ? (
                    <p className="field__error" id={errorId} role="alert">
                      {t(rowError)}
                    </p>
                  ) : null}
                </th>
                {levels.map((level, i) => (
                  <td key={level}>
                    {input(
                      i + 1,
                      t("paper.field.subjectLevel", {
                        name: subject.fullName,
                        level: t(`results.level.${level}`),
                      }),
                      levelErrors[i]
                    )}
                  </td>
                ))}
                <td>
                  {input(
                    0,
                    t("paper.field.subjectLevel", {
                      name: subject.fullName,
                      level: t("paper.field.subjectInvalid"),
                    }),
                    sumError
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
