import { useRouteLoaderData } from "@remix-run/react";
import { useCallback } from "react";
import { DEFAULT_LOCALE, type Locale } from "./define";
import { translate, type Message, type MessageParams } from "./i18n";

export function useLocale(): Locale {
  const data = useRouteLoaderData<{ locale: Locale }>("root");
  return data?.locale ?? DEFAULT_LOCALE;
}

export function useT() {
  const locale = useLocale();
  return useCallback(
    (message: Message | string, params?: MessageParams) => translate(locale, message, params),
    [locale],
  );
}
