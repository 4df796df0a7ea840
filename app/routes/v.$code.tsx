import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { useActionData, useLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import { ballotSchema } from "~/ballots/ballot.schema";
import {
  BALLOT_HEADERS,
  canonicalCode,
  carriedChoices,
  castChoices,
  readBallot,
  validChoices,
  viewStatus,
  type BallotView,
} from "~/ballots/ballot.server";
import { BallotPage } from "~/ballots/ballot-page";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { parseForm, readForm } from "~/components/forms";
import { DEFAULT_LOCALE, type Locale } from "~/i18n/define";
import { loadCatalogs, translate } from "~/i18n/i18n";
import ballotsMessages from "~/i18n/messages/ballots";

loadCatalogs(ballotsMessages);

function respond(view: BallotView) {
  const status = viewStatus(view);
  // A 200 is left unsaid: an action's explicit status outranks the loaders' run after it, so were the page's loader
  // to fail then (the database gone for a moment), a stated 200 would serve the error page as a success.
  return status === 200 ? data(view) : data(view, { status });
}

export async function loader({ params }: LoaderFunctionArgs) {
  const typed = params.code ?? "";
  const code = canonicalCode(typed);
  // A code typed into the address bar in lower case, with hyphens or with a keyboard's accents: one URL per code.
  if (code && code !== typed) throw redirect(`/v/${code}`, { headers: BALLOT_HEADERS });
  return respond(await readBallot({ code }));
}

// Review and edit only echo the choices back in the page; nothing is stored before intent=cast.
export async function action({ request, params }: ActionFunctionArgs) {
  const code = canonicalCode(params.code ?? "");
  const formData = await readForm(request);
  const intent = formData.get("intent");
  const view = await readBallot({ code });
  if (!code || view.state !== "open") return respond(view);
  if (intent !== "review" && intent !== "edit" && intent !== "cast") {
    return respond({ ...view, errors: { _form: "ballots.errors.tampered" } });
  }
  const schema = ballotSchema({
    kind: view.poll.kind,
    subjectIds: view.subjects.map((s) => s.id),
    mode: intent === "review" ? "ballot" : "carried",
  });
  const parsed = parseForm(schema, formData);
  if (!parsed.ok) return respond({ ...view, choices: validChoices(view, parsed.values), errors: parsed.errors });
  if (intent === "cast") return respond(await castChoices({ code, view, choices: parsed.data }));
  return respond({
    ...view,
    step: intent === "review" ? "review" : "ballot",
    choices: carriedChoices(view, parsed.data),
  });
}

export const headers: HeadersFunction = () => BALLOT_HEADERS;

// Moving between the ballot and its review changes nothing on the server: no need to reload the page's data.
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult, defaultShouldRevalidate }) => {
  if ((actionResult as BallotView | undefined)?.state === "open") return false;
  return defaultShouldRevalidate;
};

export default function Ballot() {
  const loaded = useLoaderData<typeof loader>() as BallotView;
  const acted = useActionData<typeof action>() as BallotView | undefined;
  return <BallotPage view={acted ?? loaded} />;
}

export const meta: MetaFunction = ({ matches }) => {
  const locale = (matches.find((m) => m.id === "root")?.data as { locale?: Locale } | undefined)?.locale;
  return [
    { title: translate(locale ?? DEFAULT_LOCALE, "ballots.meta.ballot") },
    { name: "robots", content: "noindex" },
  ];
};

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
