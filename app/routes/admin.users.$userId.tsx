import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireUser } from "~/auth/session.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/form";
import { formValues, parseForm, readForm, type FieldErrors } from "~/components/forms";
import { loadCatalogs, formatDateTime, type Message } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import { AccountStatus, pageTitle } from "~/users/account-ui";
import { AccountSections, doneMessage, type AccountActionData } from "~/users/account-sections";
import { addGrantSchema, removeGrantSchema, resetPasswordSchema, updateAccountSchema } from "~/users/users.schema";
import {
  addGrant,
  getAccount,
  listManageableUnits,
  removeGrant,
  requireAccountAdmin,
  requireGrantableUnit,
  resetAccountPassword,
  setAccountDisabled,
  updateAccount,
} from "~/users/users.server";
import authMessages from "~/i18n/messages/auth";
import usersMessages from "~/i18n/messages/users";

loadCatalogs(authMessages, usersMessages);

/** The account named in the URL, if the administrator may see it; any other id answers 404. */
async function loadAccount(request: Request, userIdParam: string | undefined) {
  const user = await requireUser(request);
  const scope = await requireAccountAdmin(user);
  if (!/^[1-9][0-9]{0,8}$/.test(userIdParam ?? "")) throw new Response("Not Found", { status: 404 });
  const account = await getAccount({ scope, userId: Number(userIdParam) });
  if (!account) throw new Response("Not Found", { status: 404 });
  return { user, scope, account };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, scope, account } = await loadAccount(request, params.userId);
  const units = await listManageableUnits({ scope });
  return { account, units, canGrantGlobal: scope === "all", isSelf: account.id === user.id };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, scope, account } = await loadAccount(request, params.userId);
  const formData = await readForm(request);
  const intent = String(formData.get("intent") ?? "");
  const here = `/admin/users/${account.id}`;
  const refuse = (errors: FieldErrors, formError?: Message) =>
    data({ intent, errors, formError, values: formValues(formData) } satisfies AccountActionData, { status: 400 });
  // Changing the account itself would reach into units this administrator does not manage.
  const requireWholeAccount = () => {
    if (!account.fullyManaged) throw new Response("Forbidden", { status: 403 });
  };

  switch (intent) {
    case "update": {
      requireWholeAccount();
      const parsed = parseForm(updateAccountSchema, formData);
      if (!parsed.ok) return refuse(parsed.errors);
      await updateAccount({ actor: user, account, fullName: parsed.data.fullName });
      return redirect(`${here}?done=updated`);
    }
    case "grant.add": {
      const parsed = parseForm(addGrantSchema, formData);
      if (!parsed.ok) return refuse(parsed.errors);
      await requireGrantableUnit({ user, scope, unitId: parsed.data.unitId });
      const result = await addGrant({ actor: user, account, ...parsed.data });
      if (!result.ok) return refuse({}, "users.grantDuplicate");
      return redirect(`${here}?done=grantAdded`);
    }
    case "grant.remove": {
      const parsed = parseForm(removeGrantSchema, formData);
      if (!parsed.ok) throw new Response("Not Found", { status: 404 });
      const result = await removeGrant({ actor: user, scope, account, grantId: parsed.data.grantId });
      if (!result.ok) return refuse({}, "users.lastOwnAdmin");
      // Without its last grant in this administrator's units the account leaves their view.
      const stillVisible = await getAccount({ scope, userId: account.id });
      return redirect(stillVisible ? `${here}?done=grantRemoved` : "/admin/users?done=grantRemoved");
    }
    case "disable":
    case "enable": {
      requireWholeAccount();
      const result = await setAccountDisabled({ actor: user, account, disabled: intent === "disable" });
      if (!result.ok) return refuse({}, "users.disableSelf");
      return redirect(`${here}?done=${intent === "disable" ? "disabled" : "enabled"}`);
    }
    case "password.reset": {
      requireWholeAccount();
      const parsed = parseForm(resetPasswordSchema, formData);
      if (!parsed.ok) return refuse(parsed.errors);
      const result = await resetAccountPassword({ actor: user, account, password: parsed.data.newPassword });
      if (!result.ok) return refuse({}, "users.resetSelf");
      return redirect(`${here}?done=passwordReset`);
    }
    default:
      throw new Response("Bad Request", { status: 400 });
  }
}

export default function Account() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as AccountActionData | undefined;
  const [params] = useSearchParams();
  const t = useT();
  const locale = useLocale();
  const { account, isSelf } = loaderData;
  return (
    <>
      <p className="breadcrumbs">
        <Link to="/admin/users">{t("users.backToList")}</Link>
      </p>
      <h1 className="account-title">
        {account.username} <AccountStatus disabledAt={account.disabled_at} />
        {isSelf ? <span className="badge">{t("users.you")}</span> : null}
      </h1>
      <p className="muted">
        {account.full_name} · {t("users.createdAt", { time: formatDateTime(locale, account.created_at) })} ·{" "}
        {t("users.passwordChangedAt", { time: formatDateTime(locale, account.password_changed_at) })}
      </p>
      <Notice message={doneMessage(params.get("done"))} />
      <AccountSections {...loaderData} actionData={actionData} />
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ matches, data: loaderData }) =>
  pageTitle(matches, "users.title").map((m) =>
    loaderData ? { title: `${loaderData.account.username} · ${m.title}` } : m
  );

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
