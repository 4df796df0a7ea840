export type Locale = "vi" | "en";
export const LOCALES: Locale[] = ["vi", "en"];
export const DEFAULT_LOCALE: Locale = "vi";

/** A domain's catalog: Vietnamese first; the English one must carry exactly the same keys. */
export function defineMessages<const V extends Record<string, string>>(messages: {
  vi: V;
  en: { [K in keyof V]: string };
}) {
  return messages;
}
