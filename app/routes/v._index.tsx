import type { ActionFunctionArgs, HeadersFunction, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { codeEntrySchema } from "~/ballots/ballot.schema";
import { BALLOT_HEADERS, canonicalCode } from "~/ballots/ballot.server";
import { CodeEntryForm } from "~/ballots/code-entry";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { parseForm, readForm, type FieldErrors } from "~/components/forms";
import { DEFAULT_LOCALE, type Locale } from "~/i18n/define";
import { loadCatalogs, translate } from "~/i18n/i18n";
import ballotsMessages from "~/i18n/messages/ballots";

loadCatalogs(ballotsMessages);

// The code travels in the body of a post and lands in /v/<code>: never in a query string.
export async function action({ request }: ActionFunctionArgs) {
  const parsed = parseForm(codeEntrySchema, await readForm(request));
  if (!parsed.ok) return data({ errors: parsed.errors, values: parsed.values }, { status: 400 });
  const code = canonicalCode(parsed.data.code);
  if (!code) {
    return data(
      { errors: { code: "ballots.code.malformed" } as FieldErrors, values: { code: parsed.data.code } },
      { status: 400 }
    );
  }
  return redirect(`/v/${code}`, { headers: BALLOT_HEADERS });
}

export const headers: HeadersFunction = () => BALLOT_HEADERS;

export default function TypeCode() {
  const actionData = useActionData<typeof action>();
  return <CodeEntryForm errors={actionData?.errors} values={actionData?.values} />;
}

export const meta: MetaFunction = ({ matches }) => {
  const locale = (matches.find((m) => m.id === "root")?.data as { locale?: Locale } | undefined)?.locale;
  return [{ title: translate(locale ?? DEFAULT_LOCALE, "ballots.meta.entry") }, { name: "robots", content: "noindex" }];
};

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
