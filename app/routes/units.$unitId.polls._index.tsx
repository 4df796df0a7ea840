import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { can, requirePermission } from "~/auth/permissions.server";
import { requireUser } from "~/auth/session.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { loadCatalogs, formatDateTime } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import { idParam, notFound } from "~/polls/poll-access.server";
import { pageTitle, PollStatusBadge } from "~/polls/poll-status";
import { listPolls } from "~/polls/polls.server";
import { Breadcrumbs, unitCrumbs } from "~/units/breadcrumbs";
import { readableTrail, requireUnit } from "~/units/units.server";
import pollsMessages from "~/i18n/messages/polls";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(pollsMessages, unitsMessages);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const unitId = idParam(params.unitId);
  await requirePermission(user, "poll.read", unitId);
  const unit = await requireUnit({ unitId });
  if (unit.kind === "province") notFound();
  return {
    unit,
    trail: await readableTrail({ user, unitId }),
    polls: await listPolls({ unitId }),
    canManage: await can(user, "poll.manage", unitId),
  };
}

export default function UnitPolls() {
  const { unit, trail, polls, canManage } = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  return (
    <>
      <Breadcrumbs items={[...unitCrumbs(trail), { label: t("polls.listTitle") }]} />
      <h1>{t("polls.listTitleOf", { unit: unit.name })}</h1>
      {canManage ? (
        <p className="actions">
          <Link className="button" to={`/units/${unit.id}/polls/new`}>
            {t("polls.create")}
          </Link>
        </p>
      ) : null}
      {polls.length === 0 ? (
        <p className="card muted">{t("polls.listEmpty")}</p>
      ) : (
        <ul className="list-plain card poll-list">
          {polls.map((poll) => (
            <li key={poll.id} className="poll-list__item">
              <div className="poll-list__main">
                <Link to={`/polls/${poll.id}`}>
                  <strong>{poll.title}</strong>
                </Link>
                <div className="muted">
                  {t(`polls.kind.${poll.kind}`)}
                  {poll.unit_id !== unit.id ? ` · ${poll.unit_name}` : null}
                </div>
                <div className="muted">
                  {poll.published_at
                    ? t("polls.publishedAt", { time: formatDateTime(locale, poll.published_at) })
                    : poll.closed_at
                    ? t("polls.closedAt", { time: formatDateTime(locale, poll.closed_at) })
                    : poll.opened_at
                    ? t("polls.openedAt", { time: formatDateTime(locale, poll.opened_at) })
                    : poll.scheduled_open_at
                    ? t("polls.scheduledOpen", { time: formatDateTime(locale, poll.scheduled_open_at) })
                    : t("polls.createdAt", { time: formatDateTime(locale, poll.created_at) })}
                </div>
              </div>
              <PollStatusBadge status={poll.status} countedAt={poll.counted_at} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "polls.listTitle");

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
