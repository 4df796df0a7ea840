import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { getUser } from "~/auth/session.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Layout as PageLayout } from "~/components/layout";
import { DEFAULT_LOCALE } from "~/i18n/define";
import { loadCatalogs, translate } from "~/i18n/i18n";
import { getLocale } from "~/i18n/locale.server";
import stylesHref from "~/styles/app.css";
import commonMessages from "~/i18n/messages/common";

loadCatalogs(commonMessages);

export const links: LinksFunction = () => [{ rel: "stylesheet", href: stylesHref }];

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = await getLocale(request);
  const user = await getUser(request);
  return {
    locale,
    user: user
      ? { full_name: user.full_name, isAdmin: user.grants.some((g) => g.role === "admin") }
      : null,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: translate(data?.locale ?? DEFAULT_LOCALE, "app.name") },
  { name: "description", content: translate(data?.locale ?? DEFAULT_LOCALE, "app.tagline") },
];

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const locale = data?.locale ?? DEFAULT_LOCALE;
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {/* No icon to fetch: one request fewer on a slow network, and no 404 for /favicon.ico. */}
        <link rel="icon" href="data:," />
        <Meta />
        <Links />
      </head>
      <body>
        <PageLayout user={data?.user ?? null} locale={locale}>
          {children}
        </PageLayout>
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
