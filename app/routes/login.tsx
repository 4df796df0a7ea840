import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { loginSchema } from "~/auth/auth.schema";
import { attemptLogin } from "~/auth/login.server";
import { safeRedirect } from "~/auth/safe-redirect";
import { createSession, getUser } from "~/auth/session.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, useValidatedForm } from "~/components/form";
import { parseForm, readForm, type FieldErrors } from "~/components/forms";
import { loadCatalogs, formatDateTime, type Message } from "~/i18n/i18n";
import { getLocale } from "~/i18n/locale.server";
import { useT } from "~/i18n/use-t";
import authMessages from "~/i18n/messages/auth";

loadCatalogs(authMessages);

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const redirectTo = safeRedirect(url.searchParams.get("redirectTo"));
  if (await getUser(request)) throw redirect(redirectTo);
  return { redirectTo };
}

export async function action({ request }: ActionFunctionArgs) {
  const formData = await readForm(request);
  const parsed = parseForm(loginSchema, formData);
  if (!parsed.ok) return data({ errors: parsed.errors, formError: undefined, values: parsed.values }, { status: 400 });
  const { username, password, redirectTo } = parsed.data;
  const result = await attemptLogin({ username, password });
  if (result.ok) {
    return redirect(safeRedirect(redirectTo), { headers: { "Set-Cookie": await createSession(result.userId) } });
  }
  const values = { username, redirectTo: redirectTo ?? "" };
  if (result.reason === "locked") {
    const locale = await getLocale(request);
    const minutes = Math.max(1, Math.ceil((result.retryAt.getTime() - Date.now()) / 60_000));
    const formError: Message = {
      key: "auth.locked",
      params: { time: formatDateTime(locale, result.retryAt), minutes },
    };
    return data(
      { errors: {} as FieldErrors, formError, values },
      { status: 429, headers: { "Retry-After": String(minutes * 60) } },
    );
  }
  return data({ errors: {} as FieldErrors, formError: "auth.invalid" as Message, values }, { status: 401 });
}

export default function Login() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  const { register, errorFor, onSubmit } = useValidatedForm(loginSchema, actionData?.errors);
  return (
    <section className="card card--narrow">
      <h1>{t("auth.loginTitle")}</h1>
      <p className="muted">{t("auth.loginIntro")}</p>
      <FormError error={actionData?.formError} />
      <Form method="post" onSubmit={onSubmit} noValidate>
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <Field label={t("auth.username")} error={errorFor("username")}>
          {(a11y) => (
            <input
              {...a11y}
              {...register("username")}
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              defaultValue={actionData?.values?.username}
            />
          )}
        </Field>
        <Field label={t("auth.password")} error={errorFor("password")}>
          {(a11y) => <input {...a11y} {...register("password")} type="password" autoComplete="current-password" />}
        </Field>
        <button type="submit" className="button button--block" disabled={navigation.state === "submitting"}>
          {t("auth.submit")}
        </button>
      </Form>
      <p className="muted">{t("auth.residentHint")}</p>
    </section>
  );
}

export const meta: MetaFunction = () => [{ title: "Đăng nhập — Phiếu" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
