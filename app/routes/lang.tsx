import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { safeRedirect } from "~/auth/safe-redirect";
import { parseLocale } from "~/i18n/i18n";
import { localeCookie } from "~/i18n/locale.server";
import { readForm } from "~/components/forms";

export async function loader() {
  throw new Response("Method Not Allowed", { status: 405 });
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  const locale = parseLocale(String(form.get("locale") ?? ""));
  return redirect(safeRedirect(form.get("redirectTo")), {
    headers: { "Set-Cookie": await localeCookie.serialize(locale) },
  });
}
