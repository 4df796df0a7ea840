import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, useValidatedForm } from "~/components/form";
import { parseForm, readForm, type FieldErrors } from "~/components/forms";
import type { Message } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import { PollStateError } from "~/polls/lifecycle.server";
import { actorOf, requireMeetingAccess } from "~/polls/poll-access.server";
import { pageTitle } from "~/polls/poll-status";
import { COMPLAINTS_MAX, meetingSchema } from "~/polls/polls.schema";
import { getPollDetails, updateMeeting } from "~/polls/polls.server";
import { loadCatalogs } from "~/i18n/i18n";
import paperMessages from "~/i18n/messages/paper";
import pollsMessages from "~/i18n/messages/polls";
import resultsMessages from "~/i18n/messages/results";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(paperMessages, pollsMessages, resultsMessages, unitsMessages);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { poll: found } = await requireMeetingAccess({ request, params });
  const poll = (await getPollDetails({ pollId: found.id }))!;
  return {
    poll: { id: poll.id, title: poll.title, status: poll.status },
    editable: poll.status !== "published" && poll.status !== "archived",
    values: {
      summoned: poll.summoned === null ? "" : String(poll.summoned),
      present: poll.present === null ? "" : String(poll.present),
      complaints: poll.complaints ?? "",
    },
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, poll } = await requireMeetingAccess({ request, params });
  const parsed = parseForm(meetingSchema, await readForm(request));
  if (!parsed.ok) return data({ errors: parsed.errors, formError: null, values: parsed.values }, { status: 400 });
  try {
    await updateMeeting({ actor: actorOf(user), pollId: poll.id, meeting: parsed.data });
  } catch (error) {
    if (!(error instanceof PollStateError)) throw error;
    const formError: Message = "polls.meeting.locked";
    return data({ errors: {} as FieldErrors, formError, values: {} as Record<string, string> }, { status: 409 });
  }
  return redirect(`/polls/${poll.id}?notice=meetingSaved`);
}

export default function PollMeeting() {
  const { poll, editable, values } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const t = useT();
  const { register, errorFor, onSubmit } = useValidatedForm(meetingSchema, refused?.errors);
  const shown: Record<string, string> = { ...values, ...refused?.values };
  return (
    <>
      <nav className="breadcrumbs" aria-label={t("units.breadcrumbs")}>
        <Link to={`/polls/${poll.id}`}>{poll.title}</Link> › <span aria-current="page">{t("polls.meeting.title")}</span>
      </nav>
      <h1>{t("polls.meeting.title")}</h1>
      <p className="muted">{t("polls.meeting.hint")}</p>
      {editable ? (
        <section className="card">
          <FormError error={refused?.formError ?? undefined} />
          <Form method="post" onSubmit={onSubmit} noValidate>
            <div className="field-row">
              <Field label={t("polls.meeting.summoned")} hint={t("common.optional")} error={errorFor("summoned")}>
                {(a11y) => (
                  <input {...a11y} {...register("summoned")} inputMode="numeric" defaultValue={shown.summoned} />
                )}
              </Field>
              <Field label={t("polls.meeting.present")} hint={t("common.optional")} error={errorFor("present")}>
                {(a11y) => (
                  <input {...a11y} {...register("present")} inputMode="numeric" defaultValue={shown.present} />
                )}
              </Field>
            </div>
            <Field
              label={t("polls.meeting.complaints")}
              hint={t("polls.meeting.complaintsHint", { max: COMPLAINTS_MAX })}
              error={errorFor("complaints")}
            >
              {(a11y) => <textarea {...a11y} {...register("complaints")} rows={8} defaultValue={shown.complaints} />}
            </Field>
            <button type="submit" className="button">
              {t("common.save")}
            </button>
          </Form>
        </section>
      ) : (
        <p className="alert alert--warn">{t("polls.meeting.locked")}</p>
      )}
      <p>
        <Link to={`/polls/${poll.id}`}>{t("common.back")}</Link>
      </p>
    </>
  );
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "polls.meeting.title");

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
