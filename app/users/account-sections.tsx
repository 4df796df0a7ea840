import { Form, Link, useNavigation } from "@remix-run/react";
import { Field, FormError, useValidatedForm } from "~/components/form";
import type { FieldErrors } from "~/components/forms";
import type { Message, MessageKey } from "~/i18n/i18n";
import { formatDateTime } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import { GrantFields, useGrantText, type UnitOption } from "./account-ui";
import { addGrantSchema, resetPasswordSchema, updateAccountSchema, type AccountIntent } from "./users.schema";

/** What a refused post on the account page gives back: which form it was, and what to show there. */
export interface AccountActionData {
  intent: string;
  errors: FieldErrors;
  formError?: Message;
  values: Record<string, string>;
}

interface AccountGrant {
  id: number;
  role: string;
  unit_id: number | null;
  unit_name: string | null;
}

interface AccountProps {
  account: {
    id: number;
    full_name: string;
    disabled_at: Date | string | null;
    grants: AccountGrant[];
    hiddenGrants: number;
    fullyManaged: boolean;
  };
  units: UnitOption[];
  canGrantGlobal: boolean;
  isSelf: boolean;
  actionData?: AccountActionData;
}

const DONE: Record<string, MessageKey> = {
  created: "users.done.created",
  updated: "users.done.updated",
  grantAdded: "users.done.grantAdded",
  grantRemoved: "users.done.grantRemoved",
  disabled: "users.done.disabled",
  enabled: "users.done.enabled",
  passwordReset: "users.done.passwordReset",
};

/** The notice for `?done=…` after a successful post (only known keys: the URL is the user's to edit). */
export function doneMessage(done: string | null): MessageKey | null {
  return done && Object.hasOwn(DONE, done) ? DONE[done] : null;
}

function forIntent(actionData: AccountActionData | undefined, intent: AccountIntent | AccountIntent[]) {
  const intents = Array.isArray(intent) ? intent : [intent];
  return actionData && intents.includes(actionData.intent as AccountIntent) ? actionData : undefined;
}

function IntentField({ intent }: { intent: AccountIntent }) {
  return <input type="hidden" name="intent" value={intent} />;
}

export function AccountSections({ account, units, canGrantGlobal, isSelf, actionData }: AccountProps) {
  const t = useT();
  return (
    <div className="grid-2">
      <div>
        <GrantsSection account={account} actionData={forIntent(actionData, "grant.remove")} />
        <AddGrantSection
          units={units}
          canGrantGlobal={canGrantGlobal}
          actionData={forIntent(actionData, "grant.add")}
        />
      </div>
      <div>
        {account.fullyManaged ? (
          <>
            <NameSection fullName={account.full_name} actionData={forIntent(actionData, "update")} />
            <PasswordSection isSelf={isSelf} actionData={forIntent(actionData, "password.reset")} />
            <StatusSection
              disabledAt={account.disabled_at}
              isSelf={isSelf}
              actionData={forIntent(actionData, ["disable", "enable"])}
            />
          </>
        ) : (
          <p className="alert alert--warn">{t("users.notFullyManaged")}</p>
        )}
      </div>
    </div>
  );
}

function GrantsSection({ account, actionData }: { account: AccountProps["account"]; actionData?: AccountActionData }) {
  const t = useT();
  const grantText = useGrantText();
  return (
    <section className="card" aria-labelledby="grants-title">
      <h2 id="grants-title">{t("users.grantsTitle")}</h2>
      <FormError error={actionData?.formError} />
      {account.grants.length === 0 ? (
        <p className="muted">{t("users.noGrants")}</p>
      ) : (
        <ul className="list-plain grant-list">
          {account.grants.map((grant) => (
            <li key={grant.id}>
              <span>{grantText(grant)}</span>
              <Form method="post" className="inline-form">
                <IntentField intent="grant.remove" />
                <input type="hidden" name="grantId" value={grant.id} />
                <button
                  type="submit"
                  className="button button--danger button--small"
                  aria-label={t("users.removeGrantLabel", { grant: grantText(grant) })}
                >
                  {t("users.removeGrant")}
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
      {account.hiddenGrants > 0 ? (
        <p className="muted">{t("users.hiddenGrants", { count: account.hiddenGrants })}</p>
      ) : null}
    </section>
  );
}

function AddGrantSection({
  units,
  canGrantGlobal,
  actionData,
}: {
  units: UnitOption[];
  canGrantGlobal: boolean;
  actionData?: AccountActionData;
}) {
  const t = useT();
  const navigation = useNavigation();
  const { register, errorFor, onSubmit } = useValidatedForm(addGrantSchema, actionData?.errors);
  return (
    <section className="card" aria-labelledby="add-grant-title">
      <h2 id="add-grant-title">{t("users.addGrantTitle")}</h2>
      <FormError error={actionData?.formError} />
      <Form method="post" onSubmit={onSubmit} noValidate>
        <IntentField intent="grant.add" />
        <GrantFields
          units={units}
          canGrantGlobal={canGrantGlobal}
          register={register}
          errorFor={errorFor}
          values={actionData?.values}
        />
        <button type="submit" className="button" disabled={navigation.state === "submitting"}>
          {t("users.addGrantSubmit")}
        </button>
      </Form>
    </section>
  );
}

function NameSection({ fullName, actionData }: { fullName: string; actionData?: AccountActionData }) {
  const t = useT();
  const { register, errorFor, onSubmit } = useValidatedForm(updateAccountSchema, actionData?.errors);
  return (
    <section className="card" aria-labelledby="name-title">
      <h2 id="name-title">{t("users.detailsTitle")}</h2>
      <Form method="post" onSubmit={onSubmit} noValidate>
        <IntentField intent="update" />
        <Field label={t("users.fullName")} error={errorFor("fullName")}>
          {(a11y) => (
            <input
              {...a11y}
              {...register("fullName")}
              autoComplete="off"
              defaultValue={actionData?.values.fullName ?? fullName}
            />
          )}
        </Field>
        <button type="submit" className="button">
          {t("common.save")}
        </button>
      </Form>
    </section>
  );
}

function PasswordSection({ isSelf, actionData }: { isSelf: boolean; actionData?: AccountActionData }) {
  const t = useT();
  const { register, errorFor, onSubmit } = useValidatedForm(resetPasswordSchema, actionData?.errors);
  return (
    <section className="card" aria-labelledby="reset-title">
      <h2 id="reset-title">{t("users.resetTitle")}</h2>
      <FormError error={actionData?.formError} />
      {isSelf ? (
        <p>
          <Link to="/account/password">{t("users.resetSelf")}</Link>
        </p>
      ) : (
        <Form method="post" onSubmit={onSubmit} noValidate>
          <IntentField intent="password.reset" />
          <p className="muted">{t("users.resetHint")}</p>
          <Field label={t("users.newTempPassword")} hint={t("users.tempPasswordHint")} error={errorFor("newPassword")}>
            {(a11y) => (
              <input
                {...a11y}
                {...register("newPassword")}
                type="text"
                autoComplete="new-password"
                spellCheck={false}
              />
            )}
          </Field>
          <button type="submit" className="button button--secondary">
            {t("users.resetSubmit")}
          </button>
        </Form>
      )}
    </section>
  );
}

function StatusSection({
  disabledAt,
  isSelf,
  actionData,
}: {
  disabledAt: Date | string | null;
  isSelf: boolean;
  actionData?: AccountActionData;
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <section className="card" aria-labelledby="status-title">
      <h2 id="status-title">{t("users.statusTitle")}</h2>
      <FormError error={actionData?.formError} />
      {disabledAt ? (
        <Form method="post">
          <IntentField intent="enable" />
          <p>{t("users.disabledSince", { time: formatDateTime(locale, disabledAt) })}</p>
          <button type="submit" className="button button--secondary">
            {t("users.enable")}
          </button>
        </Form>
      ) : isSelf ? (
        <p className="muted">{t("users.disableSelf")}</p>
      ) : (
        <Form method="post">
          <IntentField intent="disable" />
          <p className="muted">{t("users.disableHint")}</p>
          <button type="submit" className="button button--danger">
            {t("users.disable")}
          </button>
        </Form>
      )}
    </section>
  );
}
