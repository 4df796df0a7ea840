import { zodResolver } from "@hookform/resolvers/zod";
import { useSubmit } from "@remix-run/react";
import { useId, type FormEvent, type ReactNode } from "react";
import { useForm, type FieldValues } from "react-hook-form";
import { safeParse, type $ZodType } from "zod/v4/core";
import { useT } from "~/i18n/use-t";
import type { Message } from "~/i18n/i18n";
import { issuesToErrors, readIssueMessage, type FieldErrors } from "./forms";

/**
 * Client-side validation with the server's own zod schema. Inputs stay plain named inputs, so the form posts
 * without JavaScript; with it, a refused form never leaves the page and errors show as the user types.
 */
export function useValidatedForm<S extends $ZodType>(
  schema: S,
  serverErrors: FieldErrors | undefined,
  defaultValues?: Record<string, unknown>,
) {
  const form = useForm<FieldValues>({
    resolver: zodResolver(schema as never) as never,
    mode: "onTouched",
    defaultValues,
  });
  const submit = useSubmit();

  function errorFor(name: string): Message | undefined {
    const client = form.formState.errors[name]?.message;
    if (typeof client === "string" && client) return readIssueMessage(client) ?? "errors.invalid";
    return serverErrors?.[name];
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = event.currentTarget;
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    if (await form.trigger()) submit(submitter ?? target);
  }

  return { register: form.register, errorFor, onSubmit, form };
}

export function validate<S extends $ZodType>(schema: S, values: unknown): FieldErrors {
  const result = safeParse(schema, values);
  return result.success ? {} : issuesToErrors(result.error.issues);
}

export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: ReactNode;
  error?: Message;
  hint?: ReactNode;
  children: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactNode;
}) {
  const t = useT();
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={error ? "field field--invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-invalid": Boolean(error), "aria-describedby": describedBy })}
      {hint ? (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={errorId} role="alert">
          {t(error)}
        </p>
      ) : null}
    </div>
  );
}

export function FormError({ error }: { error?: Message }) {
  const t = useT();
  if (!error) return null;
  return (
    <div className="alert alert--error" role="alert">
      {t(error)}
    </div>
  );
}

export function Notice({ message }: { message?: Message | null }) {
  const t = useT();
  if (!message) return null;
  return (
    <div className="alert alert--ok" role="status">
      {t(message)}
    </div>
  );
}
