// Pieces the paper tally pages share: the scopes a poll's figures can be entered for, and the notices shown after
// a change redirected back.
import type { Message } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import type { PaperEntry } from "./paper.server";
import { MEETING_SCOPE } from "./paper.schema";

export type ScopeEntry = Pick<PaperEntry, "groupId">;

/**
 * Each residential group of the poll, then the whole meeting, with its entry if any. Once figures are entered one
 * way (per group or for the whole meeting), the other way is no longer offered.
 */
export function paperScopes<E extends ScopeEntry>(groups: { id: number; name: string }[], entries: E[]) {
  const byGroup = new Map(entries.map((e) => [e.groupId, e]));
  const meeting = byGroup.get(null);
  const perGroup = entries.some((e) => e.groupId !== null);
  const rows: { scope: string; name: string | null; entry: E | undefined }[] = [];
  if (!meeting) rows.push(...groups.map((g) => ({ scope: String(g.id), name: g.name, entry: byGroup.get(g.id) })));
  if (!perGroup) rows.push({ scope: MEETING_SCOPE, name: null, entry: meeting });
  return rows;
}

const NOTICES = { saved: "paper.saved", confirmed: "paper.confirmed" } as const;

export function paperNotice(value: string | null): Message | null {
  return value && value in NOTICES ? NOTICES[value as keyof typeof NOTICES] : null;
}

/** The header of a table of paper entries: scope, attendance (with the quorum where asked), ballots, status. */
export function PaperEntriesHead({ quorum = false }: { quorum?: boolean }) {
  const t = useT();
  return (
    <thead>
      <tr>
        <th>{t("paper.col.scope")}</th>
        <th>{t("paper.col.summoned")}</th>
        <th>{t("paper.col.present")}</th>
        {quorum ? <th>{t("paper.results.quorum")}</th> : null}
        <th>{t("paper.col.issued")}</th>
        <th>{t("paper.col.collected")}</th>
        <th>{t("paper.col.valid")}</th>
        <th>{t("paper.col.invalid")}</th>
        <th>{t("paper.col.status")}</th>
      </tr>
    </thead>
  );
}
