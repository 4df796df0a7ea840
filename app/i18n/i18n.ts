// Message catalogs: every user-facing string lives in app/i18n/messages/<domain>.ts, Vietnamese first.
// Schemas and server code speak in message keys; components translate them with `useT()`.
import audit from "./messages/audit";
import auth from "./messages/auth";
import board from "./messages/board";
import ballots from "./messages/ballots";
import cadres from "./messages/cadres";
import common from "./messages/common";
import credentials from "./messages/credentials";
import imports from "./messages/imports";
import paper from "./messages/paper";
import polls from "./messages/polls";
import results from "./messages/results";
import units from "./messages/units";
import users from "./messages/users";
import { DEFAULT_LOCALE, LOCALES, type Locale } from "./define";

const catalogs = [
  common,
  auth,
  units,
  cadres,
  imports,
  users,
  results,
  credentials,
  ballots,
  polls,
  audit,
  board,
  paper,
] as const;

type Catalog = typeof common.vi &
  typeof auth.vi &
  typeof units.vi &
  typeof cadres.vi &
  typeof imports.vi &
  typeof users.vi &
  typeof results.vi &
  typeof credentials.vi &
  typeof ballots.vi &
  typeof polls.vi &
  typeof audit.vi &
  typeof board.vi &
  typeof paper.vi;
export type MessageKey = keyof Catalog & string;
export type MessageParams = Record<string, string | number>;
/** A message to show: a key, or a key with its parameters. */
export type Message = MessageKey | { key: MessageKey; params?: MessageParams };

const merged: Record<Locale, Record<string, string>> = {
  vi: Object.assign({}, ...catalogs.map((c) => c.vi)),
  en: Object.assign({}, ...catalogs.map((c) => c.en)),
};

export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === "string" && value in merged.vi;
}

export function translate(locale: Locale, message: Message | string, params?: MessageParams): string {
  const key = typeof message === "string" ? message : message.key;
  const values = typeof message === "string" ? params : { ...message.params, ...params };
  const template = merged[locale][key] ?? merged[DEFAULT_LOCALE][key] ?? key;
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
