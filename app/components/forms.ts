// zod's core, not the full zod: this module runs in the browser too, and a schema may be classic zod or zod/mini.
import { safeParse, type $ZodIssue, type $ZodType, type output } from "zod/v4/core";
import type { Message, MessageKey, MessageParams } from "~/i18n/i18n";

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

/**
 * A post's form, as every action reads it. A body that is not a form (JSON, a cut-off upload) is a 400, not a
 * crash; NUL characters, which no keyboard types and PostgreSQL refuses in text, are dropped.
 */
export async function readForm(request: Request): Promise<FormData> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new Response("Bad Request", { status: 400 });
  }
  const clean = new FormData();
  for (const [key, value] of form.entries()) {
    clean.append(key.replaceAll("\u0000", ""), typeof value === "string" ? value.replaceAll("\u0000", "") : value);
  }
  return clean;
}

/** Runs the form's zod schema (the same one the browser ran) and maps its issues to message keys per field. */
export function parseForm<S extends $ZodType>(schema: S, formData: FormData): ParsedForm<output<S>> {
  // Built with fromEntries, so that a field named "__proto__" is a field like any other, not the object's prototype.
  const raw: Record<string, unknown> = Object.fromEntries(
    [...new Set(formData.keys())].map((key) => {
      const all = formData.getAll(key);
      return [key, all.length > 1 ? all : all[0]];
    })
  );
  const result = safeParse(schema, raw);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, errors: issuesToErrors(result.error.issues), values: formValues(formData) };
}

export function issuesToErrors(issues: $ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = issue.path.join(".") || "_form";
    if (errors[field]) continue;
    errors[field] = toMessage(issue);
  }
  return errors;
}

/**
 * A refusal that quotes figures ("41, not 40"): zod carries one string per issue, so the key and its parameters
 * travel as JSON, read back by issuesToErrors on the server and by readIssueMessage in the browser.
 */
export function issueMessage(key: MessageKey, params: MessageParams): string {
  return JSON.stringify({ key, params });
}

/** An issue's message as a catalog message: a key, or a key with parameters (see issueMessage). */
export function readIssueMessage(text: string): Message | null {
  if (text.startsWith("{")) {
    try {
      const parsed = JSON.parse(text) as { key?: unknown; params?: unknown };
      if (typeof parsed.key === "string" && parsed.params && typeof parsed.params === "object") {
        return { key: parsed.key as MessageKey, params: parsed.params as MessageParams };
      }
    } catch {
      return null;
    }
    return null;
  }
  return text.includes(".") && !text.includes(" ") ? (text as Message) : null;
}

function toMessage(issue: $ZodIssue): Message {
  const key = issue.message;
  if (key.startsWith("{")) return readIssueMessage(key) ?? "errors.invalid";
  if (issue.code === "too_big" && key === "errors.tooLong") {
    return { key: "errors.tooLong", params: { max: Number(issue.maximum) } };
  }
  if (key.includes(".") && !key.includes(" ")) return key as Message;
  if (issue.code === "invalid_type") return "errors.required";
  return "errors.invalid";
}
