// The sections of a poll's public board: the receipt check first (what most visitors come for), then the
// published figures (online, paper and total apart where there were paper ballots), the invariant that gives
// receipts their meaning, the download to recount, and every receipt.
import { Form, Link } from "@remix-run/react";
import { Fragment } from "react";
import { Field } from "~/components/form";
import { formatDateTime } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import { shortHash } from "~/polls/polls.schema";
import { formatCount, formatPercent } from "~/results/rules";
import { DEFAULT_RULES, type Level, type PollKind } from "~/results/tally";
import { TallyBars } from "~/results/TallyBars";
import type { BoardSubject, BoardSummary, ReceiptCheck } from "./board.server";

export interface BoardPollView {
  id: number;
  title: string;
  kind: PollKind;
  wardName: string;
  unitName: string | null;
  publishedAt: string;
  tallyHash: string;
  keyMode: "server" | "committee";
}

export interface ReceiptPage {
  items: string[];
  total: number;
  page: number;
  pages: number;
  perPage: number;
}

export function BoardHeader({ poll }: { poll: BoardPollView }) {
  const t = useT();
  const locale = useLocale();
  return (
    <header className="board-header">
      <p className="board-header__eyebrow">{t("board.eyebrow")}</p>
      <h1>{poll.title}</h1>
      <dl className="poll-facts">
        <dt>{t("board.facts.ward")}</dt>
        <dd>{poll.wardName}</dd>
        {poll.unitName ? (
          <>
            <dt>{t("board.facts.unit")}</dt>
            <dd>{poll.unitName}</dd>
          </>
        ) : null}
        <dt>{t("board.facts.kind")}</dt>
        <dd>{t(`results.kind.${poll.kind}`)}</dd>
        <dt>{t("board.facts.published")}</dt>
        <dd>{formatDateTime(locale, poll.publishedAt)}</dd>
      </dl>
      <p className="muted">{t("board.intro")}</p>
      {poll.keyMode === "server" ? <p className="alert alert--warn">{t("board.serverKey")}</p> : null}
    </header>
  );
}

/** A GET form: checking changes nothing, and the answer is a page of its own that no cache keeps. */
export function CheckReceipt({ pollId, check }: { pollId: number; check: ReceiptCheck | null }) {
  const t = useT();
  const typed = check ? (check.result === "malformed" ? check.typed : check.receipt) : "";
  return (
    <section className="card board-check" id="check" aria-labelledby="check-title">
      <h2 id="check-title">{t("board.check.title")}</h2>
      <Form method="get" action={`/p/${pollId}`} className="board-check__form">
        <Field
          label={t("board.check.label")}
          hint={t("board.check.hint")}
          error={check?.result === "malformed" ? "board.check.malformed" : undefined}
        >
          {(props) => (
            <input
              {...props}
              key={typed}
              name="receipt"
              defaultValue={typed}
              className="code-input"
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              maxLength={40}
            />
          )}
        </Field>
        <button type="submit" className="button">
          {t("board.check.button")}
        </button>
      </Form>
      {check ? <CheckAnswer pollId={pollId} check={check} /> : null}
    </section>
  );
}

function CheckAnswer({ pollId, check }: { pollId: number; check: ReceiptCheck }) {
  const t = useT();
  if (check.result === "counted") {
    return (
      <div className="alert alert--ok board-check__answer" role="status">
        <p className="board-check__verdict">{t("board.check.counted", { receipt: check.receipt })}</p>
        <p>{t("board.check.countedNote")}</p>
        <p>
          <Link to={`/p/${pollId}?receipt=${check.receipt}&page=${check.page}#r-${check.receipt}`}>
            {t("board.check.onPage", { page: check.page })}
          </Link>
        </p>
      </div>
    );
  }
  return (
    <div className="alert alert--warn board-check__answer" role="status">
      <p className="board-check__verdict">
        {check.result === "not_found"
          ? t("board.check.notFound", { receipt: check.receipt })
          : t("board.check.notFoundTyped")}
      </p>
      <p>{t("board.check.notFoundHelp")}</p>
    </div>
  );
}

export function BoardResults({ summary }: { summary: BoardSummary }) {
  const t = useT();
  const locale = useLocale();
  const rules = { ...DEFAULT_RULES, denominator: summary.denominator };
  const { ballots } = summary;
  const { channels } = ballots;
  // Ballots issued: the QR slips handed out, and the paper ballots issued at the meetings whose count is confirmed.
  const issued = ballots.handedOut + (channels?.paperIssued ?? 0);
  return (
    <section className="card" aria-labelledby="results-title">
      <h2 id="results-title">{t("board.results.title")}</h2>
      <dl className="poll-figures">
        {/* Slips handed out are recorded by the officers; until they are, a turnout would mean nothing. */}
        {issued > 0 ? (
          <div>
            <dt>{t("board.figures.handedOut")}</dt>
            <dd>{formatCount(locale, issued)}</dd>
          </div>
        ) : null}
        <div>
          <dt>{t("board.figures.collected")}</dt>
          <dd>{formatCount(locale, ballots.collected)}</dd>
        </div>
        {channels ? (
          <>
            <div>
              <dt>{t("board.figures.collectedOnline")}</dt>
              <dd>{formatCount(locale, channels.online)}</dd>
            </div>
            <div>
              <dt>{t("board.figures.collectedPaper")}</dt>
              <dd>{formatCount(locale, channels.paper)}</dd>
            </div>
          </>
        ) : null}
        {issued > 0 ? (
          <div>
            <dt>{t("board.figures.turnout")}</dt>
            <dd>{formatPercent(locale, ballots.turnoutPercent)}</dd>
          </div>
        ) : null}
      </dl>
      <p className="muted">
        {t(`results.denominator.${summary.denominator}`, {
          count: formatCount(locale, summary.denominator === "issued" ? issued : ballots.collected),
        })}
      </p>
      {channels ? <p className="muted">{t("board.channels.hint")}</p> : null}
      {summary.subjects.map((subject) => (
        <Fragment key={subject.subjectId}>
          <TallyBars subject={{ ...subject, flags: [] }} levels={summary.levels} locale={locale} rules={rules} />
          {subject.byChannel ? <ChannelTable subject={subject} levels={summary.levels} /> : null}
        </Fragment>
      ))}
      <p className="muted">{t("board.results.noFlags")}</p>
    </section>
  );
}

/** A subject's online, paper and total counts per level and invalid; the percentages are the bars' (of the total). */
function ChannelTable({ subject, levels }: { subject: BoardSubject; levels: Level[] }) {
  const t = useT();
  const locale = useLocale();
  const byChannel = subject.byChannel!;
  const rows: { key: string; label: string; counts: Partial<Record<Level, number>>; invalid: number }[] = [
    { key: "online", label: t("paper.results.channel.online"), ...byChannel.online },
    { key: "paper", label: t("paper.results.channel.paper"), ...byChannel.paper },
    { key: "total", label: t("paper.results.channel.total"), counts: subject.counts, invalid: subject.invalid },
  ];
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{t("board.channels.caption", { name: subject.fullName })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("board.channels.channel")}</th>
            {levels.map((level) => (
              <th scope="col" key={level}>
                {t(`results.level.${level}`)}
              </th>
            ))}
            <th scope="col">{t("results.level.invalid")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{row.label}</th>
              {levels.map((level) => (
                <td key={level}>{formatCount(locale, row.counts[level] ?? 0)}</td>
              ))}
              <td>{formatCount(locale, row.invalid)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Invariant({ summary, tallyHash }: { summary: BoardSummary; tallyHash: string }) {
  const t = useT();
  const locale = useLocale();
  const { invariant, stored } = summary;
  const holds =
    invariant.receipts === invariant.credentialsUsed && invariant.credentialsUsed === invariant.ballotsCounted;
  const unchanged = stored.receipts === invariant.receipts && stored.ballotsCounted === invariant.ballotsCounted;
  return (
    <section className="card" aria-labelledby="invariant-title">
      <h2 id="invariant-title">{t("board.invariant.title")}</h2>
      <p className="board-invariant__rule">{t("board.invariant.rule")}</p>
      <dl className="poll-figures">
        <div>
          <dt>{t("board.invariant.receipts")}</dt>
          <dd>{formatCount(locale, invariant.receipts)}</dd>
        </div>
        <div>
          <dt>{t("board.invariant.credentialsUsed")}</dt>
          <dd>{formatCount(locale, invariant.credentialsUsed)}</dd>
        </div>
        <div>
          <dt>{t("board.invariant.ballotsCounted")}</dt>
          <dd>{formatCount(locale, invariant.ballotsCounted)}</dd>
        </div>
      </dl>
      <p className={holds ? "alert alert--ok" : "alert alert--error"} role={holds ? undefined : "alert"}>
        {t(holds ? "board.invariant.holds" : "board.invariant.broken")}
      </p>
      {summary.ballots.channels ? <p className="muted">{t("board.invariant.onlineOnly")}</p> : null}
      {unchanged ? null : (
        <p className="alert alert--error" role="alert">
          {t("board.invariant.changed", {
            receipts: formatCount(locale, stored.receipts),
            ballots: formatCount(locale, stored.ballotsCounted),
          })}
        </p>
      )}
      <p>
        {t("board.hash")}: <code className="poll-hash">{shortHash(tallyHash)}</code>
      </p>
      <p className="muted">{t("board.hashHint")}</p>
    </section>
  );
}

export function Download({
  pollId,
  fileName,
  subjects,
  levels,
}: {
  pollId: number;
  fileName: string;
  subjects: BoardSubject[];
  levels: Level[];
}) {
  const t = useT();
  // The file holds the online ballots only: with paper ballots beside them, its recount matches the online line.
  const paper = subjects.some((s) => s.byChannel);
  return (
    <section className="card" aria-labelledby="download-title">
      <h2 id="download-title">{t("board.download.title")}</h2>
      <p>{t("board.download.body")}</p>
      <p>
        <a className="button" href={`/p/${pollId}/ballots.csv`} download={fileName}>
          {t("board.download.link")}
        </a>
      </p>
      <p>{t("board.download.columns")}</p>
      <ul className="board-legend">
        {subjects.map((s, i) => (
          <li key={s.subjectId}>{t("board.download.column", { index: i + 1, name: s.fullName, title: s.title })}</li>
        ))}
      </ul>
      <ul className="board-legend board-legend--codes">
        <li>{t("board.download.code", { code: 0, level: t("board.download.blank") })}</li>
        {levels.map((level, i) => (
          <li key={level}>{t("board.download.code", { code: i + 1, level: t(`results.level.${level}`) })}</li>
        ))}
      </ul>
      <p>{t(paper ? "board.download.howOnline" : "board.download.how")}</p>
      <pre className="board-command">
        <code>{t("board.download.command", { file: fileName })}</code>
      </pre>
    </section>
  );
}

export function ReceiptList({
  pollId,
  receipts,
  mine,
}: {
  pollId: number;
  receipts: ReceiptPage;
  /** The receipt just found, marked where it stands in the list. */
  mine: string | null;
}) {
  const t = useT();
  const locale = useLocale();
  const pageLink = (page: number) =>
    mine ? `/p/${pollId}?receipt=${mine}&page=${page}#receipts-title` : `/p/${pollId}?page=${page}#receipts-title`;
  return (
    <section className="card" aria-labelledby="receipts-title">
      <h2 id="receipts-title">{t("board.receipts.title", { count: formatCount(locale, receipts.total) })}</h2>
      <p className="muted">{t("board.receipts.hint", { perPage: receipts.perPage })}</p>
      {receipts.items.length === 0 ? (
        <p>{t("board.receipts.none")}</p>
      ) : (
        <ol className="board-receipts" start={(receipts.page - 1) * receipts.perPage + 1}>
          {receipts.items.map((receipt) => (
            <li
              key={receipt}
              id={`r-${receipt}`}
              className={receipt === mine ? "board-receipts__item board-receipts__item--mine" : "board-receipts__item"}
            >
              <code>{receipt}</code>
            </li>
          ))}
        </ol>
      )}
      {receipts.pages > 1 ? (
        <nav className="board-pages" aria-label={t("board.receipts.pages")}>
          {receipts.page > 1 ? <Link to={pageLink(receipts.page - 1)}>{t("board.receipts.prev")}</Link> : null}
          <span aria-current="page">{t("board.receipts.page", { page: receipts.page, pages: receipts.pages })}</span>
          {receipts.page < receipts.pages ? (
            <Link to={pageLink(receipts.page + 1)}>{t("board.receipts.next")}</Link>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}
