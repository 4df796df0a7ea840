// The warnings a tally raises where its channels do not reconcile, each stated in plain words on the results page
// and in the minutes. Pure: the figures in, the warnings out (acknowledgements are matched by the server).
import type { Message } from "~/i18n/i18n";
import { formatFraction, quorumMet } from "./rules";
import type { GroupTally, PaperEntryTally, PollRules, TallyWarning, WarningKind } from "./tally";

export interface ReconcileInput {
  rules: Pick<PollRules, "quorum">;
  /** Per residential group: slips handed out, credentials used, and whether its online figure is withheld. */
  groups: { unitId: number; name: string; handedOut: number; used: number; suppressed: boolean }[];
  /** Every paper entry, confirmed or not. */
  paper: PaperEntryTally[];
  /** The poll's online ballots in all. */
  onlineCollected: number;
}

function warning(
  kind: WarningKind,
  unitId: number | null,
  unitName: string,
  figures: Record<string, number | null>
): TallyWarning {
  return { id: `${kind}:${unitId ?? "meeting"}`, kind, unitId, unitName, figures, acknowledgement: null };
}

/**
 * - online ballots of a group above the slips recorded as handed out to it;
 * - online plus paper ballots of a meeting (a group's, or the whole meeting's) above those present;
 * - a meeting whose present fall short of the quorum of those summoned;
 * - a paper entry not (or no longer) confirmed by a second counting member: it is not counted until it is.
 * A group's online figure under k is withheld in the warning as everywhere else (null).
 */
export function reconcile({ rules, groups, paper, onlineCollected }: ReconcileInput): TallyWarning[] {
  const warnings: TallyWarning[] = [];
  for (const g of groups) {
    if (g.used > g.handedOut) {
      warnings.push(
        warning("onlineOverHandedOut", g.unitId, g.name, {
          online: g.suppressed ? null : g.used,
          handedOut: g.handedOut,
        })
      );
    }
  }
  for (const entry of paper) {
    const group = entry.unitId === null ? null : groups.find((g) => g.unitId === entry.unitId);
    const online = entry.unitId === null ? onlineCollected : group?.used ?? 0;
    // The whole meeting has no name of its own: pages call it so in their language.
    const name = entry.unitId === null ? "" : entry.name;
    if (!entry.confirmed) warnings.push(warning("paperUnconfirmed", entry.unitId, name, {}));
    if (quorumMet(entry.summoned, entry.present, rules.quorum) === false) {
      warnings.push(warning("quorumNotMet", entry.unitId, name, { present: entry.present, summoned: entry.summoned }));
    }
    if (online + entry.collected > entry.present) {
      warnings.push(
        warning("overPresent", entry.unitId, name, {
          online: group?.suppressed ? null : online,
          paper: entry.collected,
          present: entry.present,
        })
      );
    }
  }
  return warnings;
}

/** A group's ballots in both channels: null where its online figure is withheld. */
export function groupTotal(group: Pick<GroupTally, "ballotsCollected" | "suppressed">, paperCollected: number) {
  return group.suppressed || group.ballotsCollected === null ? null : group.ballotsCollected + paperCollected;
}

/**
 * A warning in words. `meetingName` is what the page calls the whole meeting in its language (the warning itself
 * carries no name for it). A withheld figure picks the message that does not quote it.
 */
export function warningMessage(warning: TallyWarning, rules: Pick<PollRules, "quorum">, meetingName: string): Message {
  const unit = warning.unitId === null ? meetingName : warning.unitName;
  const f = warning.figures;
  const n = (value: number | null | undefined) => value ?? 0;
  switch (warning.kind) {
    case "onlineOverHandedOut":
      return f.online === null
        ? { key: "paper.warning.onlineOverHandedOut.withheld", params: { unit, handedOut: n(f.handedOut) } }
        : {
            key: "paper.warning.onlineOverHandedOut",
            params: { unit, online: n(f.online), handedOut: n(f.handedOut) },
          };
    case "overPresent":
      return f.online === null
        ? { key: "paper.warning.overPresent.withheld", params: { unit, paper: n(f.paper), present: n(f.present) } }
        : {
            key: "paper.warning.overPresent",
            params: { unit, online: n(f.online), paper: n(f.paper), present: n(f.present) },
          };
    case "quorumNotMet":
      return {
        key: "paper.warning.quorumNotMet",
        params: { unit, present: n(f.present), summoned: n(f.summoned), quorum: formatFraction(rules.quorum) },
      };
    case "paperUnconfirmed":
      return { key: "paper.warning.paperUnconfirmed", params: { unit } };
  }
}
