import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { requirePermission } from "~/auth/permissions.server";
import { requireUser } from "~/auth/session.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { formValues, parseForm, readForm, type FieldErrors } from "~/components/forms";
import type { Message } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import { actorOf, idParam, notFound } from "~/polls/poll-access.server";
import { PollForm } from "~/polls/poll-form";
import { pageTitle } from "~/polls/poll-status";
import { pollFormRefusalValues, pollFormValues, pollSchema } from "~/polls/polls.schema";
import { createPoll, PollInputError, pollFormOptions } from "~/polls/polls.server";
import { Breadcrumbs, unitCrumbs } from "~/units/breadcrumbs";
import { readableTrail } from "~/units/units.server";
import { loadCatalogs } from "~/i18n/i18n";
import paperMessages from "~/i18n/messages/paper";
import pollsMessages from "~/i18n/messages/polls";
import resultsMessages from "~/i18n/messages/results";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(paperMessages, pollsMessages, resultsMessages, unitsMessages);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const unitId = idParam(params.unitId);
  await requirePermission(user, "poll.manage", unitId);
  const options = await pollFormOptions({ unitId });
  if (!options) notFound();
  const onlyGroup = options.unit.kind === "residential_group" ? [options.unit.id] : [];
  return { options, values: pollFormValues(undefined, onlyGroup, options.countingMembers), trail: await readableTrail({ user, unitId }) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const unitId = idParam(params.unitId);
  await requirePermission(user, "poll.manage", unitId);
  if (!(await pollFormOptions({ unitId }))) notFound();
  const formData = await readForm(request);
  const parsed = parseForm(pollSchema, formData);
  if (!parsed.ok) {
    return data(
      {
        errors: parsed.errors,
        formError: null as Message | null,
        values: pollFormRefusalValues(formData, parsed.values),
      },
      { status: 400 }
    );
  }
  try {
    const poll = await createPoll({ actor: actorOf(user), input: { unitId, ...parsed.data } });
    return redirect(`/polls/${poll.id}?notice=created`);
  } catch (error) {
    if (!(error instanceof PollInputError)) throw error;
    return data(
      {
        errors: { [error.field]: error.reason } as FieldErrors,
        formError: null as Message | null,
        values: pollFormRefusalValues(formData, formValues(formData)),
      },
      { status: 400 }
    );
  }
}

export default function NewPoll() {
  const { options, values, trail } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const t = useT();
  return (
    <>
      <Breadcrumbs
        items={[
          ...unitCrumbs(trail),
          { label: t("polls.listTitle"), to: `/units/${options.unit.id}/polls` },
          { label: t("polls.newTitle") },
        ]}
      />
      <h1>{t("polls.newTitle")}</h1>
      <p className="muted">{t("polls.runBy", { unit: options.unit.name })}</p>
      <section className="card">
        <PollForm options={options} values={values} refused={refused} submitLabel={t("polls.form.create")} />
      </section>
      <p>
        <Link to={`/units/${options.unit.id}/polls`}>{t("common.back")}</Link>
      </p>
    </>
  );
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "polls.newTitle");

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
