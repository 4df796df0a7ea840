import { Form, Link, NavLink, useLocation } from "@remix-run/react";
import type { ReactNode } from "react";
import type { Locale } from "~/i18n/define";
import { useT } from "~/i18n/use-t";

export interface LayoutUser {
  full_name: string;
  isAdmin: boolean;
}

export function Layout({ user, locale, children }: { user: LayoutUser | null; locale: Locale; children: ReactNode }) {
  const t = useT();
  const location = useLocation();
  const here = location.pathname + location.search;
  return (
    <>
      <a className="skip-link" href="#main">
        {t("nav.skip")}
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <Link to="/" className="brand">
            <span className="brand__mark" aria-hidden="true">
              ✓
            </span>
            {t("app.name")}
          </Link>
          {user ? (
            <nav className="site-nav" aria-label={t("nav.home")}>
              <NavLink to="/" end>
                {t("nav.home")}
              </NavLink>
              {user.isAdmin ? <NavLink to="/admin/users">{t("nav.users")}</NavLink> : null}
              <NavLink to="/account/password">{t("nav.account")}</NavLink>
              <Form method="post" action="/logout" className="inline-form">
                <button type="submit" className="link-button">
                  {t("nav.logout")}
                </button>
              </Form>
            </nav>
          ) : null}
          <Form method="post" action="/lang" className="lang-form inline-form">
            <input type="hidden" name="redirectTo" value={here} />
            <label className="visually-hidden" htmlFor="lang-select">
              {t("nav.language")}
            </label>
            <select id="lang-select" name="locale" defaultValue={locale}>
              <option value="vi">{t("lang.vi")}</option>
              <option value="en">{t("lang.en")}</option>
            </select>
            <button type="submit" className="button button--small">
              {t("lang.switch")}
            </button>
          </Form>
        </div>
        {user ? <p className="site-header__user">{t("nav.signedInAs", { name: user.full_name })}</p> : null}
      </header>
      <main id="main" className="site-main">
        {children}
      </main>
    </>
  );
}
