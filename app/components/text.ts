// zod/mini, as every schema the browser runs (see docs/decisions/012): one import of the full zod anywhere in the
// client bundle would put all of it on every page that validates a form, the resident's ballot included.
import * as z from "zod/mini";

/** A value rewritten before the schema reads it: zod/mini has no `z.preprocess`, which is this very pipe. */
export function preprocess<T extends z.ZodMiniType>(rewrite: (value: unknown) => unknown, schema: T) {
  return z.pipe(z.transform(rewrite), schema);
}

/**
 * Refuses the value a transform was given, with `message`. zod/mini hands a transform the parse payload itself,
 * not the full zod's `ctx.addIssue`; this pushes the issue that `addIssue` would have pushed.
 */
export function refuse(payload: z.core.ParsePayload, message: string): never {
  payload.issues.push({ code: "custom", message, input: payload.value });
  return z.NEVER;
}

/** Unicode NFC, so that a name typed on two keyboards (composed or decomposed accents) is one name. */
export function toNfc(value: string): string {
  return value.normalize("NFC");
}

/** Normalizes a string to NFC before the schema validates it. */
export function nfc<T extends z.ZodMiniType>(schema: T) {
  return preprocess((v) => (typeof v === "string" ? v.normalize("NFC") : v), schema);
}

/** A required single-line text field: NFC, trimmed, inner white space folded, at most `max` characters. */
export function requiredText(max: number) {
  return preprocess(
    (v) => (typeof v === "string" ? v.normalize("NFC").replace(/\s+/g, " ").trim() : v),
    z
      .string({ message: "errors.required" })
      .check(z.minLength(1, "errors.required"), z.maxLength(max, "errors.tooLong"))
  );
}

/** Lower-cased, NFC, folded: the key under which two spellings of one name compare equal. */
export function nameKey(value: string): string {
  return value.normalize("NFC").replace(/\s+/g, " ").trim().toLocaleLowerCase("vi");
}
