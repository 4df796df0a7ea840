// One paper tally: a residential group's (or the whole meeting's) attendance, ballots and per-subject counts,
// entered by a counting member or officer and confirmed by a second counting member, never the same person.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useMemo } from "react";
import { can } from "~/auth/permissions.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, useValidatedForm } from "~/components/form";
import { parseForm, readForm, type FieldErrors } from "~/components/forms";
import { loadCatalogs, formatDateTime, type Message } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import { paperConfirmSchema, paperEntrySchema, readScope, subjectField, type PaperScope } from "~/paper/paper.schema";
import { PaperSubjectsTable } from "~/paper/paper-subjects";
import { confirmPaperEntry, getPaperEntry, PaperError, savePaperEntry } from "~/paper/paper.server";
import { actorOf, notFound, requireMeetingAccess } from "~/polls/poll-access.server";
import { pageTitle } from "~/polls/poll-status";
import { getPollDetails, listPollGroups, listSubjects } from "~/polls/polls.server";
import { LEVELS } from "~/results/tally";
import paperMessages from "~/i18n/messages/paper";
import pollsMessages from "~/i18n/messages/polls";
import resultsMessages from "~/i18n/messages/results";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(paperMessages, pollsMessages, resultsMessages, unitsMessages);

async function loadScope(request: Request, params: LoaderFunctionArgs["params"]) {
  const { user, poll: found } = await requireMeetingAccess({ request, params });
  const scope = readScope(params.scope);
  if (scope === null) notFound();
  const [poll, groups, subjects] = await Promise.all([
    getPollDetails({ pollId: found.id }),
    listPollGroups({ pollId: found.id }),
    listSubjects({ pollId: found.id }),
  ]);
  const group = scope === "meeting" ? null : groups.find((g) => g.id === scope);
  if (group === undefined) notFound();
  const levels = LEVELS[poll!.kind];
  const schema = paperEntrySchema(
    subjects.map((s) => ({ id: s.id, fullName: s.full_name })),
    levels.length
  );
  return { user, poll: poll!, scope, groupName: group?.name ?? null, subjects, levels, schema };
}

function entryValues(entry: Awaited<ReturnType<typeof getPaperEntry>>): Record<string, string> {
  if (!entry) return {};
  const values: Record<string, string> = {
    summoned: String(entry.summoned),
    present: String(entry.present),
    issued: String(entry.issued),
    collected: String(entry.collected),
    valid: String(entry.valid),
    invalid: String(entry.invalid),
  };
  for (const subject of entry.subjects) {
    subject.counts.forEach((n, i) => (values[subjectField(subject.subjectId, i + 1)] = String(n)));
    values[subjectField(subject.subjectId, 0)] = String(subject.invalid);
  }
  return values;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, poll, scope, groupName, subjects, levels } = await loadScope(request, params);
  const entry = await getPaperEntry({ pollId: poll.id, scope });
  const canCount = await can(user, "poll.count", poll.unit_id);
  return {
    poll: { id: poll.id, title: poll.title, status: poll.status },
    scope: String(scope),
    groupName,
    subjects: subjects.map((s) => ({ id: s.id, fullName: s.full_name, title: s.title })),
    levels,
    editable: poll.status === "open" || poll.status === "closed",
    values: entryValues(entry),
    entry: entry && {
      version: entry.version,
      enteredBy: entry.enteredBy,
      enteredAt: entry.enteredAt.toISOString(),
      confirmedBy: entry.confirmedBy,
      confirmedAt: entry.confirmedAt?.toISOString() ?? null,
    },
    confirm:
      !entry || entry.confirmedBy
        ? null
        : !canCount
        ? "needsCounter"
        : entry.enteredBy.id === user.id
        ? "self"
        : "allowed",
  };
}

function paperMessage(error: PaperError): Message {
  if (error.reason === "pollNotFound" || error.reason === "groupNotInPoll") notFound();
  return `paper.errors.${error.reason}`;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, poll, scope, schema } = await loadScope(request, params);
  const formData = await readForm(request);
  const intent = formData.get("intent");
  const empty = { errors: {} as FieldErrors, values: {} as Record<string, string> };
  try {
    if (intent === "confirm") {
      if (!(await can(user, "poll.count", poll.unit_id))) throw new Response("Forbidden", { status: 403 });
      const parsed = parseForm(paperConfirmSchema, formData);
      if (!parsed.ok) return data({ ...empty, formError: "paper.errors.staleVersion" as Message }, { status: 400 });
      await confirmPaperEntry({
        actor: actorOf(user),
        pollId: poll.id,
        scope: scope as PaperScope,
        version: parsed.data.version,
      });
      return redirect(`/polls/${poll.id}/paper?notice=confirmed`);
    }
    if (intent !== "save") throw new Response("Bad Request", { status: 400 });
    const parsed = parseForm(schema, formData);
    if (!parsed.ok) {
      return data(
        { errors: parsed.errors, values: parsed.values, formError: "paper.errors.fixBelow" as Message },
        { status: 400 }
      );
    }
    const { version, ...figures } = parsed.data;
    await savePaperEntry({ actor: actorOf(user), pollId: poll.id, scope, figures, expectedVersion: version });
    return redirect(`/polls/${poll.id}/paper?notice=saved`);
  } catch (error) {
    if (!(error instanceof PaperError)) throw error;
    // A stale form is not sent back: the page shows the figures as they now stand, to be checked again.
    const values =
      error.reason === "staleVersion"
        ? {}
        : Object.fromEntries(
            [...formData.entries()].filter(([, v]) => typeof v === "string").map(([k, v]) => [k, String(v)])
          );
    return data({ errors: {} as FieldErrors, values, formError: paperMessage(error) }, { status: 409 });
  }
}

export default function PaperEntryPage() {
  const { poll, scope, groupName, subjects, levels, editable, values, entry, confirm } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const schema = useMemo(
    () =>
      paperEntrySchema(
        subjects.map((s) => ({ id: s.id, fullName: s.fullName })),
        levels.length
      ),
    [subjects, levels.length]
  );
  const { register, errorFor, onSubmit } = useValidatedForm(schema, refused?.errors);
  const shown: Record<string, string> = { ...values, ...refused?.values };
  const scopeName = groupName ?? t("paper.meeting");
  const number = (name: string, label: string) => (
    <Field label={label} error={errorFor(name)}>
      {(a11y) => (
        <input {...a11y} {...register(name)} inputMode="numeric" autoComplete="off" defaultValue={shown[name] ?? ""} />
      )}
    </Field>
  );
  return (
    <>
      <nav className="breadcrumbs" aria-label={t("units.breadcrumbs")}>
        <Link to={`/polls/${poll.id}`}>{poll.title}</Link> ›{" "}
        <Link to={`/polls/${poll.id}/paper`}>{t("paper.title")}</Link> › <span aria-current="page">{scopeName}</span>
      </nav>
      <h1>{t("paper.entryTitle", { scope: scopeName })}</h1>
      {entry ? (
        <section className="card">
          <p>
            {t("paper.enteredBy", {
              name: entry.enteredBy.fullName,
              time: formatDateTime(locale, entry.enteredAt),
              version: entry.version,
            })}
          </p>
          {entry.confirmedBy && entry.confirmedAt ? (
            <p className="alert alert--ok">
              {t("paper.confirmedBy", {
                name: entry.confirmedBy.fullName,
                time: formatDateTime(locale, entry.confirmedAt),
              })}
            </p>
          ) : (
            <p className="alert alert--warn">{t("paper.notConfirmed")}</p>
          )}
        </section>
      ) : null}
      {!editable ? (
        <p className="alert alert--warn">{t(poll.status === "draft" ? "paper.notYetOpen" : "paper.locked")}</p>
      ) : null}
      <FormError error={refused?.formError ?? undefined} />
      {editable && entry && !entry.confirmedBy ? (
        <section className="card" aria-labelledby="confirm-title">
          <h2 id="confirm-title">{t("paper.confirm.title")}</h2>
          {confirm === "allowed" ? (
            <>
              <p>{t("paper.confirm.hint")}</p>
              <Form method="post">
                <input type="hidden" name="intent" value="confirm" />
                <input type="hidden" name="version" value={entry.version} />
                <button type="submit" className="button">
                  {t("paper.confirm.button")}
                </button>
              </Form>
            </>
          ) : (
            <p className="muted">{t(confirm === "self" ? "paper.confirm.self" : "paper.confirm.needsCounter")}</p>
          )}
        </section>
      ) : null}
      {/* Remounted when the figures change under it (another member saved): it then shows them as they stand. */}
      <Form key={entry?.version ?? 0} method="post" onSubmit={onSubmit} noValidate className="card paper-form">
        <fieldset disabled={!editable}>
          <input type="hidden" name="intent" value="save" />
          <input type="hidden" {...register("version")} defaultValue={entry ? String(entry.version) : ""} />
          <h2>{t("paper.section.meeting")}</h2>
          <div className="field-row">
            {number("summoned", t("paper.field.summoned"))}
            {number("present", t("paper.field.present"))}
          </div>
          <h2>{t("paper.section.ballots")}</h2>
          <div className="field-row">
            {number("issued", t("paper.field.issued"))}
            {number("collected", t("paper.field.collected"))}
            {number("valid", t("paper.field.valid"))}
            {number("invalid", t("paper.field.invalid"))}
          </div>
          <h2>{t("paper.section.subjects")}</h2>
          <p className="muted">{t("paper.subjectsHint")}</p>
          <PaperSubjectsTable
            subjects={subjects}
            levels={levels}
            register={register}
            errorFor={errorFor}
            shown={shown}
          />
          {editable ? (
            <button type="submit" className="button">
              {t("paper.save")}
            </button>
          ) : null}
        </fieldset>
      </Form>
      <p>
        <Link to={`/polls/${poll.id}/paper`}>{t("common.back")}</Link>
      </p>
    </>
  );
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "paper.title");

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
