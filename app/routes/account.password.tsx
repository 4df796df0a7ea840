import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useSearchParams } from "@remix-run/react";
import { changePasswordSchema } from "~/auth/auth.schema";
import { destroyOtherSessions, requireUser } from "~/auth/session.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, Notice, useValidatedForm } from "~/components/form";
import { parseForm, readForm, type FieldErrors } from "~/components/forms";
import { useT } from "~/i18n/use-t";
import { changeOwnPassword } from "~/users/users.server";
import { loadCatalogs } from "~/i18n/i18n";
import authMessages from "~/i18n/messages/auth";

loadCatalogs(authMessages);

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = parseForm(changePasswordSchema, await readForm(request));
  if (!parsed.ok) return data({ errors: parsed.errors }, { status: 400 });
  const result = await changeOwnPassword({
    userId: user.id,
    username: user.username,
    currentPassword: parsed.data.currentPassword,
    newPassword: parsed.data.newPassword,
  });
  if (!result.ok) {
    return data({ errors: { currentPassword: "auth.currentPasswordWrong" } as FieldErrors }, { status: 400 });
  }
  await destroyOtherSessions(request, user.id);
  return redirect("/account/password?changed=1");
}

export default function ChangePassword() {
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const t = useT();
  const { register, errorFor, onSubmit } = useValidatedForm(changePasswordSchema, actionData?.errors);
  return (
    <section className="card card--narrow">
      <h1>{t("auth.changePasswordTitle")}</h1>
      <Notice message={params.get("changed") ? "auth.passwordChanged" : null} />
      <Form method="post" onSubmit={onSubmit} noValidate>
        <Field label={t("auth.currentPassword")} error={errorFor("currentPassword")}>
          {(a11y) => <input {...a11y} {...register("currentPassword")} type="password" autoComplete="current-password" />}
        </Field>
        <Field label={t("auth.newPassword")} hint={t("auth.newPasswordHint")} error={errorFor("newPassword")}>
          {(a11y) => <input {...a11y} {...register("newPassword")} type="password" autoComplete="new-password" />}
        </Field>
        <Field label={t("auth.confirmPassword")} error={errorFor("confirmPassword")}>
          {(a11y) => <input {...a11y} {...register("confirmPassword")} type="password" autoComplete="new-password" />}
        </Field>
        <button type="submit" className="button">
          {t("common.save")}
        </button>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
