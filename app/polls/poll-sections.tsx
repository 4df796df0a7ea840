// The sections of a poll's page: what it is about, its lifecycle actions, and the confirmations before publishing.
// Every action is a plain form post with a hidden `intent`; closing asks once more, in a <details> that needs no
// script to unfold.
import { Form, Link } from "@remix-run/react";
import { FormError } from "~/components/form";
import { formatDateTime } from "~/i18n/i18n";
import { useLocale, useT } from "~/i18n/use-t";
import { formatFraction } from "~/results/rules";
import type { PollRules } from "~/results/tally";
import type { Refused } from "~/units/unit-forms";
import type { PollStatus } from "../../db/schema";
import { shortHash } from "./polls.schema";
import { PollStatusBadge } from "./poll-status";
import type { KeySummary } from "./key-holders.server";

export interface PollView {
  id: number;
  unit_id: number;
  unit_name: string;
  kind: "confidence_poll" | "confidence_vote";
  title: string;
  place: string;
  status: PollStatus;
  rules: PollRules;
  required_confirmations: number;
  counted_at: string | Date | null;
  scheduled_open_at: string | Date | null;
  scheduled_close_at: string | Date | null;
  created_by_name: string;
  created_at: string | Date;
  opened_at: string | Date | null;
  closed_at: string | Date | null;
  published_at: string | Date | null;
  key_mode?: "server" | "committee";
}

function When({ label, value }: { label: string; value: string | Date | null }) {
  const locale = useLocale();
  if (!value) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>{formatDateTime(locale, value)}</dd>
    </>
  );
}

export function PollOverview({
  poll,
  subjects,
  groups,
  committee,
}: {
  poll: PollView;
  subjects: { id: number; full_name: string; title: string; unit_name: string }[];
  groups: { id: number; name: string }[];
  committee: { full_name: string; role: string }[];
}) {
  const t = useT();
  const { rules } = poll;
  return (
    <section className="card" aria-labelledby="poll-details-title">
      <h2 id="poll-details-title">{t("polls.details")}</h2>
      <dl className="poll-facts">
        <dt>{t("polls.form.kind")}</dt>
        <dd>{t(`polls.kind.${poll.kind}`)}</dd>
        <dt>{t("polls.unit")}</dt>
        <dd>{poll.unit_name}</dd>
        <dt>{t("polls.form.place")}</dt>
        <dd>{poll.place}</dd>
        <dt>{t("polls.statusLabel")}</dt>
        <dd>
          <PollStatusBadge status={poll.status} countedAt={poll.counted_at} />
        </dd>
        <dt>{t("polls.createdBy")}</dt>
        <dd>{poll.created_by_name}</dd>
        <When label={t("polls.form.scheduledOpenAt")} value={poll.scheduled_open_at} />
        <When label={t("polls.form.scheduledCloseAt")} value={poll.scheduled_close_at} />
        <When label={t("polls.time.opened")} value={poll.opened_at} />
        <When label={t("polls.time.closed")} value={poll.closed_at} />
        <When label={t("polls.time.published")} value={poll.published_at} />
        <dt>{t("polls.form.rules")}</dt>
        <dd>
          {t(`polls.denominator.${rules.denominator}`)}.{" "}
          {poll.kind === "confidence_poll"
            ? t("polls.rulesPoll", {
                review: formatFraction(rules.reviewAbove),
                dismissal: formatFraction(rules.dismissalAtLeast),
              })
            : t("polls.rulesVote", { dismissal: formatFraction(rules.noConfidenceAbove) })}{" "}
          {t("polls.rulesCommon", {
            quorum: formatFraction(rules.quorum),
            k: rules.k,
            confirmations: poll.required_confirmations,
          })}
        </dd>
      </dl>
      <h3>{t("polls.subjectsTitle", { count: subjects.length })}</h3>
      <ol className="poll-subjects">
        {subjects.map((s) => (
          <li key={s.id}>
            <strong>{s.full_name}</strong>{" "}
            <span className="muted">
              — {s.title} — {s.unit_name}
            </span>
          </li>
        ))}
      </ol>
      <h3>{t("polls.groupsTitle", { count: groups.length })}</h3>
      <p>{groups.map((g) => g.name).join(", ")}</p>
      <h3>{t("polls.form.committee")}</h3>
      {committee.length === 0 ? (
        <p className="muted">{t("polls.noCommittee")}</p>
      ) : (
        <ul className="list-plain">
          {committee.map((m, i) => (
            <li key={i}>
              {m.full_name} <span className="muted">— {m.role}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The actions the poll's state allows: edit and open a draft, close an open poll (asking once more). */
export function LifecycleSection({ poll, refused }: { poll: PollView; refused?: Refused }) {
  const t = useT();
  const mine = refused && ["open", "close"].includes(refused.intent) ? refused : undefined;
  if (poll.status !== "draft" && poll.status !== "open") return null;
  return (
    <section className="card" aria-labelledby="lifecycle-title">
      <h2 id="lifecycle-title">{t("polls.lifecycle.title")}</h2>
      <FormError error={mine?.formError ?? undefined} />
      {poll.status === "draft" ? (
        <>
          <p className="muted">{t("polls.lifecycle.draftHint")}</p>
          <div className="actions">
            <Link className="button button--secondary" to={`/polls/${poll.id}/edit`}>
              {t("common.edit")}
            </Link>
            <Form method="post" className="inline-form">
              <input type="hidden" name="intent" value="open" />
              <button type="submit" className="button">
                {t("polls.lifecycle.open")}
              </button>
            </Form>
          </div>
        </>
      ) : (
        <>
          <p className="muted">{t("polls.lifecycle.openHint")}</p>
          <details className="poll-confirm" open={Boolean(mine)}>
            <summary className="button button--danger">{t("polls.lifecycle.close")}</summary>
            <div className="alert alert--warn" role="note">
              {t(
                poll.key_mode === "committee" ? "polls.lifecycle.closeWarningCommittee" : "polls.lifecycle.closeWarning"
              )}
            </div>
            <Form method="post">
              <input type="hidden" name="intent" value="close" />
              <button type="submit" name="confirm" value="yes" className="button">
                {t(
                  poll.key_mode === "committee"
                    ? "polls.lifecycle.closeConfirmCommittee"
                    : "polls.lifecycle.closeConfirm"
                )}
              </button>
            </Form>
          </details>
        </>
      )}
    </section>
  );
}

/** Confirmations by counting members, each bound to the tally hash, and the publish button once enough match. */
export function ConfirmationsSection({
  poll,
  confirmations,
  currentHash,
  canManage,
  canReadResults,
  refused,
}: {
  poll: PollView;
  confirmations: { user_id: number; full_name: string; tally_hash: string; confirmed_at: string | Date }[];
  currentHash: string | null;
  canManage: boolean;
  canReadResults: boolean;
  refused?: Refused;
}) {
  const t = useT();
  const locale = useLocale();
  if (poll.status === "draft" || poll.status === "open") return null;
  const matching = currentHash ? confirmations.filter((c) => c.tally_hash === currentHash).length : null;
  const mine = refused?.intent === "publish" ? refused : undefined;
  return (
    <section className="card" aria-labelledby="confirmations-title">
      <h2 id="confirmations-title">{t("polls.confirmations.title")}</h2>
      <FormError error={mine?.formError ?? undefined} />
      {currentHash ? (
        <p>
          {t("polls.confirmations.hash")} <code className="poll-hash">{shortHash(currentHash)}</code>
        </p>
      ) : null}
      <p>
        {matching === null
          ? t("polls.confirmations.count", { count: confirmations.length, required: poll.required_confirmations })
          : t("polls.confirmations.matching", { count: matching, required: poll.required_confirmations })}
      </p>
      {confirmations.length > 0 ? (
        <ul className="list-plain">
          {confirmations.map((c) => (
            <li key={c.user_id}>
              {c.full_name} <span className="muted">— {formatDateTime(locale, c.confirmed_at)}</span>{" "}
              {currentHash ? (
                c.tally_hash === currentHash ? (
                  <span className="badge badge--ok">{t("polls.confirmations.matches")}</span>
                ) : (
                  <span className="badge badge--warn">{t("polls.confirmations.stale")}</span>
                )
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="actions">
        {canReadResults ? (
          <Link className="button button--secondary" to={`/polls/${poll.id}/results`}>
            {poll.status === "closed" ? t("polls.confirmations.review") : t("polls.results.link")}
          </Link>
        ) : null}
        {canReadResults ? (
          <a className="button button--secondary" href={`/polls/${poll.id}/minutes`}>
            {t("polls.minutes.download")}
          </a>
        ) : null}
        {canManage && poll.status === "closed" ? (
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="publish" />
            <button type="submit" className="button">
              {t("polls.publish.button")}
            </button>
          </Form>
        ) : null}
      </div>
    </section>
  );
}

/**
 * Who holds the poll's key. Server mode says plainly what it does not defend against; committee mode shows who has
 * made their key (by name while the poll is a draft, since the opening waits on them) and the links to make one's
 * key and to count.
 */
export function KeySection({ pollId, keys, canCount }: { pollId: number; keys: KeySummary; canCount: boolean }) {
  const t = useT();
  if (keys.keyMode === "server") {
    return (
      <section className="card" aria-labelledby="key-title">
        <h2 id="key-title">{t("polls.keyMode.legend")}</h2>
        <p>{t("polls.keyMode.shownServer")}</p>
        <p className="alert alert--warn">{t("polls.keyMode.serverWarning")}</p>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="key-title">
      <h2 id="key-title">{t("polls.keyMode.legend")}</h2>
      <p>{t("polls.keyMode.shownCommittee", { k: keys.required ?? 0, n: keys.holders })}</p>
      <p className="muted">{t("polls.keyMode.enrolled", { enrolled: keys.enrolled, n: keys.holders })}</p>
      {keys.draft && keys.notEnrolled.length > 0 ? (
        <p className="alert alert--warn">{t("polls.keyMode.waitingFor", { names: keys.notEnrolled.join(", ") })}</p>
      ) : null}
      {keys.awaitingShares ? <p className="alert alert--warn">{t("polls.keyMode.awaitingShares")}</p> : null}
      <div className="actions">
        {keys.draft && keys.myKey !== "none" ? (
          <Link className="button" to={`/polls/${pollId}/share`}>
            {keys.myKey === "enrolled" ? t("polls.keyMode.enrolAgainLink") : t("polls.keyMode.enrolLink")}
          </Link>
        ) : null}
        {keys.awaitingShares && canCount ? (
          <Link className="button" to={`/polls/${pollId}/count`}>
            {t("polls.keyMode.countLink")}
          </Link>
        ) : null}
      </div>
    </section>
  );
}
