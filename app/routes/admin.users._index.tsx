import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { requireUser } from "~/auth/session.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, Notice, useValidatedForm } from "~/components/form";
import { formValues, parseForm, readForm, type FieldErrors } from "~/components/forms";
import { useT } from "~/i18n/use-t";
import { doneMessage } from "~/users/account-sections";
import { AccountStatus, GrantFields, pageTitle, useGrantText } from "~/users/account-ui";
import { createAccountSchema } from "~/users/users.schema";
import {
  createAccount,
  listAccounts,
  listManageableUnits,
  requireAccountAdmin,
  requireGrantableUnit,
} from "~/users/users.server";
import { loadCatalogs } from "~/i18n/i18n";
import authMessages from "~/i18n/messages/auth";
import usersMessages from "~/i18n/messages/users";

loadCatalogs(authMessages, usersMessages);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const scope = await requireAccountAdmin(user);
  const [accounts, units] = await Promise.all([listAccounts({ scope }), listManageableUnits({ scope })]);
  return { accounts, units, canGrantGlobal: scope === "all", currentUserId: user.id };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const scope = await requireAccountAdmin(user);
  const formData = await readForm(request);
  const parsed = parseForm(createAccountSchema, formData);
  if (!parsed.ok) return data({ errors: parsed.errors, values: parsed.values }, { status: 400 });
  const { username, fullName, password, role, unitId } = parsed.data;
  await requireGrantableUnit({ user, scope, unitId });
  const result = await createAccount({ actor: user, username, fullName, password, role, unitId });
  if (!result.ok) {
    const errors: FieldErrors = { username: "users.usernameTaken" };
    return data({ errors, values: formValues(formData) }, { status: 400 });
  }
  return redirect(`/admin/users/${result.userId}?done=created`);
}

export default function Accounts() {
  const { accounts, units, canGrantGlobal, currentUserId } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [params] = useSearchParams();
  const t = useT();
  const grantText = useGrantText();
  const { register, errorFor, onSubmit } = useValidatedForm(createAccountSchema, actionData?.errors);
  const values = actionData?.values;
  return (
    <>
      <h1>{t("users.title")}</h1>
      <p className="muted">{t("users.intro")}</p>
      <Notice message={doneMessage(params.get("done"))} />
      <div className="grid-2">
        <section aria-labelledby="accounts-title">
          <h2 id="accounts-title" className="visually-hidden">
            {t("users.list")}
          </h2>
          {accounts.length === 0 ? (
            <p className="card">{t("users.empty")}</p>
          ) : (
            <div className="table-wrap">
              <table className="accounts-table">
                <thead>
                  <tr>
                    <th scope="col">{t("auth.username")}</th>
                    <th scope="col">{t("users.fullName")}</th>
                    <th scope="col">{t("users.roles")}</th>
                    <th scope="col">{t("users.status")}</th>
                  </tr>
                </thead>
                <tbody>
                  {accounts.map((account) => (
                    <tr key={account.id}>
                      <td>
                        <Link to={`/admin/users/${account.id}`}>{account.username}</Link>
                        {account.id === currentUserId ? (
                          <>
                            {" "}
                            <span className="badge">{t("users.you")}</span>
                          </>
                        ) : null}
                      </td>
                      <td>{account.full_name}</td>
                      <td>
                        {account.grants.length === 0 ? (
                          <span className="muted">{t("users.noGrants")}</span>
                        ) : (
                          <ul className="grant-tags">
                            {account.grants.map((grant) => (
                              <li key={grant.id}>{grantText(grant)}</li>
                            ))}
                          </ul>
                        )}
                      </td>
                      <td>
                        <AccountStatus disabledAt={account.disabled_at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section className="card" aria-labelledby="create-title">
          <h2 id="create-title">{t("users.createTitle")}</h2>
          <Form method="post" onSubmit={onSubmit} noValidate>
            <Field label={t("auth.username")} hint={t("users.usernameHint")} error={errorFor("username")}>
              {(a11y) => (
                <input
                  {...a11y}
                  {...register("username")}
                  autoComplete="off"
                  autoCapitalize="none"
                  spellCheck={false}
                  maxLength={40}
                  defaultValue={values?.username}
                />
              )}
            </Field>
            <Field label={t("users.fullName")} error={errorFor("fullName")}>
              {(a11y) => (
                <input {...a11y} {...register("fullName")} autoComplete="off" defaultValue={values?.fullName} />
              )}
            </Field>
            <Field label={t("users.tempPassword")} hint={t("users.tempPasswordHint")} error={errorFor("password")}>
              {(a11y) => (
                // Shown as text: the administrator reads it back to the officer; it is never sent back by the server.
                <input {...a11y} {...register("password")} type="text" autoComplete="new-password" spellCheck={false} />
              )}
            </Field>
            <GrantFields
              units={units}
              canGrantGlobal={canGrantGlobal}
              register={register}
              errorFor={errorFor}
              values={values}
            />
            <button type="submit" className="button button--block" disabled={navigation.state === "submitting"}>
              {t("users.createSubmit")}
            </button>
          </Form>
        </section>
      </div>
    </>
  );
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "users.title");

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
