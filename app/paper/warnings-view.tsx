// The reconciliation warnings on the results page: each in words, with its acknowledgement or, while it blocks
// publication, a form for the written reason it is accepted for.
import { Form } from "@remix-run/react";
import { Field, FormError } from "~/components/form";
import { formatDateTime, type Message } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import { warningMessage } from "~/results/reconcile";
import type { PollRules, TallyWarning } from "~/results/tally";
import { WARNING_REASON_MAX } from "./paper.schema";

export interface AckRefusal {
  warningId: string;
  formError: Message;
  reason: string;
}

export function WarningsSection({
  warnings,
  fingerprints,
  rules,
  canAcknowledge,
  refused,
}: {
  warnings: TallyWarning[];
  /** Per warning id, the fingerprint the acknowledgement is bound to. */
  fingerprints: Record<string, string>;
  rules: Pick<PollRules, "quorum">;
  canAcknowledge: boolean;
  refused?: AckRefusal | null;
}) {
  const t = useT();
  const locale = useLocale();
  const open = warnings.filter((w) => !w.acknowledgement).length;
  return (
    <section className="card" aria-labelledby="warnings-title">
      <h2 id="warnings-title">{t("paper.warnings.title")}</h2>
      {warnings.length === 0 ? (
        <p className="alert alert--ok">{t("paper.warnings.none")}</p>
      ) : (
        <>
          {open > 0 ? <p className="muted">{t("paper.warnings.hint")}</p> : null}
          <ul className="list-plain paper-warnings">
            {warnings.map((w) => (
              <li key={w.id} className={w.acknowledgement ? "paper-warning" : "paper-warning paper-warning--open"}>
                <p className={w.acknowledgement ? "" : "alert alert--warn"}>
                  {t(warningMessage(w, rules, t("paper.meeting")))}
                </p>
                {w.acknowledgement ? (
                  <p className="muted">
                    {t("paper.warnings.acknowledged", {
                      reason: w.acknowledgement.reason,
                      by: w.acknowledgement.by,
                      time: formatDateTime(locale, w.acknowledgement.at),
                    })}
                  </p>
                ) : canAcknowledge ? (
                  <Form method="post" className="paper-ack">
                    {refused?.warningId === w.id ? <FormError error={refused.formError} /> : null}
                    <input type="hidden" name="intent" value="acknowledge" />
                    <input type="hidden" name="warningId" value={w.id} />
                    <input type="hidden" name="fingerprint" value={fingerprints[w.id] ?? ""} />
                    <Field label={t("paper.warnings.reason")}>
                      {(a11y) => (
                        <textarea
                          {...a11y}
                          name="reason"
                          rows={2}
                          maxLength={WARNING_REASON_MAX}
                          defaultValue={refused?.warningId === w.id ? refused.reason : ""}
                        />
                      )}
                    </Field>
                    <button type="submit" className="button button--secondary">
                      {t("paper.warnings.acknowledge")}
                    </button>
                  </Form>
                ) : (
                  <p className="muted">{t("paper.warnings.open")}</p>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
