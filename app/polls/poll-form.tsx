// The form that creates a poll and edits a draft. Plain named inputs (checkboxes, text, selects, datetime-local),
// so it posts without JavaScript; with it, the same zod schema checks every field as the officer types.
import { Form, useNavigation } from "@remix-run/react";
import type { FieldValues, UseFormRegister } from "react-hook-form";
import { Field, FormError, useValidatedForm } from "~/components/form";
import type { FieldErrors } from "~/components/forms";
import type { Message } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import { COMMITTEE_ROWS, K_MAX, K_MIN, pollSchema } from "./polls.schema";

export interface PollFormOptions {
  unit: { id: number; name: string; kind: string };
  positions: { id: number; full_name: string; title: string; unit_name: string }[];
  groups: { id: number; name: string }[];
  /** The unit's counting members: the accounts a committee row may name to hold a key share. */
  countingMembers: { id: number; full_name: string }[];
}

export interface PollFormRefusal {
  errors: FieldErrors;
  formError?: Message | null;
  values: Record<string, string>;
}

type ErrorFor = (name: string) => Message | undefined;

function Choices({
  legend,
  name,
  items,
  checked,
  error,
  register,
  empty,
}: {
  legend: string;
  name: string;
  items: { id: number; label: string; detail?: string }[];
  checked: string[];
  error?: Message;
  register: UseFormRegister<FieldValues>;
  empty: string;
}) {
  const t = useT();
  const errorId = `${name}-error`;
  return (
    <fieldset
      className={error ? "poll-choices field--invalid" : "poll-choices"}
      aria-describedby={error ? errorId : undefined}
    >
      <legend>{legend}</legend>
      {items.length === 0 ? <p className="muted">{empty}</p> : null}
      {items.map((item) => (
        <label key={item.id} className="poll-choices__option">
          <input
            type="checkbox"
            value={String(item.id)}
            defaultChecked={checked.includes(String(item.id))}
            aria-invalid={Boolean(error)}
            {...register(name)}
          />
          <span>
            {item.label}
            {item.detail ? <span className="muted"> — {item.detail}</span> : null}
          </span>
        </label>
      ))}
      {error ? (
        <p className="field__error" id={errorId} role="alert">
          {t(error)}
        </p>
      ) : null}
    </fieldset>
  );
}

function TextField({
  name,
  label,
  hint,
  errorFor,
  register,
  values,
  type = "text",
  inputMode,
}: {
  name: string;
  label: string;
  hint?: string;
  errorFor: ErrorFor;
  register: UseFormRegister<FieldValues>;
  values: Record<string, string>;
  type?: string;
  inputMode?: "numeric" | "decimal" | "text";
}) {
  return (
    <Field label={label} hint={hint} error={errorFor(name)}>
      {(a11y) => (
        <input
          {...a11y}
          {...register(name)}
          type={type}
          inputMode={inputMode}
          autoComplete="off"
          defaultValue={values[name] ?? ""}
        />
      )}
    </Field>
  );
}

function CommitteeRows({
  errorFor,
  register,
  values,
  accounts,
}: {
  errorFor: ErrorFor;
  register: UseFormRegister<FieldValues>;
  values: Record<string, string>;
  accounts: PollFormOptions["countingMembers"];
}) {
  const t = useT();
  return (
    <fieldset className="poll-committee">
      <legend>{t("polls.form.committee")}</legend>
      <p className="field__hint">{t("polls.form.committeeHint")}</p>
      {Array.from({ length: COMMITTEE_ROWS }, (_, i) => i + 1).map((row) => (
        <div key={row} className="field-row">
          <TextField
            name={`memberName${row}`}
            label={t("polls.form.memberName", { row })}
            errorFor={errorFor}
            register={register}
            values={values}
          />
          <TextField
            name={`memberRole${row}`}
            label={t("polls.form.memberRole", { row })}
            hint={row === 1 ? t("polls.form.memberRoleHint") : undefined}
            errorFor={errorFor}
            register={register}
            values={values}
          />
          <Field label={t("polls.keyMode.memberUser")} error={errorFor(`memberUser${row}`)}>
            {(a11y) => (
              <select {...a11y} {...register(`memberUser${row}`)} defaultValue={values[`memberUser${row}`] ?? ""}>
                <option value="">{t("polls.keyMode.noAccount")}</option>
                {accounts.map((a) => (
                  <option key={a.id} value={String(a.id)}>
                    {a.full_name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
      ))}
    </fieldset>
  );
}

/** Who holds the poll's key: the server (the default) or the counting committee, k of n. */
function KeyModeChoice({
  errorFor,
  register,
  values,
  accounts,
}: {
  errorFor: ErrorFor;
  register: UseFormRegister<FieldValues>;
  values: Record<string, string>;
  accounts: PollFormOptions["countingMembers"];
}) {
  const t = useT();
  const mode = values.keyMode === "committee" ? "committee" : "server";
  return (
    <fieldset className="poll-key-mode">
      <legend>{t("polls.keyMode.legend")}</legend>
      <label className="poll-choices__option">
        <input type="radio" value="server" defaultChecked={mode === "server"} {...register("keyMode")} />
        <span>
          {t("polls.keyMode.server")}
          <span className="muted"> — {t("polls.keyMode.serverHint")}</span>
        </span>
      </label>
      <label className="poll-choices__option">
        <input type="radio" value="committee" defaultChecked={mode === "committee"} {...register("keyMode")} />
        <span>
          {t("polls.keyMode.committee")}
          <span className="muted"> — {t("polls.keyMode.committeeHint")}</span>
        </span>
      </label>
      {accounts.length === 0 ? <p className="muted">{t("polls.keyMode.noCountingMembers")}</p> : null}
      <TextField
        name="sharesRequired"
        label={t("polls.keyMode.sharesRequired")}
        errorFor={errorFor}
        register={register}
        values={values}
        inputMode="numeric"
      />
    </fieldset>
  );
}

export function PollForm({
  options,
  values,
  refused,
  submitLabel,
}: {
  options: PollFormOptions;
  /** What the fields show: the defaults, a draft's values, or what the officer typed before a refusal. */
  values: Record<string, string>;
  refused?: PollFormRefusal;
  submitLabel: string;
}) {
  const t = useT();
  const navigation = useNavigation();
  const { register, errorFor, onSubmit } = useValidatedForm(pollSchema, refused?.errors);
  const shown = refused?.values ?? values;
  const list = (name: string) => (shown[name] ? shown[name].split(",") : []);
  return (
    <Form method="post" onSubmit={onSubmit} noValidate className="poll-form">
      <FormError error={refused?.formError ?? (refused ? "errors.form" : undefined)} />
      <Field label={t("polls.form.kind")} error={errorFor("kind")}>
        {(a11y) => (
          <select {...a11y} {...register("kind")} defaultValue={shown.kind ?? "confidence_poll"}>
            <option value="confidence_poll">{t("polls.kind.confidence_poll")}</option>
            <option value="confidence_vote">{t("polls.kind.confidence_vote")}</option>
          </select>
        )}
      </Field>
      <TextField name="title" label={t("polls.form.title")} errorFor={errorFor} register={register} values={shown} />
      <TextField
        name="place"
        label={t("polls.form.place")}
        hint={t("polls.form.placeHint")}
        errorFor={errorFor}
        register={register}
        values={shown}
      />
      <Choices
        legend={t("polls.form.subjects")}
        name="positionIds"
        items={options.positions.map((p) => ({
          id: p.id,
          label: p.full_name,
          detail: `${p.title} — ${p.unit_name}`,
        }))}
        checked={list("positionIds")}
        error={errorFor("positionIds")}
        register={register}
        empty={t("polls.form.noPositions")}
      />
      <Choices
        legend={t("polls.form.groups")}
        name="groupIds"
        items={options.groups.map((g) => ({ id: g.id, label: g.name }))}
        checked={list("groupIds")}
        error={errorFor("groupIds")}
        register={register}
        empty={t("polls.form.noGroups")}
      />
      <CommitteeRows errorFor={errorFor} register={register} values={shown} accounts={options.countingMembers} />
      <KeyModeChoice errorFor={errorFor} register={register} values={shown} accounts={options.countingMembers} />
      <fieldset className="poll-rules">
        <legend>{t("polls.form.rules")}</legend>
        <p className="field__hint">{t("polls.form.rulesHint")}</p>
        <Field label={t("polls.form.denominator")} error={errorFor("denominator")}>
          {(a11y) => (
            <select {...a11y} {...register("denominator")} defaultValue={shown.denominator ?? "collected"}>
              <option value="collected">{t("polls.denominator.collected")}</option>
              <option value="valid">{t("polls.denominator.valid")}</option>
              <option value="issued">{t("polls.denominator.issued")}</option>
            </select>
          )}
        </Field>
        <div className="field-row">
          {(["reviewAbove", "dismissalAtLeast", "noConfidenceAbove", "quorum"] as const).map((name) => (
            <TextField
              key={name}
              name={name}
              label={t(`polls.form.${name}`)}
              hint={t("polls.form.shareHint")}
              errorFor={errorFor}
              register={register}
              values={shown}
            />
          ))}
        </div>
        <div className="field-row">
          <TextField
            name="k"
            label={t("polls.form.k")}
            hint={t("polls.form.kHint", { min: K_MIN, max: K_MAX })}
            errorFor={errorFor}
            register={register}
            values={shown}
            inputMode="numeric"
          />
          <TextField
            name="requiredConfirmations"
            label={t("polls.form.requiredConfirmations")}
            hint={t("polls.form.requiredConfirmationsHint")}
            errorFor={errorFor}
            register={register}
            values={shown}
            inputMode="numeric"
          />
        </div>
      </fieldset>
      <fieldset className="poll-schedule">
        <legend>{t("polls.form.schedule")}</legend>
        <p className="field__hint">{t("polls.form.scheduleHint")}</p>
        <div className="field-row">
          <TextField
            name="scheduledOpenAt"
            label={t("polls.form.scheduledOpenAt")}
            errorFor={errorFor}
            register={register}
            values={shown}
            type="datetime-local"
          />
          <TextField
            name="scheduledCloseAt"
            label={t("polls.form.scheduledCloseAt")}
            errorFor={errorFor}
            register={register}
            values={shown}
            type="datetime-local"
          />
        </div>
      </fieldset>
      <button type="submit" className="button" disabled={navigation.state === "submitting"}>
        {submitLabel}
      </button>
    </Form>
  );
}
