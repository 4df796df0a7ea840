import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { can, requirePermission } from "~/auth/permissions.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/form";
import { parseForm, readForm } from "~/components/forms";
import type { Message } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import { actorOf, requirePollAccess, resultsPermission } from "~/polls/poll-access.server";
import { pageTitle, PollStatusBadge } from "~/polls/poll-status";
import { confirmSchema, pollNotice } from "~/polls/polls.schema";
import { getPollDetails } from "~/polls/polls.server";
import { confirmTally, listConfirmations, PublishError, readTally } from "~/polls/publish.server";
import { keySummary } from "~/polls/key-holders.server";
import { ConfirmationsList, ConfirmTallyForm, KeyModeLine, ResultsView } from "~/polls/results-view";
import { acknowledgeSchema } from "~/paper/paper.schema";
import { WarningsSection, type AckRefusal } from "~/paper/warnings-view";
import { requireMeetingAccess } from "~/polls/poll-access.server";
import { acknowledgeWarning, WarningAckError, warningFingerprint } from "~/results/warnings.server";
import { loadCatalogs } from "~/i18n/i18n";
import boardMessages from "~/i18n/messages/board";
import paperMessages from "~/i18n/messages/paper";
import pollsMessages from "~/i18n/messages/polls";
import resultsMessages from "~/i18n/messages/results";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(boardMessages, paperMessages, pollsMessages, resultsMessages, unitsMessages);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, poll: found } = await requirePollAccess({ request, params, permission: "poll.read" });
  const details = (await getPollDetails({ pollId: found.id }))!;
  const poll = {
    id: details.id,
    title: details.title,
    status: details.status,
    required_confirmations: details.required_confirmations,
    counted_at: details.counted_at,
  };
  // A confidence poll's results exist for nobody before it closes.
  const keys = (await keySummary({ pollId: poll.id }))!;
  if (poll.status === "draft" || poll.status === "open") return { poll, keys, counted: null };
  await requirePermission(user, resultsPermission(poll.status), details.unit_id);
  const result = await readTally({ pollId: poll.id });
  // Closed, its key still with the committee: nothing is counted until k shares are entered.
  if (!result) return { poll, keys, counted: null };
  const confirmations = await listConfirmations({ pollId: poll.id });
  const counts = poll.status === "closed" && (await can(user, "poll.count", details.unit_id));
  const isCreator = details.created_by === user.id;
  const canConfirm =
    counts && !isCreator && !confirmations.some((c) => c.user_id === user.id && c.tally_hash === result.hash);
  const warnings = result.tally.warnings ?? [];
  const canAcknowledge =
    poll.status === "closed" &&
    ((await can(user, "poll.manage", details.unit_id)) || (await can(user, "poll.count", details.unit_id)));
  return {
    poll,
    keys,
    counted: { ...result, confirmations, canConfirm, creatorNote: counts && isCreator },
    warnings: {
      list: warnings,
      fingerprints: Object.fromEntries(warnings.map((w) => [w.id, warningFingerprint(w)])),
      canAcknowledge,
    },
  };
}

/** A warning accepted with a written reason, by the unit's officers or counting members. */
async function acknowledge(request: Request, params: ActionFunctionArgs["params"], formData: FormData) {
  const { user, poll } = await requireMeetingAccess({ request, params });
  const parsed = parseForm(acknowledgeSchema, formData);
  const warningId = String(formData.get("warningId") ?? "");
  const reason = String(formData.get("reason") ?? "");
  const refuse = (formError: Message, status: number) =>
    data({ formError: null, ack: { warningId, formError, reason } satisfies AckRefusal }, { status });
  if (!parsed.ok) return refuse(parsed.errors.reason ?? "paper.warnings.stale", 400);
  const current = await readTally({ pollId: poll.id });
  try {
    await acknowledgeWarning({
      actor: actorOf(user),
      pollId: poll.id,
      warningId: parsed.data.warningId,
      fingerprint: parsed.data.fingerprint,
      reason: parsed.data.reason,
      current: current && !current.frozen ? current.tally.warnings ?? [] : null,
    });
  } catch (error) {
    if (!(error instanceof WarningAckError)) throw error;
    return refuse(`paper.warnings.${error.reason === "notFound" ? "gone" : error.reason}`, 409);
  }
  return redirect(`/polls/${poll.id}/results?notice=acknowledged#warnings-title`);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await readForm(request);
  if (formData.get("intent") === "acknowledge") return acknowledge(request, params, formData);
  const { user, poll } = await requirePollAccess({ request, params, permission: "poll.count" });
  if (formData.get("intent") !== "confirm") throw new Response("Bad Request", { status: 400 });
  if ((await keySummary({ pollId: poll.id }))?.awaitingShares) {
    return data({ formError: "polls.keyMode.awaitingShares" as Message, ack: null }, { status: 409 });
  }
  const parsed = parseForm(confirmSchema, formData);
  if (!parsed.ok) return data({ formError: "polls.confirm.stale" as Message, ack: null }, { status: 400 });
  try {
    await confirmTally({ actor: actorOf(user), pollId: poll.id, shownHash: parsed.data.tallyHash });
  } catch (error) {
    if (!(error instanceof PublishError)) throw error;
    const formError: Message =
      error.reason === "creatorCannotConfirm"
        ? "polls.confirm.creator"
        : error.reason === "alreadyConfirmed"
        ? "polls.confirm.already"
        : error.reason === "staleTally"
        ? "polls.confirm.stale"
        : "polls.lifecycle.wrongState.confirm";
    return data({ formError, ack: null }, { status: error.reason === "creatorCannotConfirm" ? 403 : 409 });
  }
  return redirect(`/polls/${poll.id}/results?notice=confirmed`);
}

export default function PollResults() {
  const { poll, keys, counted, warnings } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const t = useT();
  return (
    <>
      <nav className="breadcrumbs" aria-label={t("units.breadcrumbs")}>
        <Link to={`/polls/${poll.id}`}>{poll.title}</Link> › <span aria-current="page">{t("polls.results.title")}</span>
      </nav>
      <h1>{t("polls.results.titleOf", { title: poll.title })}</h1>
      <p className="poll-heading">
        <PollStatusBadge status={poll.status} countedAt={poll.counted_at} />
      </p>
      <Notice message={pollNotice(params.get("notice"))} />
      <KeyModeLine keys={keys} />
      {counted === null ? (
        <p className="card">{keys.awaitingShares ? t("polls.keyMode.awaitingShares") : t("polls.results.notYet")}</p>
      ) : (
        <>
          {counted.canConfirm || actionData?.formError ? (
            <ConfirmTallyForm hash={counted.hash} formError={actionData?.formError} />
          ) : null}
          {counted.creatorNote ? <p className="alert alert--warn">{t("polls.confirm.creator")}</p> : null}
          {warnings ? (
            <WarningsSection
              warnings={warnings.list}
              fingerprints={warnings.fingerprints}
              rules={counted.tally.rules}
              canAcknowledge={warnings.canAcknowledge}
              refused={actionData?.ack}
            />
          ) : null}
          <ResultsView tally={counted.tally} frozen={counted.frozen} />
          <ConfirmationsList
            confirmations={counted.confirmations}
            hash={counted.hash}
            required={poll.required_confirmations}
          />
          <p className="actions">
            <a className="button button--secondary" href={`/polls/${poll.id}/minutes`}>
              {t("polls.minutes.download")}
            </a>
          </p>
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "polls.results.title");

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
