// The slips of a poll on its page: issued / handed out / used / voided per residential group, each batch with its
// handed-out count and voids, the form that issues a batch (its answer is the ZIP download) and the form that
// voids one slip by its code.
import { Form } from "@remix-run/react";
import { useState, type FormEvent } from "react";
import { Field, FormError, useValidatedForm } from "~/components/form";
import type { FieldErrors } from "~/components/forms";
import { formatDateTime } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import { formatCount } from "~/results/rules";
import { refusedFor, type Refused } from "~/units/unit-forms";
import type { PollStatus } from "../../db/schema";
import { handedOutSchema, issueSchema, MAX_ISSUE, voidCodeSchema } from "./polls.schema";

export interface GroupSlips {
  groupId: number;
  name: string;
  issued: number;
  handedOut: number;
  used: number;
  voided: number;
}

export interface BatchView {
  id: number;
  group_id: number;
  group_name: string;
  size: number;
  handed_out: number;
  used: number;
  voided: number;
  created_at: string | Date;
  voided_at: string | Date | null;
  created_by_name: string | null;
}

export interface IssueRefusal {
  errors: FieldErrors;
  values: Record<string, string>;
}

/** A destructive action behind one more click: the summary unfolds a warning and the real button. */
function ConfirmForm({
  summary,
  warning,
  confirm,
  hidden,
}: {
  summary: string;
  warning: string;
  confirm: string;
  hidden: Record<string, string | number>;
}) {
  return (
    <details className="poll-confirm">
      <summary className="button button--danger button--small">{summary}</summary>
      <p className="alert alert--warn">{warning}</p>
      <Form method="post">
        {Object.entries(hidden).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <button type="submit" className="button button--small">
          {confirm}
        </button>
      </Form>
    </details>
  );
}

function HandedOutForm({ batch, refused }: { batch: BatchView; refused?: Refused }) {
  const t = useT();
  const { register, errorFor, onSubmit } = useValidatedForm(handedOutSchema, refused?.errors);
  return (
    <Form method="post" onSubmit={onSubmit} noValidate className="poll-handed-out">
      <input type="hidden" name="intent" value="handedOut" />
      <input type="hidden" value={batch.id} {...register("batchId")} />
      <Field label={t("polls.credentials.handedOutOf", { size: batch.size })} error={errorFor("handedOut")}>
        {(a11y) => (
          <input
            {...a11y}
            {...register("handedOut")}
            inputMode="numeric"
            autoComplete="off"
            defaultValue={refused?.values.handedOut ?? String(batch.handed_out)}
          />
        )}
      </Field>
      <button type="submit" className="button button--secondary button--small">
        {t("common.save")}
      </button>
    </Form>
  );
}

/**
 * Issuing answers with a ZIP, not a page: the form posts natively (no fetch), so the browser downloads the file
 * and the page stays. The zod schema still checks the fields first when scripts run.
 */
function IssueForm({
  pollId,
  groups,
  refusal,
}: {
  pollId: number;
  groups: { groupId: number; name: string }[];
  refusal?: IssueRefusal;
}) {
  const t = useT();
  const locale = useLocale();
  const [sent, setSent] = useState(false);
  const { register, errorFor, form } = useValidatedForm(issueSchema, refusal?.errors);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    if (await form.trigger()) {
      setSent(true);
      target.submit();
    }
  }
  return (
    <form method="post" action={`/polls/${pollId}/credentials`} onSubmit={onSubmit} noValidate>
      <FormError error={refusal?.errors._form} />
      <div className="field-row">
        <Field label={t("polls.credentials.group")} error={errorFor("groupId")}>
          {(a11y) => (
            <select
              {...a11y}
              {...register("groupId")}
              defaultValue={refusal?.values.groupId ?? String(groups[0]?.groupId ?? "")}
            >
              {groups.map((g) => (
                <option key={g.groupId} value={g.groupId}>
                  {g.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label={t("polls.credentials.count")}
          hint={t("polls.credentials.countHint", { max: formatCount(locale, MAX_ISSUE) })}
          error={errorFor("count")}
        >
          {(a11y) => (
            <input
              {...a11y}
              {...register("count")}
              inputMode="numeric"
              autoComplete="off"
              defaultValue={refusal?.values.count ?? ""}
            />
          )}
        </Field>
      </div>
      <p className="alert alert--warn">{t("polls.credentials.onceWarning")}</p>
      {sent ? (
        <p className="alert alert--ok" role="status">
          {t("polls.credentials.sent")}
        </p>
      ) : null}
      <button type="submit" className="button" disabled={sent}>
        {t("polls.credentials.issue")}
      </button>
    </form>
  );
}

function VoidCodeForm({ refused }: { refused?: Refused }) {
  const t = useT();
  const { register, errorFor, onSubmit } = useValidatedForm(voidCodeSchema, refused?.errors);
  return (
    <Form method="post" onSubmit={onSubmit} noValidate>
      <input type="hidden" name="intent" value="voidCode" />
      <Field label={t("polls.credentials.code")} hint={t("polls.credentials.codeHint")} error={errorFor("code")}>
        {(a11y) => (
          <input
            {...a11y}
            {...register("code")}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            defaultValue={refused?.values.code ?? ""}
          />
        )}
      </Field>
      <button type="submit" className="button button--danger">
        {t("polls.credentials.voidCode")}
      </button>
    </Form>
  );
}

export function CredentialsSection({
  pollId,
  status,
  summary,
  batches,
  canManage,
  refused,
  issueRefusal,
}: {
  pollId: number;
  status: PollStatus;
  summary: GroupSlips[];
  batches: BatchView[];
  canManage: boolean;
  refused?: Refused;
  issueRefusal?: IssueRefusal;
}) {
  const t = useT();
  const locale = useLocale();
  const slipsOpen = status === "draft" || status === "open";
  const handedOutOpen = slipsOpen || status === "closed";
  const voidRefused = refused && ["voidBatch", "voidUnhanded"].includes(refused.intent) ? refused : undefined;
  return (
    <section className="card" id="credentials" aria-labelledby="credentials-title">
      <h2 id="credentials-title">{t("polls.credentials.title")}</h2>
      <FormError error={voidRefused?.formError ?? undefined} />
      <div className="table-wrap">
        <table className="poll-slips">
          <thead>
            <tr>
              <th>{t("polls.credentials.group")}</th>
              <th>{t("polls.credentials.issued")}</th>
              <th>{t("polls.credentials.handedOut")}</th>
              <th>{t("polls.credentials.used")}</th>
              <th>{t("polls.credentials.voided")}</th>
              {canManage && slipsOpen ? <th>{t("common.actions")}</th> : null}
            </tr>
          </thead>
          <tbody>
            {summary.map((g) => (
              <tr key={g.groupId}>
                <td>{g.name}</td>
                <td>{g.issued}</td>
                <td>{g.handedOut}</td>
                <td>{g.used}</td>
                <td>{g.voided}</td>
                {canManage && slipsOpen ? (
                  <td>
                    {g.issued > 0 ? (
                      <ConfirmForm
                        summary={t("polls.credentials.voidUnhanded")}
                        warning={t("polls.credentials.voidUnhandedGroupWarning", { group: g.name })}
                        confirm={t("polls.credentials.voidConfirm")}
                        hidden={{ intent: "voidUnhanded", groupId: g.groupId }}
                      />
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {batches.length > 0 ? (
        <>
          <h3>{t("polls.credentials.batches")}</h3>
          <ul className="list-plain poll-batches">
            {batches.map((b) => (
              <li key={b.id} className="poll-batches__item">
                <div>
                  <strong>{t("polls.credentials.batch", { id: b.id, group: b.group_name })}</strong>{" "}
                  {b.voided_at ? (
                    <span className="badge badge--error">{t("polls.credentials.batchVoided")}</span>
                  ) : null}
                  <div className="muted">
                    {t("polls.credentials.batchFacts", {
                      size: b.size,
                      handedOut: b.handed_out,
                      used: b.used,
                      voided: b.voided,
                      time: formatDateTime(locale, b.created_at),
                      by: b.created_by_name ?? t("polls.credentials.byCommandLine"),
                    })}
                  </div>
                </div>
                {canManage && handedOutOpen && !b.voided_at ? (
                  <HandedOutForm batch={b} refused={refusedFor(refused, "handedOut", b.id)} />
                ) : null}
                {canManage && slipsOpen && !b.voided_at ? (
                  <div className="actions">
                    <ConfirmForm
                      summary={t("polls.credentials.voidUnhanded")}
                      warning={t("polls.credentials.voidUnhandedBatchWarning", { handedOut: b.handed_out })}
                      confirm={t("polls.credentials.voidConfirm")}
                      hidden={{ intent: "voidUnhanded", batchId: b.id }}
                    />
                    <ConfirmForm
                      summary={t("polls.credentials.voidBatch")}
                      warning={t("polls.credentials.voidBatchWarning")}
                      confirm={t("polls.credentials.voidConfirm")}
                      hidden={{ intent: "voidBatch", batchId: b.id }}
                    />
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {canManage && slipsOpen ? (
        <div className="grid-2 poll-slip-forms">
          <div>
            <h3>{t("polls.credentials.issueTitle")}</h3>
            <IssueForm pollId={pollId} groups={summary} refusal={issueRefusal} />
          </div>
          <div>
            <h3>{t("polls.credentials.voidCodeTitle")}</h3>
            <VoidCodeForm refused={refusedFor(refused, "voidCode")} />
          </div>
        </div>
      ) : null}
    </section>
  );
}
