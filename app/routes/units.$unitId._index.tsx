import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData, useLocation, useSearchParams } from "@remix-run/react";
import { can, requirePermission } from "~/auth/permissions.server";
import { requireUser } from "~/auth/session.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/form";
import { formValues, parseForm, readForm } from "~/components/forms";
import { useT } from "~/i18n/use-t";
import { Breadcrumbs, unitCrumbs } from "~/units/breadcrumbs";
import { GroupSection, ProvinceSection, WardSection } from "~/units/unit-sections";
import { deleteGroupSchema, renameGroupSchema, unitNameSchema, unitNotice } from "~/units/units.schema";
import {
  addUnit,
  deleteResidentialGroup,
  listCurrentHolders,
  listResidentialGroups,
  listWards,
  notFound,
  readableTrail,
  refusal,
  renameUnit,
  requireGroupOfWard,
  requireUnit,
} from "~/units/units.server";
import { idParam } from "~/components/params.server";
import { loadCatalogs } from "~/i18n/i18n";
import auditMessages from "~/i18n/messages/audit";
import pollsMessages from "~/i18n/messages/polls";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(auditMessages, pollsMessages, unitsMessages);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const unitId = idParam(params.unitId);
  await requirePermission(user, "unit.read", unitId);
  const unit = await requireUnit({ unitId });
  const trail = await readableTrail({ user, unitId });
  const ward = trail.find((u) => u.kind === "ward") ?? null;
  return {
    unit,
    trail,
    ward,
    canManage: await can(user, "unit.manage", unit.id),
    canReadCadres: ward ? await can(user, "cadre.read", ward.id) : false,
    canReadPolls: unit.kind === "province" ? false : await can(user, "poll.read", unit.id),
    isAdmin: user.grants.some((g) => g.role === "admin"),
    groups: unit.kind === "ward" ? await listResidentialGroups({ wardId: unit.id }) : [],
    holders: unit.kind === "residential_group" ? await listCurrentHolders({ unitId: unit.id }) : [],
    wards: unit.kind === "province" ? await listWards({ provinceId: unit.id }) : [],
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const unitId = idParam(params.unitId);
  await requirePermission(user, "unit.manage", unitId);
  const unit = await requireUnit({ unitId });
  const formData = await readForm(request);
  const intent = String(formData.get("intent") ?? "");
  const actor = { userId: user.id, label: user.username };
  const wardOnly = () => {
    if (unit.kind !== "ward") throw new Response("Bad Request", { status: 400 });
  };

  if (intent === "createGroup") {
    wardOnly();
    const parsed = parseForm(unitNameSchema, formData);
    if (!parsed.ok) return refusal({ intent, errors: parsed.errors, values: parsed.values });
    const result = await addUnit({ actor, parentId: unit.id, kind: "residential_group", name: parsed.data.name });
    if (!result.ok) return refusal({ intent, errors: { name: result.error }, values: formValues(formData) });
    return redirect(`/units/${unit.id}?notice=groupCreated`);
  }

  if (intent === "renameUnit") {
    if (unit.kind === "province") throw new Response("Bad Request", { status: 400 });
    const parsed = parseForm(unitNameSchema, formData);
    if (!parsed.ok) return refusal({ intent, errors: parsed.errors, values: parsed.values });
    const result = await renameUnit({ actor, unitId: unit.id, name: parsed.data.name });
    if (!result.ok) return refusal({ intent, errors: { name: result.error }, values: formValues(formData) });
    return redirect(`/units/${unit.id}?notice=renamed`);
  }

  if (intent === "renameGroup") {
    wardOnly();
    const parsed = parseForm(renameGroupSchema, formData);
    // A group id that is not a number was not sent by this page.
    if (!parsed.ok && parsed.errors.groupId) notFound();
    const targetId = Number(formData.get("groupId"));
    if (!parsed.ok) return refusal({ intent, targetId, errors: parsed.errors, values: parsed.values });
    const group = await requireGroupOfWard({ wardId: unit.id, groupId: parsed.data.groupId });
    const result = await renameUnit({ actor, unitId: group.id, name: parsed.data.name });
    if (!result.ok) {
      return refusal({ intent, targetId: group.id, errors: { name: result.error }, values: formValues(formData) });
    }
    return redirect(`/units/${unit.id}?notice=renamed`);
  }

  if (intent === "deleteGroup") {
    wardOnly();
    const parsed = parseForm(deleteGroupSchema, formData);
    if (!parsed.ok) notFound();
    const result = await deleteResidentialGroup({ actor, wardId: unit.id, groupId: parsed.data.groupId });
    if (!result.ok) return refusal({ intent, targetId: parsed.data.groupId, formError: result.error });
    return redirect(`/units/${unit.id}?notice=groupDeleted`);
  }

  throw new Response("Bad Request", { status: 400 });
}

export default function UnitPage() {
  const { unit, trail, ward, canManage, canReadCadres, canReadPolls, isAdmin, groups, holders, wards } =
    useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const [params] = useSearchParams();
  // A new location after a successful change remounts the forms, so they come back empty.
  const { key } = useLocation();
  const t = useT();
  return (
    <div key={key}>
      <Breadcrumbs items={unitCrumbs(trail)} />
      <h1>{unit.name}</h1>
      <p className="muted">
        {t(`units.kind.${unit.kind}`)}
        {unit.parent_name && unit.kind !== "residential_group" ? ` · ${unit.parent_name}` : null}
      </p>
      <Notice message={unitNotice(params.get("notice"))} />
      {unit.kind === "ward" ? (
        <WardSection
          ward={unit}
          groups={groups}
          canManage={canManage}
          canReadCadres={canReadCadres}
          canReadPolls={canReadPolls}
          refused={refused}
        />
      ) : unit.kind === "residential_group" ? (
        <GroupSection
          group={unit}
          ward={ward}
          holders={holders}
          canManage={canManage}
          canReadCadres={canReadCadres}
          canReadPolls={canReadPolls}
          refused={refused}
        />
      ) : (
        <ProvinceSection wards={wards} isAdmin={isAdmin} />
      )}
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.unit.name} — Phiếu` : "Phiếu" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
