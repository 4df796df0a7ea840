import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useLocation, useSearchParams } from "@remix-run/react";
import { can, requirePermission } from "~/auth/permissions.server";
import { requireUser } from "~/auth/session.server";
import { NewCadreForm } from "~/cadres/cadre-forms";
import { CadreList } from "~/cadres/cadre-list";
import { cadreNotice, newCadreSchema } from "~/cadres/cadres.schema";
import { createCadre, listCadres, listWardUnits } from "~/cadres/cadres.server";
import { listTitles } from "~/cadres/titles.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/form";
import { formValues, parseForm, readForm } from "~/components/forms";
import { useT } from "~/i18n/use-t";
import { Breadcrumbs, unitCrumbs } from "~/units/breadcrumbs";
import { readableTrail, refusal, requireWard } from "~/units/units.server";
import { idParam } from "~/components/params.server";
import { loadCatalogs } from "~/i18n/i18n";
import cadresMessages from "~/i18n/messages/cadres";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(cadresMessages, unitsMessages);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const unitId = idParam(params.unitId);
  await requirePermission(user, "cadre.read", unitId);
  const ward = await requireWard({ unitId });
  const canManage = await can(user, "cadre.manage", ward.id);
  return {
    ward,
    trail: await readableTrail({ user, unitId: ward.id }),
    cadres: await listCadres({ wardId: ward.id }),
    canManage,
    titles: canManage ? await listTitles({ wardId: ward.id }) : [],
    units: canManage ? await listWardUnits({ wardId: ward.id }) : [],
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const unitId = idParam(params.unitId);
  await requirePermission(user, "cadre.manage", unitId);
  const ward = await requireWard({ unitId });
  const formData = await readForm(request);
  const intent = "createCadre";
  if (formData.get("intent") !== intent) throw new Response("Bad Request", { status: 400 });
  const parsed = parseForm(newCadreSchema, formData);
  if (!parsed.ok) return refusal({ intent, errors: parsed.errors, values: parsed.values });
  const result = await createCadre({
    actor: { userId: user.id, label: user.username },
    wardId: ward.id,
    input: parsed.data,
  });
  if (!result.ok) return refusal({ intent, errors: result.errors, values: formValues(formData) });
  return redirect(`/units/${ward.id}/cadres/${result.id}?notice=cadreCreated`);
}

export default function WardCadres() {
  const { ward, trail, cadres, canManage, titles, units } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const [params] = useSearchParams();
  const { key } = useLocation();
  const t = useT();
  return (
    <div key={key}>
      <Breadcrumbs items={[...unitCrumbs(trail), { label: t("cadres.title") }]} />
      <h1>{t("cadres.titleOfWard", { ward: ward.name })}</h1>
      <Notice message={cadreNotice(params.get("notice"))} />
      <p className="actions">
        <Link className="button button--secondary" to={`/units/${ward.id}`}>
          {t("cadres.backToWard")}
        </Link>
      </p>
      <CadreList wardId={ward.id} cadres={cadres} />
      {canManage ? (
        <section className="card" aria-labelledby="add-cadre-title">
          <h2 id="add-cadre-title">{t("cadres.add")}</h2>
          <NewCadreForm titles={titles} units={units} refused={refused} />
        </section>
      ) : null}
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.ward.name} — Phiếu` : "Phiếu" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
