import { Form, useNavigation } from "@remix-run/react";
import { useValidatedForm } from "~/components/form";
import type { FieldErrors } from "~/components/forms";
import { useT } from "~/i18n/use-t";
import { codeEntrySchema } from "./ballot.schema";
import { ErrorSummary, PageHeading } from "./ballot-ui";

/** /v: one field for the code printed on the slip, typed on a phone keyboard as it comes. */
export function CodeEntryForm({ errors, values }: { errors?: FieldErrors; values?: Record<string, string> }) {
  const t = useT();
  const navigation = useNavigation();
  const { register, errorFor, onSubmit } = useValidatedForm(codeEntrySchema, errors);
  const error = errorFor("code");
  const describedBy = ["code-hint", error ? "code-error" : null].filter(Boolean).join(" ");
  return (
    <div className="ballot-page">
      <PageHeading>{t("ballots.entry.title")}</PageHeading>
      <ErrorSummary items={error ? [{ message: error, href: "#code" }] : []} />
      <p>{t("ballots.entry.intro")}</p>
      <Form method="post" onSubmit={onSubmit} noValidate autoComplete="off">
        <div className={error ? "field field--invalid" : "field"}>
          <label htmlFor="code">{t("ballots.entry.label")}</label>
          <input
            id="code"
            {...register("code")}
            className="code-input"
            inputMode="text"
            autoCapitalize="characters"
            autoComplete="off"
            autoCorrect="off"
            spellCheck={false}
            aria-invalid={Boolean(error)}
            aria-describedby={describedBy}
            defaultValue={values?.code}
          />
          <p className="field__hint" id="code-hint">
            {t("ballots.entry.hint")}
          </p>
          {error ? (
            <p className="field__error" id="code-error">
              {t(error)}
            </p>
          ) : null}
        </div>
        <button
          type="submit"
          className="button button--block button--large"
          disabled={navigation.state === "submitting"}
        >
          {t("ballots.entry.submit")}
        </button>
      </Form>
    </div>
  );
}
