import { formatDate } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import { refusedFor, type Refused } from "~/units/unit-forms";
import { EditPositionForm, EndPositionForm, type TitleOption, type UnitOption } from "./cadre-forms";

export interface PositionRow {
  id: number;
  title_id: number;
  unit_id: number;
  title: string;
  unit_name: string;
  started_on: string;
  ended_on: string | null;
}

/** A cadre's positions over time; an officer edits or ends each one in place. */
export function PositionHistory({
  positions,
  titles,
  units,
  canManage,
  today,
  refused,
}: {
  positions: PositionRow[];
  titles: TitleOption[];
  units: UnitOption[];
  canManage: boolean;
  today: string;
  refused?: Refused;
}) {
  const t = useT();
  const locale = useLocale();
  if (positions.length === 0) return <p className="muted">{t("cadres.positionsEmpty")}</p>;
  return (
    <ul className="list-plain position-list">
      {positions.map((position) => {
        const editRefused = refusedFor(refused, "editPosition", position.id);
        const endRefused = refusedFor(refused, "endPosition", position.id);
        const from = formatDate(locale, position.started_on);
        return (
          <li key={position.id} className="position-list__item">
            <div>
              <strong>{position.title}</strong> <span className="muted">· {position.unit_name}</span>{" "}
              {position.ended_on === null ? (
                <span className="badge badge--ok">{t("cadres.current")}</span>
              ) : (
                <span className="badge">{t("cadres.ended")}</span>
              )}
            </div>
            <div className="muted">
              {position.ended_on === null
                ? t("cadres.periodCurrent", { from })
                : t("cadres.period", { from, to: formatDate(locale, position.ended_on) })}
            </div>
            {canManage ? (
              <div className="actions position-list__actions">
                <details className="unit-edit" open={Boolean(editRefused)}>
                  <summary className="button button--secondary button--small">{t("cadres.editPosition")}</summary>
                  <EditPositionForm
                    positionId={position.id}
                    defaults={{
                      titleId: position.title_id,
                      unitId: position.unit_id,
                      startedOn: position.started_on,
                      endedOn: position.ended_on,
                    }}
                    titles={titles}
                    units={units}
                    refused={editRefused}
                  />
                </details>
                {position.ended_on === null ? (
                  <details className="unit-edit" open={Boolean(endRefused)}>
                    <summary className="button button--secondary button--small">{t("cadres.endPosition")}</summary>
                    <EndPositionForm positionId={position.id} today={today} refused={endRefused} />
                  </details>
                ) : null}
              </div>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
