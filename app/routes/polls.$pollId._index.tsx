import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useLocation, useSearchParams } from "@remix-run/react";
import { can } from "~/auth/permissions.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/form";
import type { FieldErrors } from "~/components/forms";
import { credentialSummary, listBatches } from "~/credentials/credentials.server";
import { loadCatalogs, isMessageKey } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import { CredentialsSection, type IssueRefusal } from "~/polls/credential-sections";
import { requirePollAccess, resultsPermission } from "~/polls/poll-access.server";
import { pollAction } from "~/polls/poll-actions.server";
import { keySummary } from "~/polls/key-holders.server";
import { ConfirmationsSection, KeySection, LifecycleSection, PollOverview } from "~/polls/poll-sections";
import { pageTitle, PollStatusBadge } from "~/polls/poll-status";
import { pollNotice } from "~/polls/polls.schema";
import { getPollDetails, listCommittee, listPollGroups, listSubjects } from "~/polls/polls.server";
import { listConfirmations, readTally } from "~/polls/publish.server";
import { paperEntryCounts } from "~/paper/paper.server";
import { Breadcrumbs, unitCrumbs } from "~/units/breadcrumbs";
import { readableTrail } from "~/units/units.server";
import { readForm } from "~/components/forms";
import paperMessages from "~/i18n/messages/paper";
import pollsMessages from "~/i18n/messages/polls";
import resultsMessages from "~/i18n/messages/results";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(paperMessages, pollsMessages, resultsMessages, unitsMessages);

/** A refused issue comes back from the download route as query parameters; only known message keys are shown. */
function issueRefusal(url: URL): IssueRefusal | undefined {
  const field = url.searchParams.get("issueField");
  const message = url.searchParams.get("issueError");
  if (!field || !["groupId", "count", "_form"].includes(field) || !isMessageKey(message)) return undefined;
  return {
    errors: { [field]: message } as FieldErrors,
    values: { groupId: url.searchParams.get("groupId") ?? "", count: url.searchParams.get("count") ?? "" },
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, poll: found } = await requirePollAccess({ request, params, permission: "poll.read" });
  const poll = (await getPollDetails({ pollId: found.id }))!;
  const counted = poll.status !== "draft" && poll.status !== "open";
  const canReadResults = counted && (await can(user, resultsPermission(poll.status), poll.unit_id));
  const [subjects, groups, committee, summary, batches, confirmations, trail, keys, paper] = await Promise.all([
    listSubjects({ pollId: poll.id }),
    listPollGroups({ pollId: poll.id }),
    listCommittee({ pollId: poll.id }),
    credentialSummary({ pollId: poll.id }),
    listBatches({ pollId: poll.id }),
    counted ? listConfirmations({ pollId: poll.id }) : Promise.resolve([]),
    readableTrail({ user, unitId: poll.unit_id }),
    keySummary({ pollId: poll.id, userId: user.id }),
    paperEntryCounts({ pollId: poll.id }),
  ]);
  const current = canReadResults && poll.status === "closed" ? await readTally({ pollId: poll.id }) : null;
  const canManage = await can(user, "poll.manage", poll.unit_id);
  return {
    poll,
    subjects,
    groups,
    committee,
    summary,
    batches,
    confirmations,
    currentHash: current?.hash ?? null,
    trail,
    canManage,
    canRecordMeeting: canManage || (await can(user, "poll.count", poll.unit_id)),
    canCount: await can(user, "poll.count", poll.unit_id),
    keys: keys!,
    paper,
    canReadResults,
    issueRefusal: issueRefusal(new URL(request.url)),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, poll } = await requirePollAccess({ request, params, permission: "poll.manage", applyDue: true });
  const details = (await getPollDetails({ pollId: poll.id }))!;
  return pollAction({ user, poll: details, formData: await readForm(request) });
}

export default function PollPage() {
  const data = useLoaderData<typeof loader>();
  const { poll, canManage } = data;
  const refused = useActionData<typeof action>();
  const [params] = useSearchParams();
  // A new location after a successful change remounts the forms, so they come back empty.
  const { key } = useLocation();
  const t = useT();
  return (
    <div key={key}>
      <Breadcrumbs
        items={[
          ...unitCrumbs(data.trail),
          { label: t("polls.listTitle"), to: `/units/${poll.unit_id}/polls` },
          { label: poll.title },
        ]}
      />
      <h1>{poll.title}</h1>
      <p className="poll-heading">
        <PollStatusBadge status={poll.status} countedAt={poll.counted_at} />{" "}
        <span className="muted">{t(`polls.kind.${poll.kind}`)}</span>
      </p>
      <Notice message={pollNotice(params.get("notice"), params.get("count"))} />
      <LifecycleSection poll={poll} refused={canManage ? refused : undefined} />
      <KeySection pollId={poll.id} keys={data.keys} canCount={data.canCount} />
      <ConfirmationsSection
        poll={poll}
        confirmations={data.confirmations}
        currentHash={data.currentHash}
        canManage={canManage}
        canReadResults={data.canReadResults}
        refused={refused}
      />
      <CredentialsSection
        pollId={poll.id}
        status={poll.status}
        summary={data.summary}
        batches={data.batches}
        canManage={canManage}
        refused={refused}
        issueRefusal={data.issueRefusal}
      />
      {data.canRecordMeeting ? (
        <p className="actions">
          {poll.status !== "draft" ? (
            <Link className="button button--secondary" to={`/polls/${poll.id}/paper`}>
              {t("paper.link", data.paper)}
            </Link>
          ) : null}
          {poll.status !== "published" && poll.status !== "archived" ? (
            <Link className="button button--secondary" to={`/polls/${poll.id}/meeting`}>
              {t("polls.meeting.link")}
            </Link>
          ) : null}
        </p>
      ) : null}
      <PollOverview poll={poll} subjects={data.subjects} groups={data.groups} committee={data.committee} />
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  data ? [{ title: `${data.poll.title} — Phiếu` }] : pageTitle(matches, "polls.listTitle");

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
