import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { useT } from "~/i18n/use-t";
import type { MessageKey } from "~/i18n/i18n";

const KNOWN = [400, 401, 403, 404, 405, 409, 410, 413, 429] as const;

/** The one error boundary: a plain Vietnamese message for the status, never a stack trace. */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  const t = useT();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const key = (KNOWN as readonly number[]).includes(status) ? `error.${status}` : "error.500";
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">{t("error.title")}</h1>
      <p data-status={status}>{t(key as MessageKey)}</p>
      <p>
        <Link to="/">{t("error.home")}</Link>
      </p>
    </section>
  );
}
