import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData, useLocation, useSearchParams } from "@remix-run/react";
import { hasAnyGrant, requirePermission } from "~/auth/permissions.server";
import { requireUser, type SessionUser } from "~/auth/session.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/form";
import { formValues, parseForm, readForm } from "~/components/forms";
import { useT } from "~/i18n/use-t";
import { CreateWardForm, ProvinceList } from "~/units/admin-units";
import { Breadcrumbs } from "~/units/breadcrumbs";
import { refusedFor, UnitNameForm } from "~/units/unit-forms";
import { createWardSchema, renameAdminUnitSchema, unitNameSchema, unitNotice } from "~/units/units.schema";
import {
  addUnit,
  isGlobalAdmin,
  listProvincesAndWards,
  notFound,
  refusal,
  renameUnit,
  requireUnit,
} from "~/units/units.server";
import { loadCatalogs } from "~/i18n/i18n";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(unitsMessages);

function requireAdmin(user: SessionUser) {
  if (!hasAnyGrant(user, "ward.create")) throw new Response("Forbidden", { status: 403 });
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  requireAdmin(user);
  return { provinces: await listProvincesAndWards({ user }), canCreateProvince: isGlobalAdmin(user) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  requireAdmin(user);
  const formData = await readForm(request);
  const intent = String(formData.get("intent") ?? "");
  const actor = { userId: user.id, label: user.username };

  if (intent === "createProvince") {
    if (!isGlobalAdmin(user)) throw new Response("Forbidden", { status: 403 });
    const parsed = parseForm(unitNameSchema, formData);
    if (!parsed.ok) return refusal({ intent, errors: parsed.errors, values: parsed.values });
    const result = await addUnit({ actor, parentId: null, kind: "province", name: parsed.data.name });
    if (!result.ok) return refusal({ intent, errors: { name: result.error }, values: formValues(formData) });
    return redirect("/admin/units?notice=provinceCreated");
  }

  if (intent === "createWard") {
    const parsed = parseForm(createWardSchema, formData);
    if (!parsed.ok) return refusal({ intent, errors: parsed.errors, values: parsed.values });
    await requirePermission(user, "ward.create", parsed.data.provinceId);
    const province = await requireUnit({ unitId: parsed.data.provinceId });
    if (province.kind !== "province") notFound();
    const result = await addUnit({ actor, parentId: province.id, kind: "ward", name: parsed.data.name });
    if (!result.ok) return refusal({ intent, errors: { name: result.error }, values: formValues(formData) });
    return redirect("/admin/units?notice=wardCreated");
  }

  if (intent === "renameUnit") {
    const parsed = parseForm(renameAdminUnitSchema, formData);
    if (!parsed.ok && parsed.errors.unitId) notFound();
    const targetId = Number(formData.get("unitId")) || null;
    if (!parsed.ok) return refusal({ intent, targetId, errors: parsed.errors, values: parsed.values });
    await requirePermission(user, "ward.create", parsed.data.unitId);
    const unit = await requireUnit({ unitId: parsed.data.unitId });
    if (unit.kind !== "province" && unit.kind !== "ward") notFound();
    const result = await renameUnit({ actor, unitId: unit.id, name: parsed.data.name });
    if (!result.ok) return refusal({ intent, targetId, errors: { name: result.error }, values: formValues(formData) });
    return redirect("/admin/units?notice=renamed");
  }

  throw new Response("Bad Request", { status: 400 });
}

export default function AdminUnits() {
  const { provinces, canCreateProvince } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const [params] = useSearchParams();
  const { key } = useLocation();
  const t = useT();
  const manageable = provinces.filter((p) => p.canManage);
  return (
    <div key={key}>
      <Breadcrumbs items={[{ label: t("units.admin.title") }]} />
      <h1>{t("units.admin.title")}</h1>
      <Notice message={unitNotice(params.get("notice"))} />
      <ProvinceList provinces={provinces} refused={refused} />
      <div className="grid-2">
        {manageable.length > 0 ? (
          <section className="card" aria-labelledby="create-ward-title">
            <h2 id="create-ward-title">{t("units.admin.createWard")}</h2>
            <CreateWardForm provinces={manageable} refused={refusedFor(refused, "createWard")} />
          </section>
        ) : null}
        {canCreateProvince ? (
          <section className="card" aria-labelledby="create-province-title">
            <h2 id="create-province-title">{t("units.admin.createProvince")}</h2>
            <UnitNameForm
              intent="createProvince"
              label={t("units.admin.provinceName")}
              submitLabel={t("common.create")}
              refused={refusedFor(refused, "createProvince")}
            />
          </section>
        ) : null}
      </div>
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Phiếu" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
