import { z } from "zod";

/** Unicode NFC, so that a name typed on two keyboards (composed or decomposed accents) is one name. */
export function toNfc(value: string): string {
  return value.normalize("NFC");
}

/** Normalizes a string to NFC before the schema validates it. */
export function nfc<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (typeof v === "string" ? v.normalize("NFC") : v), schema);
}

/** A required single-line text field: NFC, trimmed, inner white space folded, at most `max` characters. */
export function requiredText(max: number) {
  return z.preprocess(
    (v) => (typeof v === "string" ? v.normalize("NFC").replace(/\s+/g, " ").trim() : v),
    z.string({ message: "errors.required" }).min(1, "errors.required").max(max, "errors.tooLong"),
  );
}

/** Lower-cased, NFC, folded: the key under which two spellings of one name compare equal. */
export function nameKey(value: string): string {
  return value.normalize("NFC").replace(/\s+/g, " ").trim().toLocaleLowerCase("vi");
}
