import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/form";
import { parseForm, readForm } from "~/components/forms";
import type { Message } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import { countWithKeys, KeyShareError } from "~/polls/key-shares.server";
import { actorOf, requirePollAccess } from "~/polls/poll-access.server";
import { pageTitle } from "~/polls/poll-status";
import { countSchema } from "~/polls/polls.schema";
import { getPollDetails } from "~/polls/polls.server";
import { loadCatalogs } from "~/i18n/i18n";
import paperMessages from "~/i18n/messages/paper";
import pollsMessages from "~/i18n/messages/polls";
import resultsMessages from "~/i18n/messages/results";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(paperMessages, pollsMessages, resultsMessages, unitsMessages);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { poll: found } = await requirePollAccess({ request, params, permission: "poll.count" });
  const poll = (await getPollDetails({ pollId: found.id }))!;
  return {
    poll: { id: poll.id, title: poll.title, k: poll.shares_required ?? 0 },
    ready: poll.key_mode === "committee" && poll.status === "closed" && !poll.counted_at,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, poll } = await requirePollAccess({ request, params, permission: "poll.count" });
  const parsed = parseForm(countSchema, await readForm(request));
  if (!parsed.ok) return data({ formError: "errors.form" as Message }, { status: 400 });
  try {
    const { ballotsCounted } = await countWithKeys({
      actor: actorOf(user),
      pollId: poll.id,
      codes: parsed.data.shares,
    });
    return redirect(`/polls/${poll.id}?notice=counted&count=${ballotsCounted}`);
  } catch (error) {
    if (!(error instanceof KeyShareError)) throw error;
    if (error.reason === "notFound") throw new Response("Not Found", { status: 404 });
    // The keys are not sent back: they are typed again rather than kept in the page.
    const formError: Message = { key: `polls.count.error.${error.reason}`, params: error.params };
    return data({ formError }, { status: error.reason === "wrongState" ? 409 : 400 });
  }
}

export default function PollCount() {
  const { poll, ready } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const t = useT();
  return (
    <>
      <nav className="breadcrumbs" aria-label={t("units.breadcrumbs")}>
        <Link to={`/polls/${poll.id}`}>{poll.title}</Link> › <span aria-current="page">{t("polls.count.title")}</span>
      </nav>
      <h1>{t("polls.count.title")}</h1>
      {ready ? (
        <section className="card">
          <p>{t("polls.count.intro", { k: poll.k })}</p>
          <FormError error={refused?.formError ?? undefined} />
          <Form method="post" autoComplete="off">
            {Array.from({ length: poll.k }, (_, i) => i + 1).map((index) => (
              <div className="field" key={index}>
                <label htmlFor={`share-${index}`}>{t("polls.count.key", { index })}</label>
                <input
                  id={`share-${index}`}
                  name="shares"
                  type="text"
                  autoComplete="off"
                  autoCapitalize="characters"
                  spellCheck={false}
                />
              </div>
            ))}
            <button type="submit" className="button">
              {t("polls.count.submit")}
            </button>
          </Form>
        </section>
      ) : (
        <p className="alert alert--warn">{t("polls.count.notReady")}</p>
      )}
      <p>
        <Link to={`/polls/${poll.id}`}>{t("common.back")}</Link>
      </p>
    </>
  );
}

/** The keys typed here must not stay in any cache. */
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "polls.count.title");

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
