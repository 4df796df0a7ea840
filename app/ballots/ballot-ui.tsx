import { useEffect, useRef, type ReactNode } from "react";
import type { Message } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import type { BallotPoll } from "./ballot.server";

// The first heading rendered in the browser belongs to a page the server sent: focus stays where it is. Any
// heading after that replaces the page without a reload, so focus moves to it and a screen reader reads it.
let hydrated = false;

/** The page's h1, focused when it arrives without a page load (a step of the ballot, the receipt). */
export function PageHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (hydrated) ref.current?.focus();
    hydrated = true;
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** The poll a page is about: kind, title, ward (and group), place. */
export function PollHeader({ poll }: { poll: BallotPoll }) {
  const t = useT();
  return (
    <header className="ballot-poll">
      <p className="ballot-poll__kind">{t(`ballots.kind.${poll.kind}`)}</p>
      <p className="ballot-poll__title">{poll.title}</p>
      <p className="ballot-poll__where">
        {poll.wardName}
        {poll.unitName ? (
          <>
            <br />
            {t("ballots.poll.unit", { unit: poll.unitName })}
          </>
        ) : null}
        <br />
        {t("ballots.poll.place", { place: poll.place })}
      </p>
    </header>
  );
}

/** Whom a resident turns to: the ward's Front committee, where the poll is held. */
export function ContactLine({ poll }: { poll: BallotPoll }) {
  const t = useT();
  return <p className="ballot-contact">{t("ballots.contact", { ward: poll.wardName, place: poll.place })}</p>;
}

export interface SummaryItem {
  message: Message;
  /** The field the message is about (`#id`), when it is about one. */
  href?: string;
}

/** The errors of a refused form, at its top, each linked to its field. */
export function ErrorSummary({ items }: { items: SummaryItem[] }) {
  const t = useT();
  if (items.length === 0) return null;
  return (
    <div className="error-summary" role="alert" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{t("ballots.errors.summary")}</h2>
      <ul>
        {items.map((item, i) => (
          <li key={i}>{item.href ? <a href={item.href}>{t(item.message)}</a> : t(item.message)}</li>
        ))}
      </ul>
    </div>
  );
}
