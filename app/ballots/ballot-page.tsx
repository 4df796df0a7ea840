import { Link } from "@remix-run/react";
import { Fragment } from "react";
import { formatDateTime } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import type { BallotPoll, BallotView } from "./ballot.server";
import { BallotForm, ReviewForm } from "./ballot-forms";
import { ContactLine, PageHeading, PollHeader } from "./ballot-ui";

/** Every page of /v/:code, one per state; a new state (or step) is a new page, so focus moves to its heading. */
export function BallotPage({ view }: { view: BallotView }) {
  const key = view.state === "open" ? `open-${view.step}` : view.state;
  return (
    <div className="ballot-page" key={key}>
      <BallotState view={view} />
    </div>
  );
}

function BallotState({ view }: { view: BallotView }) {
  switch (view.state) {
    case "open":
      return view.step === "review" ? <ReviewForm view={view} /> : <BallotForm view={view} />;
    case "recorded":
      return <Recorded poll={view.poll} receipt={view.receipt} />;
    case "unknown":
      return <UnknownCode />;
    case "voided":
      return <Refusal poll={view.poll} title="ballots.voided.title" body="ballots.voided.body" />;
    case "closed":
      return <Refusal poll={view.poll} title="ballots.closed.title" body="ballots.closed.body" />;
    case "not_open":
      return <NotOpen poll={view.poll} />;
  }
}

/** "Counted", unmistakably: the check mark, the heading, the receipt large, and what the receipt proves. */
function Recorded({ poll, receipt }: { poll: BallotPoll; receipt: string }) {
  const t = useT();
  return (
    <section className="ballot-done">
      <div className="ballot-done__mark" aria-hidden="true">
        ✓
      </div>
      <PageHeading>{t(poll.closed ? "ballots.recorded.titleCounted" : "ballots.recorded.title")}</PageHeading>
      <div className="receipt">
        <p className="receipt__label" id="receipt-label">
          {t("ballots.recorded.receipt")}
        </p>
        <p className="receipt__code" aria-labelledby="receipt-label">
          {receipt.split("-").map((group, i) => (
            <Fragment key={i}>
              {i > 0 ? <span className="receipt__sep">-</span> : null}
              <span className="receipt__group">{group}</span>
            </Fragment>
          ))}
        </p>
      </div>
      <div className="ballot-done__text">
        <p>{t("ballots.recorded.explain")}</p>
        <p>{t("ballots.recorded.board")}</p>
        {poll.boardPath ? (
          <p>
            <Link to={`${poll.boardPath}?receipt=${receipt}`}>{t("ballots.recorded.boardLink")}</Link>
          </p>
        ) : null}
        <p>{t("ballots.recorded.keep")}</p>
        <PollHeader poll={poll} />
        <ContactLine poll={poll} />
      </div>
    </section>
  );
}

function UnknownCode() {
  const t = useT();
  return (
    <section className="ballot-state">
      <PageHeading>{t("ballots.unknown.title")}</PageHeading>
      <p>{t("ballots.unknown.body")}</p>
      <p>
        <Link to="/v" className="button button--block button--large">
          {t("ballots.unknown.retry")}
        </Link>
      </p>
    </section>
  );
}

function Refusal({
  poll,
  title,
  body,
}: {
  poll: BallotPoll;
  title: "ballots.voided.title" | "ballots.closed.title";
  body: "ballots.voided.body" | "ballots.closed.body";
}) {
  const t = useT();
  return (
    <section className="ballot-state">
      <PageHeading>{t(title)}</PageHeading>
      <PollHeader poll={poll} />
      <p className="ballot-state__body">{t(body)}</p>
      <ContactLine poll={poll} />
    </section>
  );
}

function NotOpen({ poll }: { poll: BallotPoll }) {
  const t = useT();
  const locale = useLocale();
  return (
    <section className="ballot-state">
      <PageHeading>{t("ballots.notOpen.title")}</PageHeading>
      <PollHeader poll={poll} />
      <p className="ballot-state__body">
        {poll.opensAt
          ? t("ballots.notOpen.scheduled", { time: formatDateTime(locale, poll.opensAt) })
          : t("ballots.notOpen.unscheduled")}
      </p>
      <ContactLine poll={poll} />
    </section>
  );
}
