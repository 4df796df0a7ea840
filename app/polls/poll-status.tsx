import type { PollStatus } from "../../db/schema";
import { DEFAULT_LOCALE, type Locale } from "~/i18n/define";
import { translate, type Message, type MessageParams } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";

const BADGE_CLASS: Record<PollStatus, string> = {
  draft: "badge poll-status poll-status--draft",
  open: "badge poll-status poll-status--open",
  closed: "badge poll-status poll-status--closed",
  published: "badge poll-status poll-status--published",
  archived: "badge poll-status poll-status--archived",
};

/**
 * The poll's state as a badge: draft, open for voting, closed and counted, published. A poll whose key the
 * committee holds is closed before it is counted: `countedAt` tells the two apart.
 */
export function PollStatusBadge({ status, countedAt }: { status: PollStatus; countedAt?: Date | string | null }) {
  const t = useT();
  const label = status === "closed" && countedAt === null ? t("polls.status.closedUncounted") : t(`polls.status.${status}`);
  return <span className={BADGE_CLASS[status]}>{label}</span>;
}

/** A page's <title> in the reader's language (meta functions run outside React, so without useT). */
export function pageTitle(
  matches: readonly { id: string; data?: unknown }[],
  message: Message,
  params?: MessageParams
) {
  const root = matches.find((m) => m.id === "root")?.data as { locale?: Locale } | undefined;
  const locale = root?.locale ?? DEFAULT_LOCALE;
  return [{ title: `${translate(locale, message, params)} — ${translate(locale, "app.name")}` }];
}
