import { Form, useNavigation } from "@remix-run/react";
import { Field, FormError, useValidatedForm } from "~/components/form";
import type { FieldErrors } from "~/components/forms";
import type { Message, MessageKey } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import { IMPORT_COLUMNS, templateFileName, uploadSchema, type ImportKind } from "./imports.schema";

/** The upload form: what to import and the file. It posts multipart, with or without JavaScript. */
export function UploadForm({
  kinds,
  defaultKind,
  errors,
  formError,
}: {
  kinds: ImportKind[];
  defaultKind: ImportKind;
  errors?: FieldErrors;
  formError?: Message | null;
}) {
  const t = useT();
  const navigation = useNavigation();
  const { register, errorFor, onSubmit } = useValidatedForm(uploadSchema, errors, { kind: defaultKind });
  const kindError = errorFor("kind");
  return (
    <Form method="post" encType="multipart/form-data" onSubmit={onSubmit} noValidate className="card">
      <FormError error={formError ?? undefined} />
      <input type="hidden" name="intent" value="upload" />
      <fieldset className={kindError ? "field field--invalid import-kinds" : "field import-kinds"}>
        <legend>{t("imports.kind")}</legend>
        {kinds.map((kind) => (
          <label key={kind} className="import-kinds__option">
            <input type="radio" value={kind} {...register("kind")} defaultChecked={kind === defaultKind} />{" "}
            {t(`imports.kind.${kind}`)}
          </label>
        ))}
        {kindError ? (
          <p className="field__error" role="alert">
            {t(kindError)}
          </p>
        ) : null}
      </fieldset>
      <Field label={t("imports.file")} hint={t("imports.fileHint")} error={errorFor("file")}>
        {(a11y) => (
          <input
            {...a11y}
            {...register("file")}
            type="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          />
        )}
      </Field>
      <button type="submit" className="button" disabled={navigation.state === "submitting"}>
        {t("imports.upload")}
      </button>
    </Form>
  );
}

function templateHref(csv: string) {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`;
}

/** The expected columns of each kind, an example, and a template to download (a data link: no request at all). */
export function ImportHelp({
  kinds,
  openKind,
  templates,
}: {
  kinds: ImportKind[];
  openKind: ImportKind;
  templates: Record<ImportKind, string>;
}) {
  const t = useT();
  return (
    <>
      {kinds.map((kind) => (
        <details key={kind} className="card import-help" open={kind === openKind}>
          <summary>{t(`imports.help.title.${kind}`)}</summary>
          <p>{t(`imports.help.intro.${kind}`)}</p>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("imports.help.column")}</th>
                  <th scope="col">{t("imports.help.required")}</th>
                  <th scope="col">{t("imports.help.notes")}</th>
                </tr>
              </thead>
              <tbody>
                {IMPORT_COLUMNS[kind].map((column) => (
                  <tr key={column.field}>
                    <td>
                      <strong>{column.header}</strong>
                    </td>
                    <td>{t(column.required ? "common.yes" : "common.no")}</td>
                    <td>
                      {t(column.hint as MessageKey)}{" "}
                      <span className="muted">
                        {t("imports.help.aliases", {
                          aliases: column.aliases
                            .filter((a) => a !== column.header)
                            .map((a) => `“${a}”`)
                            .join(", "),
                        })}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="import-help__example-title">{t("imports.help.example")}</p>
          <pre className="import-help__example">{templates[kind].replace(/^\uFEFF/, "").trim()}</pre>
          <a
            className="button button--secondary button--small"
            href={templateHref(templates[kind])}
            download={templateFileName(kind)}
            type="text/csv"
          >
            {t("imports.template")}
          </a>
        </details>
      ))}
    </>
  );
}
