import { Form } from "@remix-run/react";
import type { FieldValues, UseFormRegister } from "react-hook-form";
import { Field, FormError, useValidatedForm } from "~/components/form";
import type { Message } from "~/i18n/i18n";
import { formatDate } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import type { Refused } from "~/units/unit-forms";
import { cadreSchema, editPositionSchema, endPositionSchema, newCadreSchema, positionSchema } from "./cadres.schema";

export interface TitleOption {
  id: number;
  name: string;
}
export interface UnitOption {
  id: number;
  name: string;
  kind: string;
}
export interface PositionDefaults {
  titleId?: number;
  unitId?: number;
  startedOn?: string;
  endedOn?: string | null;
}

type ErrorFor = (name: string) => Message | undefined;

/** What the field shows: what the user typed before a refusal, else the stored value. */
function initial(refused: Refused | undefined, name: string, stored: string | number | null | undefined) {
  if (refused) return refused.values[name] ?? "";
  return stored === null || stored === undefined ? "" : String(stored);
}

function CadreFields({
  register,
  errorFor,
  refused,
  cadre,
}: {
  register: UseFormRegister<FieldValues>;
  errorFor: ErrorFor;
  refused?: Refused;
  cadre?: { full_name: string; birth_year: number | null };
}) {
  const t = useT();
  return (
    <div className="field-row">
      <Field label={t("cadres.fullName")} error={errorFor("fullName")}>
        {(a11y) => (
          <input
            {...a11y}
            {...register("fullName")}
            autoComplete="off"
            defaultValue={initial(refused, "fullName", cadre?.full_name)}
          />
        )}
      </Field>
      <Field label={t("cadres.birthYear")} hint={t("common.optional")} error={errorFor("birthYear")}>
        {(a11y) => (
          <input
            {...a11y}
            {...register("birthYear")}
            inputMode="numeric"
            autoComplete="off"
            defaultValue={initial(refused, "birthYear", cadre?.birth_year)}
          />
        )}
      </Field>
    </div>
  );
}

/** Title (one of the ward's, or a new one typed in), unit, start and, when editing, end. */
export function PositionFields({
  register,
  errorFor,
  titles,
  units,
  refused,
  defaults = {},
  withEnd = false,
}: {
  register: UseFormRegister<FieldValues>;
  errorFor: ErrorFor;
  titles: TitleOption[];
  units: UnitOption[];
  refused?: Refused;
  defaults?: PositionDefaults;
  withEnd?: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  const date = (value: string | null | undefined) => (value ? formatDate(locale, value) : "");
  return (
    <>
      <div className="field-row">
        <Field label={t("cadres.titleField")} error={errorFor("titleId")}>
          {(a11y) => (
            <select {...a11y} {...register("titleId")} defaultValue={initial(refused, "titleId", defaults.titleId)}>
              <option value="">{t("cadres.chooseTitle")}</option>
              {titles.map((title) => (
                <option key={title.id} value={title.id}>
                  {title.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("cadres.newTitle")} hint={t("cadres.newTitleHint")} error={errorFor("newTitle")}>
          {(a11y) => (
            <input
              {...a11y}
              {...register("newTitle")}
              autoComplete="off"
              defaultValue={initial(refused, "newTitle", "")}
            />
          )}
        </Field>
      </div>
      <div className="field-row">
        <Field label={t("cadres.unit")} error={errorFor("unitId")}>
          {(a11y) => (
            <select
              {...a11y}
              {...register("unitId")}
              defaultValue={initial(refused, "unitId", defaults.unitId ?? units[0]?.id)}
            >
              {units.map((unit) => (
                <option key={unit.id} value={unit.id}>
                  {unit.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("cadres.startedOn")} hint={t("cadres.dateHint")} error={errorFor("startedOn")}>
          {(a11y) => (
            <input
              {...a11y}
              {...register("startedOn")}
              inputMode="numeric"
              placeholder={t("cadres.datePlaceholder")}
              autoComplete="off"
              defaultValue={initial(refused, "startedOn", date(defaults.startedOn))}
            />
          )}
        </Field>
        {withEnd ? (
          <Field label={t("cadres.endedOn")} hint={t("cadres.endedOnEditHint")} error={errorFor("endedOn")}>
            {(a11y) => (
              <input
                {...a11y}
                {...register("endedOn")}
                inputMode="numeric"
                placeholder={t("cadres.datePlaceholder")}
                autoComplete="off"
                defaultValue={initial(refused, "endedOn", date(defaults.endedOn))}
              />
            )}
          </Field>
        ) : null}
      </div>
    </>
  );
}

export function NewCadreForm({
  titles,
  units,
  refused,
}: {
  titles: TitleOption[];
  units: UnitOption[];
  refused?: Refused;
}) {
  const t = useT();
  const { register, errorFor, onSubmit } = useValidatedForm(newCadreSchema, refused?.errors);
  return (
    <Form method="post" onSubmit={onSubmit} noValidate>
      <input type="hidden" name="intent" value="createCadre" />
      <FormError error={refused?.formError ?? undefined} />
      <CadreFields register={register} errorFor={errorFor} refused={refused} />
      <h3>{t("cadres.firstPosition")}</h3>
      <PositionFields register={register} errorFor={errorFor} titles={titles} units={units} refused={refused} />
      <button type="submit" className="button">
        {t("cadres.add")}
      </button>
    </Form>
  );
}

export function EditCadreForm({
  cadre,
  refused,
}: {
  cadre: { full_name: string; birth_year: number | null };
  refused?: Refused;
}) {
  const t = useT();
  const { register, errorFor, onSubmit } = useValidatedForm(cadreSchema, refused?.errors);
  return (
    <Form method="post" onSubmit={onSubmit} noValidate>
      <input type="hidden" name="intent" value="updateCadre" />
      <CadreFields register={register} errorFor={errorFor} refused={refused} cadre={cadre} />
      <button type="submit" className="button">
        {t("common.save")}
      </button>
    </Form>
  );
}

export function AddPositionForm({
  titles,
  units,
  refused,
}: {
  titles: TitleOption[];
  units: UnitOption[];
  refused?: Refused;
}) {
  const t = useT();
  const { register, errorFor, onSubmit } = useValidatedForm(positionSchema, refused?.errors);
  return (
    <Form method="post" onSubmit={onSubmit} noValidate>
      <input type="hidden" name="intent" value="addPosition" />
      <PositionFields register={register} errorFor={errorFor} titles={titles} units={units} refused={refused} />
      <button type="submit" className="button">
        {t("cadres.addPosition")}
      </button>
    </Form>
  );
}

export function EditPositionForm({
  positionId,
  defaults,
  titles,
  units,
  refused,
}: {
  positionId: number;
  defaults: PositionDefaults;
  titles: TitleOption[];
  units: UnitOption[];
  refused?: Refused;
}) {
  const t = useT();
  const { register, errorFor, onSubmit } = useValidatedForm(editPositionSchema, refused?.errors);
  return (
    <Form method="post" onSubmit={onSubmit} noValidate>
      <input type="hidden" name="intent" value="editPosition" />
      <input type="hidden" value={positionId} {...register("positionId")} />
      <PositionFields
        register={register}
        errorFor={errorFor}
        titles={titles}
        units={units}
        refused={refused}
        defaults={defaults}
        withEnd
      />
      <button type="submit" className="button">
        {t("common.save")}
      </button>
    </Form>
  );
}

export function EndPositionForm({
  positionId,
  today,
  refused,
}: {
  positionId: number;
  today: string;
  refused?: Refused;
}) {
  const t = useT();
  const locale = useLocale();
  const { register, errorFor, onSubmit } = useValidatedForm(endPositionSchema, refused?.errors);
  return (
    <Form method="post" onSubmit={onSubmit} noValidate>
      <input type="hidden" name="intent" value="endPosition" />
      <input type="hidden" value={positionId} {...register("positionId")} />
      <Field label={t("cadres.endedOn")} hint={t("cadres.endedOnHint")} error={errorFor("endedOn")}>
        {(a11y) => (
          <input
            {...a11y}
            {...register("endedOn")}
            inputMode="numeric"
            placeholder={t("cadres.datePlaceholder")}
            autoComplete="off"
            defaultValue={initial(refused, "endedOn", formatDate(locale, today))}
          />
        )}
      </Field>
      <button type="submit" className="button button--danger">
        {t("cadres.endPosition")}
      </button>
    </Form>
  );
}
