import type { FieldValues, UseFormRegister } from "react-hook-form";
import { Field } from "~/components/form";
import { DEFAULT_LOCALE, type Locale } from "~/i18n/define";
import { translate, type Message, type MessageKey, type MessageParams } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import { GLOBAL_UNIT } from "./users.schema";

export const ROLE_OPTIONS = ["admin", "front_officer", "counting_member", "committee_reader"] as const;

export interface UnitOption {
  id: number;
  name: string;
  depth: number;
}

/** The role and unit of a grant, as two plain selects (they post without JavaScript). */
export function GrantFields({
  units,
  canGrantGlobal,
  register,
  errorFor,
  values,
}: {
  units: UnitOption[];
  canGrantGlobal: boolean;
  register: UseFormRegister<FieldValues>;
  errorFor: (name: string) => Message | undefined;
  values?: Record<string, string>;
}) {
  const t = useT();
  return (
    <div className="field-row">
      <Field label={t("users.role")} error={errorFor("role")}>
        {(a11y) => (
          <select {...a11y} {...register("role")} defaultValue={values?.role ?? ""}>
            <option value="">{t("users.chooseRole")}</option>
            {ROLE_OPTIONS.map((role) => (
              <option key={role} value={role}>
                {t(`role.${role}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t("users.unit")} hint={t("users.unitHint")} error={errorFor("unitId")}>
        {(a11y) => (
          <select {...a11y} {...register("unitId")} defaultValue={values?.unitId ?? ""}>
            <option value="">{t("users.chooseUnit")}</option>
            {canGrantGlobal ? <option value={GLOBAL_UNIT}>{t("users.everyUnitOption")}</option> : null}
            {units.map((unit) => (
              <option key={unit.id} value={String(unit.id)}>
                {"\u00a0\u00a0".repeat(unit.depth) + unit.name}
              </option>
            ))}
          </select>
        )}
      </Field>
    </div>
  );
}

/** "Role — unit", with "every unit" for a global grant. */
export function useGrantText() {
  const t = useT();
  return (grant: { role: string; unit_name: string | null; unit_id: number | null }) =>
    t("users.grant", {
      role: t(`role.${grant.role}`),
      unit: grant.unit_id === null ? t("users.everyUnit") : grant.unit_name ?? "",
    });
}

export function AccountStatus({ disabledAt }: { disabledAt: unknown }) {
  const t = useT();
  return disabledAt ? (
    <span className="badge badge--disabled">{t("users.disabled")}</span>
  ) : (
    <span className="badge badge--ok">{t("users.active")}</span>
  );
}

/** The page title in the reader's language (meta runs outside React, so it reads the locale from the root match). */
export function pageTitle(matches: { id: string; data?: unknown }[], key: MessageKey, params?: MessageParams) {
  const root = matches.find((m) => m.id === "root")?.data as { locale?: Locale } | undefined;
  const locale = root?.locale ?? DEFAULT_LOCALE;
  return [{ title: `${translate(locale, key, params)} — ${translate(locale, "app.name")}` }];
}
