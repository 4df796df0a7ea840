import { createCookie } from "@remix-run/node";
import { parseLocale, type Locale } from "./i18n";

// The reader's language choice; not secret, so not signed.
export const localeCookie = createCookie("phieu_lang", {
  httpOnly: true,
  sameSite: "lax",
  path: "/",
  maxAge: 365 * 24 * 3600,
});

export async function getLocale(request: Request): Promise<Locale> {
  return parseLocale(await localeCookie.parse(request.headers.get("Cookie")));
}
