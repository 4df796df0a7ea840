// The officers' view of the audit log: the chain's state, a filter by family of action, and each entry as a
// sentence. The sentences are built here from the entry's recorded details, so an action Phiếu does not know (yet)
// still shows, under its raw name.
import { Form, Link } from "@remix-run/react";
import { Field } from "~/components/form";
import { formatDate, formatDateTime, isMessageKey, type Message, type MessageParams } from "~/i18n/i18n";
import type { Locale } from "~/i18n/define";
import { useLocale, useT } from "~/i18n/use-t";

export type ChainState =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenId: string; reason: "hash" | "link" };

export interface AuditEntryView {
  id: string;
  at: string | Date;
  actor_user_id: number | null;
  actor_label: string;
  unit_id: number | null;
  unit_name: string | null;
  action: string;
  details: Record<string, unknown>;
  hashPrefix: string;
}

export interface AuditNames {
  units: Record<string, string>;
  cadres: Record<string, string>;
}

type Translate = (message: Message | string, params?: MessageParams) => string;

/** What the banner says about the whole chain. */
export function chainMessage(chain: ChainState): Message {
  if (chain.ok)
    return chain.entries === 0 ? "audit.chain.okEmpty" : { key: "audit.chain.ok", params: { entries: chain.entries } };
  const key = chain.reason === "hash" ? "audit.chain.brokenHash" : "audit.chain.brokenLink";
  return { key, params: { id: chain.brokenId } };
}

/** Who acted: the account's username, or the schedule and the command line, which have no account. */
export function actorText(entry: Pick<AuditEntryView, "actor_user_id" | "actor_label" | "action">, t: Translate) {
  const machine = entry.actor_user_id === null && !entry.action.startsWith("auth.");
  if (machine && (entry.actor_label === "schedule" || entry.actor_label === "cli")) {
    return t(`audit.actor.${entry.actor_label}`);
  }
  return entry.actor_label;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value) : "?";
}

/** An entry as one sentence in the reader's language, e.g. "Mở cuộc lấy phiếu #3". */
export function describeAuditEntry(
  entry: Pick<AuditEntryView, "action" | "actor_label" | "details">,
  { t, locale, names }: { t: Translate; locale: Locale; names: AuditNames }
): string {
  const d = record(entry.details);
  const unit = (id: unknown) =>
    id === null ? t("users.everyUnit") : names.units[text(id)] ?? t("audit.unitGone", { id: text(id) });
  const cadre = (id: unknown) => names.cadres[text(id)] ?? t("audit.cadreGone", { id: text(id) });
  const known = (prefix: string, value: unknown) =>
    isMessageKey(`${prefix}${text(value)}`) ? t(`${prefix}${text(value)}`) : text(value);
  const date = (value: unknown) =>
    typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? formatDate(locale, value) : text(value);
  const nameWithYear = (value: unknown) => {
    const person = record(value);
    return person.birthYear ? `${text(person.fullName)} (${text(person.birthYear)})` : text(person.fullName);
  };

  // Every scalar detail is a parameter as recorded (pollId, batchId, count...); the cases below add what needs a name.
  const params: MessageParams = {};
  for (const [name, value] of Object.entries(d)) {
    if (typeof value === "string" || typeof value === "number") params[name] = value;
  }
  let key = `audit.action.${entry.action}`;
  switch (entry.action) {
    case "auth.locked":
      params.username = entry.actor_label;
      break;
    case "user.create": {
      const grants = Array.isArray(d.grants) ? d.grants.map(record) : [];
      params.grants =
        grants.length === 0
          ? t("audit.noGrants")
          : grants.map((g) => t("audit.grant", { role: known("role.", g.role), unit: unit(g.unitId) })).join("; ");
      break;
    }
    case "user.update": {
      const fullName = record(d.fullName);
      Object.assign(params, { from: text(fullName.from), to: text(fullName.to) });
      break;
    }
    case "grant.add":
    case "grant.remove":
      Object.assign(params, { role: known("role.", d.role), unit: unit(d.unitId) });
      break;
    case "unit.create":
    case "unit.rename":
    case "unit.delete":
      params.kind = known("audit.unitKind.", d.kind);
      break;
    case "import.commit":
      key = `audit.action.import.commit.${text(d.kind)}`;
      break;
    case "poll.close":
      if (d.awaitingShares === true) key = "audit.action.poll.closeAwaitingShares";
      break;
    case "cadre.create": {
      const position = record(d.position);
      Object.assign(params, {
        name: text(d.fullName),
        title: text(position.title),
        unit: text(position.unit),
        startedOn: date(position.startedOn),
      });
      break;
    }
    case "cadre.update":
      Object.assign(params, { from: nameWithYear(d.from), to: nameWithYear(d.to) });
      break;
    case "position.create":
    case "position.update":
    case "position.end":
      Object.assign(params, { cadre: cadre(d.cadreId), startedOn: date(d.startedOn), endedOn: date(d.endedOn) });
      break;
    case "poll.create":
    case "poll.update":
      params.kind = known("polls.kind.", d.kind);
      break;
    case "poll.confirm":
    case "poll.publish":
      params.tally = typeof d.tallyHash === "string" ? d.tallyHash.slice(0, 8) : "?";
      break;
    case "poll.meeting":
      Object.assign(params, { summoned: d.summoned ?? "—", present: d.present ?? "—" });
      break;
    case "paper.enter":
    case "paper.change":
    case "paper.confirm": {
      const figures = record(d.figures);
      Object.assign(params, {
        scope: d.groupId === null || d.groupId === undefined ? t("paper.meeting") : unit(d.groupId),
        present: text(figures.present),
        summoned: text(figures.summoned),
        collected: text(figures.collected),
        valid: text(figures.valid),
      });
      break;
    }
    case "credentials.void_unhanded":
      key += d.batchId !== undefined && d.batchId !== null ? ".batch" : ".group";
      params.group = unit(d.groupId);
      break;
    default:
      if (entry.action.startsWith("credentials.")) params.group = unit(d.groupId);
  }
  if (!isMessageKey(key)) return entry.action;
  // Details that do not fit the sentence (an older shape, or an edit made by hand) show as the raw action name.
  const placeholders = [...t(key).matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  return placeholders.every((name) => name in params) ? t(key, params) : entry.action;
}

/** The banner at the top of the log: green when the whole chain verifies, red naming the first broken entry. */
export function ChainBanner({ chain }: { chain: ChainState }) {
  const t = useT();
  if (chain.ok) {
    return (
      <p className="alert alert--ok audit-banner" role="status">
        {t(chainMessage(chain))}
      </p>
    );
  }
  return (
    <div className="alert alert--error audit-banner" role="alert">
      <p className="audit-banner__title">{t(chainMessage(chain))}</p>
      <p>{t("audit.chain.brokenHint", { id: chain.brokenId })}</p>
    </div>
  );
}

/** The filter by family of action: a GET form, so it works without JavaScript and changes nothing. */
export function AuditFilter({ family, families }: { family: string | null; families: readonly string[] }) {
  const t = useT();
  return (
    <Form method="get" className="audit-filter">
      <Field label={t("audit.filter.label")}>
        {(a11y) => (
          <select {...a11y} name="family" defaultValue={family ?? ""}>
            <option value="">{t("audit.filter.all")}</option>
            {families.map((f) => (
              <option key={f} value={f}>
                {t(`audit.family.${f}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" className="button button--secondary">
        {t("audit.filter.submit")}
      </button>
    </Form>
  );
}

/** The entries of one page, newest first. */
export function AuditEntryList({
  entries,
  names,
  pageUnitId,
  chain,
}: {
  entries: AuditEntryView[];
  names: AuditNames;
  pageUnitId: number;
  chain: ChainState;
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <ol className="list-plain audit-list">
      {entries.map((entry) => {
        const broken = !chain.ok && chain.brokenId === entry.id ? chain.reason : null;
        return (
          <li
            key={entry.id}
            id={`entry-${entry.id}`}
            className={broken ? "audit-entry audit-entry--broken" : "audit-entry"}
          >
            <p className="audit-entry__what">
              {describeAuditEntry(entry, { t, locale, names })}
              {broken ? <span className="badge badge--error">{t(`audit.brokenHere.${broken}`)}</span> : null}
            </p>
            <p className="audit-entry__meta">
              <time dateTime={new Date(entry.at).toISOString()}>{formatDateTime(locale, entry.at)}</time>
              <span>{actorText(entry, t)}</span>
              {entry.unit_id !== pageUnitId ? <span>{entry.unit_name ?? t("audit.noUnit")}</span> : null}
              <span>{t("audit.entryNo", { id: entry.id })}</span>
              <span className="audit-entry__hash" title={t("audit.hashTitle")}>
                {t("audit.hash", { hash: entry.hashPrefix })}
              </span>
            </p>
            {Object.keys(entry.details).length > 0 ? (
              <details className="audit-entry__details">
                <summary>{t("audit.recorded")}</summary>
                <pre>{JSON.stringify(entry.details, null, 2)}</pre>
              </details>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

/** Older entries, and back to the newest: keyset links that keep the filter. */
export function AuditPager({
  path,
  family,
  nextBefore,
  isFirstPage,
}: {
  path: string;
  family: string | null;
  nextBefore: string | null;
  isFirstPage: boolean;
}) {
  const t = useT();
  if (isFirstPage && !nextBefore) return null;
  const query = (before: string | null) => {
    const search = new URLSearchParams();
    if (family) search.set("family", family);
    if (before) search.set("before", before);
    const value = search.toString();
    return value ? `${path}?${value}` : path;
  };
  return (
    <nav className="actions audit-pager" aria-label={t("audit.entriesTitle")}>
      {!isFirstPage ? (
        <Link className="button button--secondary" to={query(null)}>
          {t("audit.newest")}
        </Link>
      ) : null}
      {nextBefore ? (
        <Link className="button button--secondary" to={query(nextBefore)}>
          {t("audit.older")}
        </Link>
      ) : null}
    </nav>
  );
}
