import { Link } from "@remix-run/react";
import { FormError } from "~/components/form";
import { formatDate } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import { DeleteGroupForm, RenameDetails, refusedFor, UnitNameForm, type Refused } from "./unit-forms";

/** A ward's page: its residential groups, with the forms an officer who manages the ward uses. */
export function WardSection({
  ward,
  groups,
  canManage,
  canReadCadres,
  canReadPolls,
  refused,
}: {
  ward: { id: number; name: string };
  groups: { id: number; name: string; currentCadres: number; positions: number }[];
  canManage: boolean;
  canReadCadres: boolean;
  canReadPolls: boolean;
  refused?: Refused;
}) {
  const t = useT();
  const deleteRefused = refused?.intent === "deleteGroup" ? refused : undefined;
  return (
    <>
      <p className="actions">
        {canReadCadres ? (
          <Link className="button" to={`/units/${ward.id}/cadres`}>
            {t("units.cadresLink")}
          </Link>
        ) : null}
        {canReadPolls ? (
          <Link className="button button--secondary" to={`/units/${ward.id}/polls`}>
            {t("polls.listTitle")}
          </Link>
        ) : null}
        {canManage ? (
          <Link className="button button--secondary" to={`/units/${ward.id}/import`}>
            {t("units.importLink")}
          </Link>
        ) : null}
        {/* "audit.read" is held by the same roles as "unit.manage" (admin, front_officer). */}
        {canManage ? (
          <Link className="button button--secondary" to={`/units/${ward.id}/audit`}>
            {t("audit.link")}
          </Link>
        ) : null}
      </p>
      <section className="card" aria-labelledby="groups-title">
        <h2 id="groups-title">{t("units.groupsTitle", { count: groups.length })}</h2>
        <FormError error={deleteRefused?.formError ?? undefined} />
        {groups.length === 0 ? (
          <p className="muted">{t("units.groupsEmpty")}</p>
        ) : (
          <ul className="list-plain unit-list">
            {groups.map((group) => (
              <li key={group.id} className="unit-list__item">
                <div className="unit-list__main">
                  <Link to={`/units/${group.id}`}>
                    <strong>{group.name}</strong>
                  </Link>
                  <div className="muted">{t("units.currentCadres", { count: group.currentCadres })}</div>
                </div>
                {canManage ? (
                  <div className="actions unit-list__actions">
                    <RenameDetails
                      summary={t("units.rename")}
                      intent="renameGroup"
                      hidden={{ groupId: group.id }}
                      currentName={group.name}
                      refused={refusedFor(refused, "renameGroup", group.id)}
                    />
                    <DeleteGroupForm groupId={group.id} groupName={group.name} />
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      {canManage ? (
        <div className="grid-2">
          <section className="card" aria-labelledby="add-group-title">
            <h2 id="add-group-title">{t("units.addGroup")}</h2>
            <UnitNameForm
              intent="createGroup"
              label={t("units.groupName")}
              submitLabel={t("common.create")}
              refused={refusedFor(refused, "createGroup")}
            />
          </section>
          <section className="card" aria-labelledby="rename-ward-title">
            <h2 id="rename-ward-title">{t("units.renameWard")}</h2>
            <UnitNameForm
              intent="renameUnit"
              label={t("units.newName")}
              submitLabel={t("common.save")}
              defaultName={ward.name}
              refused={refusedFor(refused, "renameUnit")}
            />
          </section>
        </div>
      ) : null}
    </>
  );
}

/** A residential group's page: its ward and the cadres holding a position in it now. */
export function GroupSection({
  group,
  ward,
  holders,
  canManage,
  canReadCadres,
  canReadPolls,
  refused,
}: {
  group: { id: number; name: string };
  ward: { id: number; name: string; readable: boolean } | null;
  holders: { id: number; cadre_id: number; full_name: string; title: string; started_on: string }[];
  canManage: boolean;
  canReadCadres: boolean;
  canReadPolls: boolean;
  refused?: Refused;
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <>
      {ward ? (
        <p>
          {t("units.inWard")}{" "}
          {ward.readable ? <Link to={`/units/${ward.id}`}>{ward.name}</Link> : <strong>{ward.name}</strong>}
        </p>
      ) : null}
      {canReadPolls ? (
        <p className="actions">
          <Link className="button button--secondary" to={`/units/${group.id}/polls`}>
            {t("polls.listTitle")}
          </Link>
        </p>
      ) : null}
      <section className="card" aria-labelledby="holders-title">
        <h2 id="holders-title">{t("units.holdersTitle")}</h2>
        {holders.length === 0 ? (
          <p className="muted">{t("units.holdersEmpty")}</p>
        ) : (
          <ul className="list-plain">
            {holders.map((holder) => (
              <li key={holder.id}>
                {canReadCadres && ward ? (
                  <Link to={`/units/${ward.id}/cadres/${holder.cadre_id}`}>
                    <strong>{holder.full_name}</strong>
                  </Link>
                ) : (
                  <strong>{holder.full_name}</strong>
                )}
                <div className="muted">
                  {holder.title} · {t("units.since", { date: formatDate(locale, holder.started_on) })}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      {canManage ? (
        <section className="card card--narrow" aria-labelledby="rename-group-title">
          <h2 id="rename-group-title">{t("units.renameGroup")}</h2>
          <UnitNameForm
            intent="renameUnit"
            label={t("units.newName")}
            submitLabel={t("common.save")}
            defaultName={group.name}
            refused={refusedFor(refused, "renameUnit")}
          />
        </section>
      ) : null}
    </>
  );
}

/** A province's page (administrators): its wards. */
export function ProvinceSection({ wards, isAdmin }: { wards: { id: number; name: string }[]; isAdmin: boolean }) {
  const t = useT();
  return (
    <section className="card" aria-labelledby="wards-title">
      <h2 id="wards-title">{t("units.wardsTitle")}</h2>
      {wards.length === 0 ? (
        <p className="muted">{t("units.wardsEmpty")}</p>
      ) : (
        <ul className="list-plain">
          {wards.map((ward) => (
            <li key={ward.id}>
              <Link to={`/units/${ward.id}`}>{ward.name}</Link>
            </li>
          ))}
        </ul>
      )}
      {isAdmin ? (
        <p className="actions">
          <Link className="button button--secondary" to="/admin/units">
            {t("units.admin.title")}
          </Link>
        </p>
      ) : null}
    </section>
  );
}
