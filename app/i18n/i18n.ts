// Message catalogs: every user-facing string lives in app/i18n/messages/<domain>.ts, Vietnamese first.
// Schemas and server code speak in message keys; components translate them with `useT()`.
//
// The server holds every catalog. The browser holds only the catalogs of the routes it has loaded: each route
// module calls `loadCatalogs` with those its page shows (root loads `common`), so that the resident's ballot does
// not carry the officers' catalogs. catalogs.test.ts checks every route against the keys its modules use.
import { ALL_CATALOGS, type AllMessages } from "./catalogs.server";
import { DEFAULT_LOCALE, LOCALES, type Locale } from "./define";

export type MessageKey = keyof AllMessages & string;
export type MessageParams = Record<string, string | number>;
/** A message to show: a key, or a key with its parameters. */
export type Message = MessageKey | { key: MessageKey; params?: MessageParams };
/** A domain's catalog, as app/i18n/messages/<domain>.ts defines it. */
export type MessageCatalog = { vi: Record<string, string>; en: Record<string, string> };

const table: Record<Locale, Record<string, string>> = { vi: {}, en: {} };
const loaded = new Set<MessageCatalog>();

/**
 * Adds catalogs to the messages this process can show. A route module calls it at its top level, so that its
 * catalogs are there before anything of the route renders or runs, on the server and in the browser alike.
 */
export function loadCatalogs(...catalogs: MessageCatalog[]): void {
  for (const catalog of catalogs) {
    if (loaded.has(catalog)) continue;
    loaded.add(catalog);
    Object.assign(table.vi, catalog.vi);
    Object.assign(table.en, catalog.en);
  }
}

// Every catalog on the server; nothing in the browser, where catalogs.server.ts is an empty module.
loadCatalogs(...(ALL_CATALOGS ?? []));

export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === "string" && value in table.vi;
}

export function translate(locale: Locale, message: Message | string, params?: MessageParams): string {
  const key = typeof message === "string" ? message : message.key;
  const values = typeof message === "string" ? params : { ...message.params, ...params };
  const template = table[locale][key] ?? table[DEFAULT_LOCALE][key] ?? key;
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

export function parseLocale(value: string | null | undefined): Locale {
  return LOCALES.includes(value as Locale) ? (value as Locale) : DEFAULT_LOCALE;
}

export const TIME_ZONE = "Asia/Ho_Chi_Minh";

const intlLocale: Record<Locale, string> = { vi: "vi-VN", en: "en-GB" };

export function formatDateTime(locale: Locale, value: Date | string): string {
  return new Intl.DateTimeFormat(intlLocale[locale], {
    timeZone: TIME_ZONE,
    dateStyle: "short",
    timeStyle: "short",
  }).format(new Date(value));
}

/** A calendar date ('YYYY-MM-DD') as the reader writes it: 05/03/2026. */
export function formatDate(locale: Locale, value: string | null): string {
  if (!value) return "";
  const [y, m, d] = value.split("-");
  return locale === "vi" || locale === "en" ? `${d}/${m}/${y}` : value;
}

export type { Locale };
