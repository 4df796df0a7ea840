import { Form } from "@remix-run/react";
import { Field, useValidatedForm } from "~/components/form";
import type { FieldErrors } from "~/components/forms";
import type { Message } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import { unitNameSchema } from "./units.schema";

/** What a refused post sent back: which form (intent and target) it was, its errors and what the user typed. */
export interface Refused {
  intent: string;
  targetId: number | null;
  errors: FieldErrors;
  formError: Message | null;
  values: Record<string, string>;
}

/** The refusal, when it belongs to this form. */
export function refusedFor(refused: Refused | undefined, intent: string, targetId: number | null = null) {
  return refused && refused.intent === intent && refused.targetId === targetId ? refused : undefined;
}

/** One name field and a submit button; the hidden fields name the intent and, for a list row, its target. */
export function UnitNameForm({
  intent,
  hidden = {},
  label,
  submitLabel,
  defaultName,
  refused,
}: {
  intent: string;
  hidden?: Record<string, string | number>;
  label: string;
  submitLabel: string;
  defaultName?: string;
  refused?: Refused;
}) {
  const { register, errorFor, onSubmit } = useValidatedForm(unitNameSchema, refused?.errors);
  return (
    <Form method="post" onSubmit={onSubmit} noValidate>
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <Field label={label} error={errorFor("name")}>
        {(a11y) => (
          <input
            {...a11y}
            {...register("name")}
            autoComplete="off"
            defaultValue={refused?.values.name ?? defaultName}
          />
        )}
      </Field>
      <button type="submit" className="button">
        {submitLabel}
      </button>
    </Form>
  );
}

/** A rename form folded under its own button, so that a list stays short on a phone (works without JavaScript). */
export function RenameDetails({
  summary,
  intent,
  hidden,
  currentName,
  refused,
}: {
  summary: string;
  intent: string;
  hidden?: Record<string, string | number>;
  currentName: string;
  refused?: Refused;
}) {
  const t = useT();
  return (
    <details className="unit-edit" open={Boolean(refused)}>
      <summary className="button button--secondary button--small">{summary}</summary>
      <UnitNameForm
        intent={intent}
        hidden={hidden}
        label={t("units.newName")}
        submitLabel={t("common.save")}
        defaultName={currentName}
        refused={refused}
      />
    </details>
  );
}

export function DeleteGroupForm({ groupId, groupName }: { groupId: number; groupName: string }) {
  const t = useT();
  return (
    <Form method="post" className="inline-form">
      <input type="hidden" name="intent" value="deleteGroup" />
      <input type="hidden" name="groupId" value={groupId} />
      <button
        type="submit"
        className="button button--danger button--small"
        aria-label={t("units.deleteGroupNamed", { name: groupName })}
      >
        {t("common.delete")}
      </button>
    </Form>
  );
}
