// The poll's paper tallies: one line per residential group (and the whole meeting), what was entered, by whom, and
// whether a second counting member has confirmed it.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/form";
import { useLocale, useT } from "~/i18n/use-t";
import { PaperEntriesHead, paperNotice, paperScopes } from "~/paper/paper-view";
import { listPaperEntries } from "~/paper/paper.server";
import { requireMeetingAccess } from "~/polls/poll-access.server";
import { pageTitle, PollStatusBadge } from "~/polls/poll-status";
import { getPollDetails, listPollGroups } from "~/polls/polls.server";
import { formatCount } from "~/results/rules";
import { loadCatalogs } from "~/i18n/i18n";
import paperMessages from "~/i18n/messages/paper";
import pollsMessages from "~/i18n/messages/polls";
import resultsMessages from "~/i18n/messages/results";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(paperMessages, pollsMessages, resultsMessages, unitsMessages);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { poll: found } = await requireMeetingAccess({ request, params });
  const [poll, groups, entries] = await Promise.all([
    getPollDetails({ pollId: found.id }),
    listPollGroups({ pollId: found.id }),
    listPaperEntries({ pollId: found.id }),
  ]);
  return {
    poll: { id: poll!.id, title: poll!.title, status: poll!.status, counted_at: poll!.counted_at },
    scopes: paperScopes(groups, entries),
  };
}

export default function PaperTallies() {
  const { poll, scopes } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const t = useT();
  const locale = useLocale();
  const n = (value: number | undefined) => (value === undefined ? "—" : formatCount(locale, value));
  return (
    <>
      <nav className="breadcrumbs" aria-label={t("units.breadcrumbs")}>
        <Link to={`/polls/${poll.id}`}>{poll.title}</Link> › <span aria-current="page">{t("paper.title")}</span>
      </nav>
      <h1>{t("paper.titleOf", { title: poll.title })}</h1>
      <p className="poll-heading">
        <PollStatusBadge status={poll.status} countedAt={poll.counted_at} />
      </p>
      <Notice message={paperNotice(params.get("notice"))} />
      <p className="muted">{t("paper.hint")}</p>
      {poll.status === "draft" ? <p className="alert alert--warn">{t("paper.notYetOpen")}</p> : null}
      {poll.status === "published" || poll.status === "archived" ? (
        <p className="alert alert--warn">{t("paper.locked")}</p>
      ) : null}
      <section className="card table-wrap">
        <table className="paper-entries">
          <PaperEntriesHead />
          <tbody>
            {scopes.map(({ scope, name, entry }) => (
              <tr key={scope}>
                <td>
                  {poll.status === "draft" ? (
                    name ?? t("paper.meeting")
                  ) : (
                    <Link to={`/polls/${poll.id}/paper/${scope}`}>{name ?? t("paper.meeting")}</Link>
                  )}
                </td>
                <td>{n(entry?.summoned)}</td>
                <td>{n(entry?.present)}</td>
                <td>{n(entry?.issued)}</td>
                <td>{n(entry?.collected)}</td>
                <td>{n(entry?.valid)}</td>
                <td>{n(entry?.invalid)}</td>
                <td>
                  {!entry ? (
                    <span className="muted">{t("paper.status.none")}</span>
                  ) : entry.confirmedBy ? (
                    <span className="badge badge--ok">
                      {t("paper.status.confirmed", {
                        entered: entry.enteredBy.fullName,
                        confirmed: entry.confirmedBy.fullName,
                      })}
                    </span>
                  ) : (
                    <span className="badge badge--warn">
                      {t("paper.status.awaiting", { name: entry.enteredBy.fullName })}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <p className="muted">{t("paper.meetingHint")}</p>
      <p>
        <Link to={`/polls/${poll.id}`}>{t("common.back")}</Link>
      </p>
    </>
  );
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "paper.title");

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
