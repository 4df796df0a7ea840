import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { formValues, parseForm, readForm, type FieldErrors } from "~/components/forms";
import type { Message } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import { PollStateError } from "~/polls/lifecycle.server";
import { actorOf, notFound, requirePollAccess } from "~/polls/poll-access.server";
import { PollForm } from "~/polls/poll-form";
import { pageTitle } from "~/polls/poll-status";
import { pollFormRefusalValues, pollFormValues, pollSchema } from "~/polls/polls.schema";
import {
  getPollDetails,
  listCommittee,
  listPollGroups,
  listSubjectPositionIds,
  PollInputError,
  pollFormOptions,
  updateDraftPoll,
} from "~/polls/polls.server";
import { Breadcrumbs, unitCrumbs } from "~/units/breadcrumbs";
import { readableTrail } from "~/units/units.server";
import { loadCatalogs } from "~/i18n/i18n";
import paperMessages from "~/i18n/messages/paper";
import pollsMessages from "~/i18n/messages/polls";
import resultsMessages from "~/i18n/messages/results";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(paperMessages, pollsMessages, resultsMessages, unitsMessages);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, poll: found } = await requirePollAccess({ request, params, permission: "poll.manage" });
  const poll = (await getPollDetails({ pollId: found.id }))!;
  const options = await pollFormOptions({ unitId: poll.unit_id });
  if (!options) notFound();
  const [committee, positionIds, groups] = await Promise.all([
    listCommittee({ pollId: poll.id }),
    listSubjectPositionIds({ pollId: poll.id }),
    listPollGroups({ pollId: poll.id }),
  ]);
  const values = pollFormValues({ ...poll, committee, positionIds, groupIds: groups.map((g) => g.id) });
  return {
    poll: { id: poll.id, title: poll.title, status: poll.status, unit_id: poll.unit_id },
    editable: poll.status === "draft",
    options,
    values,
    trail: await readableTrail({ user, unitId: poll.unit_id }),
  };
}

function refused(errors: FieldErrors, formError: Message | null, values: Record<string, string>, status = 400) {
  return data({ errors, formError, values }, { status });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, poll } = await requirePollAccess({ request, params, permission: "poll.manage", applyDue: true });
  const formData = await readForm(request);
  const values = pollFormRefusalValues(formData, formValues(formData));
  const parsed = parseForm(pollSchema, formData);
  if (!parsed.ok) return refused(parsed.errors, null, values);
  try {
    await updateDraftPoll({ actor: actorOf(user), pollId: poll.id, input: parsed.data });
  } catch (error) {
    if (error instanceof PollInputError) return refused({ [error.field]: error.reason } as FieldErrors, null, values);
    if (error instanceof PollStateError) return refused({}, "polls.edit.notDraft", values, 409);
    throw error;
  }
  return redirect(`/polls/${poll.id}?notice=updated`);
}

export default function EditPoll() {
  const { poll, editable, options, values, trail } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  return (
    <>
      <Breadcrumbs
        items={[
          ...unitCrumbs(trail),
          { label: t("polls.listTitle"), to: `/units/${poll.unit_id}/polls` },
          { label: poll.title, to: `/polls/${poll.id}` },
          { label: t("common.edit") },
        ]}
      />
      <h1>{t("polls.edit.title", { title: poll.title })}</h1>
      {editable ? (
        <section className="card">
          <p className="muted">{t("polls.edit.hint")}</p>
          <PollForm options={options} values={values} refused={actionData} submitLabel={t("common.save")} />
        </section>
      ) : (
        <p className="alert alert--warn">{t("polls.edit.notDraft")}</p>
      )}
      <p>
        <Link to={`/polls/${poll.id}`}>{t("common.back")}</Link>
      </p>
    </>
  );
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "common.edit");

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
