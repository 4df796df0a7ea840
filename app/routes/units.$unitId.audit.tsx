import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AuditEntryList, AuditFilter, AuditPager, ChainBanner } from "~/audit/audit-log";
import {
  AUDIT_FAMILIES,
  auditReferences,
  isAuditFamily,
  listUnitAudit,
  parseEntryId,
  verifyAuditChain,
} from "~/audit/audit.server";
import { requirePermission, unitsCoveredBy } from "~/auth/permissions.server";
import { requireUser } from "~/auth/session.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { db } from "~/db.server";
import { useT } from "~/i18n/use-t";
import { idParam } from "~/polls/poll-access.server";
import { pageTitle } from "~/polls/poll-status";
import { Breadcrumbs, unitCrumbs } from "~/units/breadcrumbs";
import { readableTrail, requireUnit } from "~/units/units.server";
import { loadCatalogs } from "~/i18n/i18n";
import auditMessages from "~/i18n/messages/audit";
import authMessages from "~/i18n/messages/auth";
import credentialsMessages from "~/i18n/messages/credentials";
import paperMessages from "~/i18n/messages/paper";
import pollsMessages from "~/i18n/messages/polls";
import unitsMessages from "~/i18n/messages/units";
import usersMessages from "~/i18n/messages/users";

loadCatalogs(
  auditMessages,
  authMessages,
  credentialsMessages,
  paperMessages,
  pollsMessages,
  unitsMessages,
  usersMessages
);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const unitId = idParam(params.unitId);
  await requirePermission(user, "audit.read", unitId);
  const unit = await requireUnit({ unitId });
  const search = new URL(request.url).searchParams;
  const requested = search.get("family");
  const family = isAuditFamily(requested) ? requested : null;
  const before = parseEntryId(search.get("before"));
  if (before === undefined) throw new Response("Bad Request", { status: 400 });
  // Entries tied to no unit (logins, own password changes, the command line's accounts) belong to nobody's ward:
  // a reader of every unit sees them on a province's log.
  const allUnits = (await unitsCoveredBy(user, "audit.read")) === "all";
  const includeUnitless = allUnits && unit.kind === "province";
  const page = await listUnitAudit({ unitId, family, before, includeUnitless });
  return {
    unit,
    trail: await readableTrail({ user, unitId }),
    family,
    families: Object.keys(AUDIT_FAMILIES),
    includeUnitless,
    isFirstPage: before === null,
    ...page,
    names: await auditReferences({ unitId, allUnits, entries: page.entries }),
    chain: await verifyAuditChain(db),
  };
}

export default function UnitAudit() {
  const { unit, trail, family, families, includeUnitless, isFirstPage, entries, nextBefore, names, chain } =
    useLoaderData<typeof loader>();
  const t = useT();
  return (
    <>
      <Breadcrumbs items={[...unitCrumbs(trail), { label: t("audit.title") }]} />
      <h1>{t("audit.titleOf", { unit: unit.name })}</h1>
      <ChainBanner chain={chain} />
      <p className="muted">{t("audit.intro")}</p>
      {includeUnitless ? <p className="muted">{t("audit.introUnitless")}</p> : null}
      <section className="card" aria-labelledby="audit-entries-title">
        <h2 id="audit-entries-title" className="visually-hidden">
          {t("audit.entriesTitle")}
        </h2>
        <AuditFilter family={family} families={families} />
        {entries.length === 0 ? (
          <p className="muted">{t(family ? "audit.emptyFiltered" : "audit.empty")}</p>
        ) : (
          <AuditEntryList entries={entries} names={names} pageUnitId={unit.id} chain={chain} />
        )}
        <AuditPager
          path={`/units/${unit.id}/audit`}
          family={family}
          nextBefore={nextBefore}
          isFirstPage={isFirstPage}
        />
      </section>
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, data ? { key: "audit.titleOf", params: { unit: data.unit.name } } : "audit.title");

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
