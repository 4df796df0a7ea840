import { Form, Link, useNavigation } from "@remix-run/react";
import { formatDateTime, type Message } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import type { ImportKind } from "./imports.schema";

export interface PreviewRow {
  line: number;
  values: Record<string, string>;
  status: "newGroup" | "newCadre" | "existingCadre" | "error";
  newTitle: boolean;
  errors: { column: string; message: Message }[];
}

export interface DraftPreviewData {
  id: string;
  kind: ImportKind;
  fileName: string;
  createdAt: Date | string;
  committedAt: Date | string | null;
  columns: { field: string; header: string }[];
  plan: {
    rows: PreviewRow[];
    errors: { line: number; column: string; message: Message }[];
    warnings: Message[];
    newTitles: string[];
    counts: { groups: number; newCadres: number; existingCadres: number; positions: number };
  } | null;
}

function StatusBadge({ row }: { row: PreviewRow }) {
  const t = useT();
  const tone =
    row.status === "error" ? "badge badge--error" : row.status === "existingCadre" ? "badge" : "badge badge--ok";
  return (
    <>
      <span className={tone}>{t(`imports.status.${row.status}`)}</span>
      {row.newTitle && row.status !== "error" ? (
        <>
          {" "}
          <span className="badge badge--warn">{t("imports.status.newTitle")}</span>
        </>
      ) : null}
      {row.errors.map((error, i) => (
        <p key={i} className="import-row-error">
          {error.column ? <strong>{error.column}: </strong> : null}
          {t(error.message)}
        </p>
      ))}
    </>
  );
}

/** The preview of an uploaded file: what will be added, every row's status, and the errors to fix first. */
export function DraftPreview({
  draft,
  wardId,
  commitError,
}: {
  draft: DraftPreviewData;
  wardId: number;
  /** Why the last commit was refused (already committed, rows now in error, a collision). */
  commitError?: Message | null;
}) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const { plan } = draft;
  const errorCount = plan?.errors.length ?? 0;
  const again = `/units/${wardId}/import?kind=${draft.kind}`;
  return (
    <>
      <section className="card" aria-labelledby="preview-title">
        <h2 id="preview-title">{t("imports.preview.title", { file: draft.fileName })}</h2>
        <p className="muted">
          {t("imports.preview.meta", {
            kind: t(`imports.kind.${draft.kind}`),
            time: formatDateTime(locale, draft.createdAt),
          })}
        </p>
        {commitError ? (
          <div className="alert alert--error" role="alert">
            {t(commitError)}
          </div>
        ) : draft.committedAt ? (
          <div className="alert alert--ok" role="status">
            {t("imports.preview.committed", { time: formatDateTime(locale, draft.committedAt) })}
          </div>
        ) : null}
        {plan ? (
          <>
            {plan.warnings.map((warning, i) => (
              <div key={i} className="alert alert--warn">
                {t(warning)}
              </div>
            ))}
            <p className="import-summary">
              {draft.kind === "residential_groups"
                ? t("imports.preview.summary.residential_groups", { count: plan.counts.groups })
                : t("imports.preview.summary.cadres", plan.counts)}
            </p>
            {plan.newTitles.length > 0 ? (
              <div className="alert alert--warn">
                <strong>{t("imports.preview.newTitles")}</strong>
                <ul>
                  {plan.newTitles.map((title) => (
                    <li key={title}>{title}</li>
                  ))}
                </ul>
              </div>
            ) : null}
            {errorCount > 0 ? (
              <>
                <div className="alert alert--error" role="alert">
                  {t("imports.preview.hasErrors", { count: errorCount })}
                </div>
                <h3>{t("imports.preview.errors")}</h3>
                <div className="table-wrap">
                  <table className="import-errors">
                    <thead>
                      <tr>
                        <th scope="col">{t("imports.preview.line")}</th>
                        <th scope="col">{t("imports.preview.column")}</th>
                        <th scope="col">{t("imports.preview.reason")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {plan.errors.map((error, i) => (
                        <tr key={i}>
                          <td>{error.line}</td>
                          <td>{error.column || t("imports.preview.wholeRow")}</td>
                          <td>{t(error.message)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            ) : (
              <div className="alert alert--ok" role="status">
                {t("imports.preview.ready")}
              </div>
            )}
          </>
        ) : null}
        <div className="actions">
          {plan && errorCount === 0 && !draft.committedAt ? (
            <Form method="post" className="inline-form">
              <input type="hidden" name="intent" value="commit" />
              <input type="hidden" name="draftId" value={draft.id} />
              <button type="submit" className="button" disabled={navigation.state !== "idle"}>
                {t("imports.commit")}
              </button>
            </Form>
          ) : null}
          <Link className="button button--secondary" to={again}>
            {t(errorCount > 0 ? "imports.uploadFixed" : "imports.uploadAnother")}
          </Link>
        </div>
        {plan && errorCount === 0 && !draft.committedAt ? <p className="muted">{t("imports.commitHint")}</p> : null}
      </section>
      {plan ? (
        <section className="card" aria-labelledby="rows-title">
          <h2 id="rows-title">{t("imports.preview.rows", { count: plan.rows.length })}</h2>
          <div className="table-wrap">
            <table className="import-rows">
              <thead>
                <tr>
                  <th scope="col">{t("imports.preview.line")}</th>
                  <th scope="col">{t("imports.preview.status")}</th>
                  {draft.columns.map((column) => (
                    <th key={column.field} scope="col">
                      {column.header}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {plan.rows.map((row) => (
                  <tr key={row.line} className={row.status === "error" ? "row--error" : undefined}>
                    <td>{row.line}</td>
                    <td className="import-rows__status">
                      <StatusBadge row={row} />
                    </td>
                    {draft.columns.map((column) => (
                      <td key={column.field}>
                        {row.values[column.field] ||
                          (column.field === "unit" ? <span className="muted">{t("imports.preview.ward")}</span> : null)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}
