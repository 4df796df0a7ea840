import { Link } from "@remix-run/react";
import { Fragment } from "react";
import { useT } from "~/i18n/use-t";

export interface Crumb {
  label: string;
  /** Left out for the current page, and for a unit the reader may not open. */
  to?: string;
}

/** Home › province › ward › …: where the page sits in the ward's tree. */
export function Breadcrumbs({ items }: { items: Crumb[] }) {
  const t = useT();
  const all: Crumb[] = [{ label: t("nav.home"), to: "/" }, ...items];
  return (
    <nav className="breadcrumbs" aria-label={t("units.breadcrumbs")}>
      {all.map((item, i) => (
        <Fragment key={`${i}-${item.label}`}>
          {i > 0 ? <span aria-hidden="true"> › </span> : null}
          {item.to && i < all.length - 1 ? (
            <Link to={item.to}>{item.label}</Link>
          ) : (
            <span aria-current={i === all.length - 1 ? "page" : undefined}>{item.label}</span>
          )}
        </Fragment>
      ))}
    </nav>
  );
}

/** Crumbs for a unit's trail (from `unitTrail`), linking the units the reader may open. */
export function unitCrumbs(trail: { id: number; name: string; readable: boolean }[]): Crumb[] {
  return trail.map((unit) => ({ label: unit.name, to: unit.readable ? `/units/${unit.id}` : undefined }));
}
