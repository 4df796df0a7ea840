import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/session.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { useT } from "~/i18n/use-t";
import { listGrantedUnits } from "~/units/units.server";
import { loadCatalogs } from "~/i18n/i18n";
import authMessages from "~/i18n/messages/auth";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(authMessages, unitsMessages);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const units = await listGrantedUnits({ user });
  const roles = [...new Set(user.grants.map((g) => g.role))];
  return { units, roles, isAdmin: roles.includes("admin") };
}

export default function Home() {
  const { units, roles, isAdmin } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <>
      <h1>{t("home.title")}</h1>
      <p className="muted">{roles.map((r) => t(`role.${r}`)).join(" · ")}</p>
      {units.length === 0 ? (
        <p className="card">{t("home.noUnits")}</p>
      ) : (
        <ul className="list-plain card" aria-label={t("home.units")}>
          {units.map((unit) => (
            <li key={unit.id}>
              <Link to={`/units/${unit.id}`}>
                <strong>{unit.name}</strong>
              </Link>
              {unit.parent_name ? <span className="muted"> — {unit.parent_name}</span> : null}
              <div className="muted">{t("home.childCount", { count: unit.children })}</div>
            </li>
          ))}
        </ul>
      )}
      {isAdmin ? (
        <p className="actions">
          <Link className="button button--secondary" to="/admin/units">
            {t("home.manageWards")}
          </Link>
          <Link className="button button--secondary" to="/admin/users">
            {t("nav.users")}
          </Link>
        </p>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
