import { Link } from "@remix-run/react";
import { useT } from "~/i18n/use-t";

export interface CadreRow {
  id: number;
  full_name: string;
  birth_year: number | null;
  positions: { id: number; title: string; unit_name: string; unit_kind: string }[];
}

/** The ward's cadres: a table on a desktop that scrolls sideways on a phone. */
export function CadreList({ wardId, cadres }: { wardId: number; cadres: CadreRow[] }) {
  const t = useT();
  if (cadres.length === 0) return <p className="card muted">{t("cadres.listEmpty")}</p>;
  return (
    <div className="table-wrap card cadre-table">
      <table>
        <caption className="visually-hidden">{t("cadres.count", { count: cadres.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("cadres.fullName")}</th>
            <th scope="col">{t("cadres.birthYear")}</th>
            <th scope="col">{t("cadres.currentPositions")}</th>
          </tr>
        </thead>
        <tbody>
          {cadres.map((cadre) => (
            <tr key={cadre.id}>
              <td>
                <Link to={`/units/${wardId}/cadres/${cadre.id}`}>
                  <strong>{cadre.full_name}</strong>
                </Link>
              </td>
              <td>{cadre.birth_year ?? ""}</td>
              <td>
                {cadre.positions.length === 0 ? (
                  <span className="muted">{t("cadres.noCurrentPosition")}</span>
                ) : (
                  <ul className="cadre-positions">
                    {cadre.positions.map((p) => (
                      <li key={p.id}>
                        {p.title} <span className="muted">· {p.unit_name}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
