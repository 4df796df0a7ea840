import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import type { $ZodType, output } from "zod/v4/core";
import { useActionData, useLoaderData, useLocation, useSearchParams } from "@remix-run/react";
import { can, requirePermission } from "~/auth/permissions.server";
import { requireUser } from "~/auth/session.server";
import { AddPositionForm, EditCadreForm } from "~/cadres/cadre-forms";
import {
  cadreNotice,
  cadreSchema,
  editPositionSchema,
  endPositionSchema,
  positionSchema,
  todayInVietnam,
  type CadreNotice,
} from "~/cadres/cadres.schema";
import {
  addPosition,
  endPosition,
  listPositions,
  listWardUnits,
  requireCadre,
  updateCadre,
  updatePosition,
  type CadreChange,
} from "~/cadres/cadres.server";
import { listTitles } from "~/cadres/titles.server";
import { PositionHistory } from "~/cadres/position-history";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/form";
import { formValues, parseForm, readForm, type FormFailure } from "~/components/forms";
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
  const cadre = await requireCadre({ wardId: ward.id, cadreId: idParam(params.cadreId) });
  const canManage = await can(user, "cadre.manage", ward.id);
  return {
    ward,
    cadre,
    trail: await readableTrail({ user, unitId: ward.id }),
    positions: await listPositions({ cadreId: cadre.id }),
    canManage,
    titles: canManage ? await listTitles({ wardId: ward.id }) : [],
    units: canManage ? await listWardUnits({ wardId: ward.id }) : [],
    today: todayInVietnam(),
  };
}

const NOTICES: Record<string, CadreNotice> = {
  updateCadre: "cadreUpdated",
  addPosition: "positionCreated",
  editPosition: "positionUpdated",
  endPosition: "positionEnded",
};

/** Parses the form with its schema, then makes the change; either may refuse with field errors. */
async function apply<S extends $ZodType>(
  schema: S,
  formData: FormData,
  change: (input: output<S>) => Promise<CadreChange>
): Promise<CadreChange | FormFailure> {
  const parsed = parseForm(schema, formData);
  if (!parsed.ok) return parsed;
  const result = await change(parsed.data);
  return result.ok ? result : { ...result, values: formValues(formData) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const unitId = idParam(params.unitId);
  await requirePermission(user, "cadre.manage", unitId);
  const ward = await requireWard({ unitId });
  const cadre = await requireCadre({ wardId: ward.id, cadreId: idParam(params.cadreId) });
  const formData = await readForm(request);
  const intent = String(formData.get("intent") ?? "");
  const scope = { actor: { userId: user.id, label: user.username }, wardId: ward.id, cadreId: cadre.id };
  let outcome: CadreChange | FormFailure;
  if (intent === "updateCadre")
    outcome = await apply(cadreSchema, formData, (input) => updateCadre({ ...scope, input }));
  else if (intent === "addPosition") {
    outcome = await apply(positionSchema, formData, (input) => addPosition({ ...scope, input }));
  } else if (intent === "editPosition") {
    outcome = await apply(editPositionSchema, formData, (input) => updatePosition({ ...scope, input }));
  } else if (intent === "endPosition") {
    outcome = await apply(endPositionSchema, formData, (input) => endPosition({ ...scope, ...input }));
  } else throw new Response("Bad Request", { status: 400 });
  if (!outcome.ok) {
    // A position id that is not a number was not sent by this page.
    if (outcome.errors.positionId) throw new Response("Not Found", { status: 404 });
    const targetId = Number(formData.get("positionId")) || null;
    return refusal({ intent, targetId, errors: outcome.errors, values: "values" in outcome ? outcome.values : {} });
  }
  return redirect(`/units/${ward.id}/cadres/${cadre.id}?notice=${NOTICES[intent]}`);
}

export default function CadrePage() {
  const { ward, cadre, trail, positions, canManage, titles, units, today } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const [params] = useSearchParams();
  const { key } = useLocation();
  const t = useT();
  return (
    <div key={key}>
      <Breadcrumbs
        items={[
          ...unitCrumbs(trail),
          { label: t("cadres.title"), to: `/units/${ward.id}/cadres` },
          { label: cadre.full_name },
        ]}
      />
      <h1>{cadre.full_name}</h1>
      <p className="muted">{cadre.birth_year ? t("cadres.bornIn", { year: cadre.birth_year }) : null}</p>
      <Notice message={cadreNotice(params.get("notice"))} />
      <section className="card" aria-labelledby="positions-title">
        <h2 id="positions-title">{t("cadres.positions")}</h2>
        <PositionHistory
          positions={positions}
          titles={titles}
          units={units}
          canManage={canManage}
          today={today}
          refused={refused}
        />
      </section>
      {canManage ? (
        <div className="grid-2">
          <section className="card" aria-labelledby="add-position-title">
            <h2 id="add-position-title">{t("cadres.addPosition")}</h2>
            <AddPositionForm
              titles={titles}
              units={units}
              refused={refused?.intent === "addPosition" ? refused : undefined}
            />
          </section>
          <section className="card" aria-labelledby="edit-cadre-title">
            <h2 id="edit-cadre-title">{t("cadres.editCadre")}</h2>
            <EditCadreForm cadre={cadre} refused={refused?.intent === "updateCadre" ? refused : undefined} />
          </section>
        </div>
      ) : null}
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.cadre.full_name} — Phiếu` : "Phiếu" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
