// A counted poll's results as its page shows them: the reconciliation (receipts = credentials used = ballots
// counted), slips and turnout, each subject's bars drawn on the server, the residential groups and each subject per
// group (cells under k withheld in the tally itself, shown as "< k"), and the confirmations that publishing needs.
import { Form } from "@remix-run/react";
import { FormError } from "~/components/form";
import type { Message } from "~/i18n/i18n";
import { formatDateTime } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import { formatCount, formatPercent, percent } from "~/results/rules";
import { TallyBars } from "~/results/TallyBars";
import type { BreakdownCell, BreakdownColumn, PollTally } from "~/results/tally";
import { PaperEntriesHead } from "~/paper/paper-view";
import { shortHash } from "./polls.schema";
import type { KeySummary } from "./key-holders.server";

export interface ConfirmationView {
  user_id: number;
  full_name: string;
  tally_hash: string;
  confirmed_at: string | Date;
}

function Reconciliation({ tally }: { tally: PollTally }) {
  const t = useT();
  const locale = useLocale();
  const { invariant } = tally;
  const holds =
    invariant.holds &&
    invariant.receipts === invariant.credentialsUsed &&
    invariant.credentialsUsed === invariant.ballotsCounted;
  return (
    <section className="card" aria-labelledby="invariant-title">
      <h2 id="invariant-title">{t("polls.results.invariantTitle")}</h2>
      <dl className="poll-figures">
        <div>
          <dt>{t("polls.results.receipts")}</dt>
          <dd>{formatCount(locale, invariant.receipts)}</dd>
        </div>
        <div>
          <dt>{t("polls.results.credentialsUsed")}</dt>
          <dd>{formatCount(locale, invariant.credentialsUsed)}</dd>
        </div>
        <div>
          <dt>{t("polls.results.ballotsCounted")}</dt>
          <dd>{formatCount(locale, invariant.ballotsCounted)}</dd>
        </div>
      </dl>
      <p className={holds ? "alert alert--ok" : "alert alert--error"} role={holds ? undefined : "alert"}>
        {t(holds ? "polls.results.invariantHolds" : "polls.results.invariantBroken")}
      </p>
    </section>
  );
}

function SlipsAndTurnout({ tally }: { tally: PollTally }) {
  const t = useT();
  const locale = useLocale();
  const figures: [Message, number][] = [
    ["polls.credentials.issued", tally.slips.issued],
    ["polls.credentials.handedOut", tally.slips.handedOut],
    ["polls.credentials.used", tally.slips.used],
    ["polls.credentials.voided", tally.slips.voided],
    ["polls.results.collected", tally.ballots.collected],
  ];
  const channels = tally.ballots.byChannel;
  if (channels) {
    figures.push(
      ["paper.results.channel.online", channels.online.collected],
      ["paper.results.channel.paper", channels.paper.collected],
      ["paper.field.invalid", channels.paper.invalid]
    );
  }
  return (
    <section className="card" aria-labelledby="slips-title">
      <h2 id="slips-title">{t("polls.results.slipsTitle")}</h2>
      <dl className="poll-figures">
        {figures.map(([label, value]) => (
          <div key={typeof label === "string" ? label : label.key}>
            <dt>{t(label)}</dt>
            <dd>{formatCount(locale, value)}</dd>
          </div>
        ))}
        <div>
          <dt>{t("polls.results.turnout")}</dt>
          <dd>{formatPercent(locale, tally.turnoutPercent)}</dd>
        </div>
      </dl>
    </section>
  );
}

function Groups({ tally }: { tally: PollTally }) {
  const t = useT();
  const locale = useLocale();
  const k = tally.rules.k;
  // Paper columns once a group has confirmed paper figures (the whole meeting's are not split by group).
  const withPaper = tally.groups.some((g) => g.totalCollected !== undefined);
  const paperOf = (unitId: number) =>
    (tally.paper ?? []).filter((e) => e.unitId === unitId && e.confirmed).reduce((sum, e) => sum + e.collected, 0);
  return (
    <section className="card" aria-labelledby="groups-title">
      <h2 id="groups-title">{t("polls.results.groupsTitle")}</h2>
      <p className="muted">{t("results.groups.hint", { k })}</p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t("polls.credentials.group")}</th>
              <th>{t("polls.credentials.issued")}</th>
              <th>{t("polls.credentials.handedOut")}</th>
              <th>{t("polls.results.collected")}</th>
              <th>{t("polls.results.turnout")}</th>
              {withPaper ? <th>{t("paper.results.groupPaper")}</th> : null}
              {withPaper ? <th>{t("paper.results.groupTotal")}</th> : null}
            </tr>
          </thead>
          <tbody>
            {tally.groups.map((g) => (
              <tr key={g.unitId}>
                <td>{g.name}</td>
                <td>{formatCount(locale, g.slipsIssued)}</td>
                <td>{formatCount(locale, g.slipsHandedOut)}</td>
                <td>
                  {g.suppressed || g.ballotsCollected === null
                    ? t("results.belowK", { k })
                    : formatCount(locale, g.ballotsCollected)}
                </td>
                <td>
                  {g.suppressed || g.ballotsCollected === null || g.slipsHandedOut === 0
                    ? "—"
                    : formatPercent(locale, percent(g.ballotsCollected, g.slipsHandedOut))}
                </td>
                {withPaper ? <td>{formatCount(locale, paperOf(g.unitId))}</td> : null}
                {withPaper ? (
                  <td>
                    {g.totalCollected === null || g.totalCollected === undefined
                      ? t("results.belowK", { k })
                      : formatCount(locale, g.totalCollected)}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Each subject's levels per residential group; a withheld cell carries no figure, only "< k". */
function SubjectsByGroup({ tally }: { tally: PollTally }) {
  const t = useT();
  const locale = useLocale();
  const k = tally.rules.k;
  const subjects = tally.subjects.filter((s) => s.byGroup && s.byGroup.length > 0);
  if (subjects.length === 0) return null;
  const columns: BreakdownColumn[] = [...tally.levels, "invalid"];
  const show = (cell: BreakdownCell | undefined) =>
    !cell || cell.suppressed || cell.count === null ? t("results.belowK", { k }) : formatCount(locale, cell.count);
  return (
    <section className="card" aria-labelledby="by-group-title">
      <h2 id="by-group-title">{t("results.byGroup.title")}</h2>
      <p className="muted">{t("results.byGroup.hint", { k })}</p>
      {subjects.map((subject, index) => (
        <div key={subject.subjectId}>
          <h3 id={`by-group-${subject.subjectId}`}>
            {t("results.byGroup.subject", { index: index + 1, name: subject.fullName, title: subject.title })}
          </h3>
          <div className="table-wrap">
            <table aria-labelledby={`by-group-${subject.subjectId}`}>
              <thead>
                <tr>
                  <th>{t("results.groups.group")}</th>
                  {columns.map((column) => (
                    <th key={column}>{t(`results.level.${column}`)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {subject.byGroup!.map((row) => (
                  <tr key={row.unitId}>
                    <td>{row.name}</td>
                    {columns.map((column) => (
                      <td key={column}>{show(row.cells[column])}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
    </section>
  );
}

/** Each subject's counts online, on paper and in all (present once the tally has confirmed paper entries). */
function Channels({ tally }: { tally: PollTally }) {
  const t = useT();
  const locale = useLocale();
  const subjects = tally.subjects.filter((s) => s.byChannel);
  if (subjects.length === 0) return null;
  const columns: BreakdownColumn[] = [...tally.levels, "invalid"];
  const cell = (counts: { counts: Partial<Record<string, number>>; invalid: number }, column: BreakdownColumn) =>
    formatCount(locale, column === "invalid" ? counts.invalid : counts.counts[column] ?? 0);
  return (
    <section className="card" aria-labelledby="channels-title">
      <h2 id="channels-title">{t("paper.results.channelsTitle")}</h2>
      {subjects.map((subject, index) => (
        <div key={subject.subjectId}>
          <h3 id={`channels-${subject.subjectId}`}>
            {t("paper.results.channelOf", { index: index + 1, name: subject.fullName, title: subject.title })}
          </h3>
          <div className="table-wrap">
            <table aria-labelledby={`channels-${subject.subjectId}`} className="paper-channels">
              <thead>
                <tr>
                  <th />
                  {columns.map((column) => (
                    <th key={column}>{t(`results.level.${column}`)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">{t("paper.results.channel.online")}</th>
                  {columns.map((column) => (
                    <td key={column}>{cell(subject.byChannel!.online, column)}</td>
                  ))}
                </tr>
                <tr>
                  <th scope="row">{t("paper.results.channel.paper")}</th>
                  {columns.map((column) => (
                    <td key={column}>{cell(subject.byChannel!.paper, column)}</td>
                  ))}
                </tr>
                <tr>
                  <th scope="row">{t("paper.results.channel.total")}</th>
                  {columns.map((column) => (
                    <td key={column}>
                      <strong>{cell(subject, column)}</strong>
                    </td>
                  ))}
                </tr>
              </tbody>
            </table>
          </div>
        </div>
      ))}
    </section>
  );
}

/** The paper entries: each meeting's attendance and ballots, and whether it is confirmed (and so counted). */
function PaperEntries({ tally }: { tally: PollTally }) {
  const t = useT();
  const locale = useLocale();
  if (!tally.paper || tally.paper.length === 0) return null;
  const n = (value: number) => formatCount(locale, value);
  return (
    <section className="card" aria-labelledby="paper-entries-title">
      <h2 id="paper-entries-title">{t("paper.results.entriesTitle")}</h2>
      <div className="table-wrap">
        <table>
          <PaperEntriesHead quorum />
          <tbody>
            {tally.paper.map((e) => (
              <tr key={e.unitId ?? "meeting"}>
                <td>{e.unitId === null ? t("paper.meeting") : e.name}</td>
                <td>{n(e.summoned)}</td>
                <td>{n(e.present)}</td>
                <td>
                  {e.quorumMet === null
                    ? "—"
                    : t(e.quorumMet ? "paper.results.quorumYes" : "paper.results.quorumNo")}
                </td>
                <td>{n(e.issued)}</td>
                <td>{n(e.collected)}</td>
                <td>{n(e.valid)}</td>
                <td>{n(e.invalid)}</td>
                <td>{t(e.confirmed ? "paper.results.confirmedYes" : "paper.results.confirmedNo")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function ResultsView({ tally, frozen }: { tally: PollTally; frozen: boolean }) {
  const t = useT();
  const locale = useLocale();
  const { rules } = tally;
  const over = rules.denominator === "collected" ? tally.ballots.collected : tally.subjects[0]?.denominator ?? 0;
  return (
    <>
      <p className={frozen ? "alert alert--ok" : "alert alert--warn"}>
        {t(frozen ? "polls.results.frozen" : "polls.results.notPublished")}
      </p>
      {frozen ? (
        <p>
          <a href={`/p/${tally.pollId}`}>{t("board.link")}</a>
        </p>
      ) : null}
      <Reconciliation tally={tally} />
      <SlipsAndTurnout tally={tally} />
      <section className="card" aria-labelledby="subjects-title">
        <h2 id="subjects-title">{t("polls.results.subjectsTitle")}</h2>
        <p className="muted">{t(`results.denominator.${rules.denominator}`, { count: formatCount(locale, over) })}</p>
        {tally.subjects.map((subject) => (
          <TallyBars key={subject.subjectId} subject={subject} levels={tally.levels} locale={locale} rules={rules} />
        ))}
      </section>
      <Channels tally={tally} />
      <PaperEntries tally={tally} />
      <Groups tally={tally} />
      <SubjectsByGroup tally={tally} />
    </>
  );
}

export function ConfirmationsList({
  confirmations,
  hash,
  required,
}: {
  confirmations: ConfirmationView[];
  hash: string;
  required: number;
}) {
  const t = useT();
  const locale = useLocale();
  const matching = confirmations.filter((c) => c.tally_hash === hash).length;
  return (
    <section className="card" aria-labelledby="confirmed-title">
      <h2 id="confirmed-title">{t("polls.confirmations.title")}</h2>
      <p>
        {t("polls.confirmations.hash")} <code className="poll-hash">{shortHash(hash)}</code>
      </p>
      <p>{t("polls.confirmations.matching", { count: matching, required })}</p>
      {confirmations.length === 0 ? (
        <p className="muted">{t("polls.confirmations.none")}</p>
      ) : (
        <ul className="list-plain">
          {confirmations.map((c) => (
            <li key={c.user_id}>
              {c.full_name} <span className="muted">— {formatDateTime(locale, c.confirmed_at)}</span>{" "}
              {c.tally_hash === hash ? (
                <span className="badge badge--ok">{t("polls.confirmations.matches")}</span>
              ) : (
                <span className="badge badge--warn">{t("polls.confirmations.stale")}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The counting member's confirmation: bound to the hash of the tally on this page, posted as it is shown. */
export function ConfirmTallyForm({ hash, formError }: { hash: string; formError?: Message | null }) {
  const t = useT();
  return (
    <section className="card poll-confirm-tally" aria-labelledby="confirm-title">
      <h2 id="confirm-title">{t("polls.confirm.title")}</h2>
      <p>{t("polls.confirm.hint")}</p>
      <FormError error={formError ?? undefined} />
      <Form method="post">
        <input type="hidden" name="intent" value="confirm" />
        <input type="hidden" name="tallyHash" value={hash} />
        <button type="submit" className="button">
          {t("polls.confirm.button", { hash: shortHash(hash) })}
        </button>
      </Form>
    </section>
  );
}

/**
 * Who held the poll's key: the counting committee with k of its n shares needed to count, or the server, with what
 * that means for the ballots' secrecy said wherever the results appear.
 */
export function KeyModeLine({ keys }: { keys: Pick<KeySummary, "keyMode" | "required" | "holders"> }) {
  const t = useT();
  if (keys.keyMode === "committee") {
    return (
      <p className="muted">
        {t("polls.keyMode.label")}: {t("polls.keyMode.shownCommittee", { k: keys.required ?? 0, n: keys.holders })}
      </p>
    );
  }
  return (
    <p className="alert alert--warn">
      {t("polls.keyMode.label")}: {t("polls.keyMode.shownServer")}. {t("polls.keyMode.serverWarning")}
    </p>
  );
}
