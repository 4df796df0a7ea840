import { Form, Link } from "@remix-run/react";
import { Field, useValidatedForm } from "~/components/form";
import { useT } from "~/i18n/use-t";
import { RenameDetails, refusedFor, type Refused } from "./unit-forms";
import { createWardSchema } from "./units.schema";

export interface ProvinceRow {
  id: number;
  name: string;
  canManage: boolean;
  wards: { id: number; name: string }[];
}

/** Provinces with their wards, each renamed in place. */
export function ProvinceList({ provinces, refused }: { provinces: ProvinceRow[]; refused?: Refused }) {
  const t = useT();
  if (provinces.length === 0) return <p className="card muted">{t("units.admin.noProvinces")}</p>;
  return (
    <>
      {provinces.map((province) => (
        <section key={province.id} className="card" aria-labelledby={`province-${province.id}`}>
          <div className="unit-list__item">
            <h2 id={`province-${province.id}`} className="unit-list__main">
              {province.name}
            </h2>
            {province.canManage ? (
              <RenameDetails
                summary={t("units.rename")}
                intent="renameUnit"
                hidden={{ unitId: province.id }}
                currentName={province.name}
                refused={refusedFor(refused, "renameUnit", province.id)}
              />
            ) : null}
          </div>
          {province.wards.length === 0 ? (
            <p className="muted">{t("units.wardsEmpty")}</p>
          ) : (
            <ul className="list-plain unit-list">
              {province.wards.map((ward) => (
                <li key={ward.id} className="unit-list__item">
                  <Link className="unit-list__main" to={`/units/${ward.id}`}>
                    {ward.name}
                  </Link>
                  <RenameDetails
                    summary={t("units.rename")}
                    intent="renameUnit"
                    hidden={{ unitId: ward.id }}
                    currentName={ward.name}
                    refused={refusedFor(refused, "renameUnit", ward.id)}
                  />
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </>
  );
}

export function CreateWardForm({
  provinces,
  refused,
}: {
  provinces: { id: number; name: string }[];
  refused?: Refused;
}) {
  const t = useT();
  const { register, errorFor, onSubmit } = useValidatedForm(createWardSchema, refused?.errors);
  return (
    <Form method="post" onSubmit={onSubmit} noValidate>
      <input type="hidden" name="intent" value="createWard" />
      <Field label={t("units.admin.province")} error={errorFor("provinceId")}>
        {(a11y) => (
          <select {...a11y} {...register("provinceId")} defaultValue={refused?.values.provinceId ?? ""}>
            <option value="">{t("units.admin.chooseProvince")}</option>
            {provinces.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t("units.admin.wardName")} error={errorFor("name")}>
        {(a11y) => <input {...a11y} {...register("name")} autoComplete="off" defaultValue={refused?.values.name} />}
      </Field>
      <button type="submit" className="button">
        {t("common.create")}
      </button>
    </Form>
  );
}
