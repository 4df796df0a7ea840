import type { z } from "zod";
import type { Message } from "~/i18n/i18n";

export type FieldErrors = Record<string, Message>;

export type FormFailure = { ok: false; errors: FieldErrors; values: Record<string, string> };
export type ParsedForm<T> = { ok: true; data: T } | FormFailure;

/** Plain text values of a form, for keeping what the user typed after a refused post (files left out). */
export function formValues(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (typeof value === "string" && !key.toLowerCase().includes("password")) values[key] = value;
  }
  return values;
}

/** Runs the form's zod schema (the same one the browser ran) and maps its issues to message keys per field. */
export function parseForm<S extends z.ZodType>(schema: S, formData: FormData): ParsedForm<z.infer<S>> {
  const raw: Record<string, unknown> = {};
  for (const key of new Set(formData.keys())) {
    const all = formData.getAll(key);
    raw[key] = all.length > 1 ? all : all[0];
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, errors: issuesToErrors(result.error.issues), values: formValues(formData) };
}

export function issuesToErrors(issues: z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = issue.path.join(".") || "_form";
    if (errors[field]) continue;
    errors[field] = toMessage(issue);
  }
  return errors;
}

function toMessage(issue: z.core.$ZodIssue): Message {
  const key = issue.message;
  if (issue.code === "too_big" && key === "errors.tooLong") {
    return { key: "errors.tooLong", params: { max: Number(issue.maximum) } };
  }
  if (key.includes(".") && !key.includes(" ")) return key as Message;
  if (issue.code === "invalid_type") return "errors.required";
  return "errors.invalid";
}
