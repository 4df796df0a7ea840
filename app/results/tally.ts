// The shape of a poll's tally: what the results page, the counting minutes, the exports and the command line
// (`polls tally <id> --json`) all read. Computed in SQL from the counted ballots; frozen at publication.

export type PollKind = "confidence_poll" | "confidence_vote";
export type Level = "high_confidence" | "confidence" | "low_confidence" | "no_confidence";
export type Denominator = "collected" | "valid" | "issued";
export type Flag = "review" | "dismissal";

export const LEVELS: Record<PollKind, Level[]> = {
  confidence_poll: ["high_confidence", "confidence", "low_confidence"],
  confidence_vote: ["confidence", "no_confidence"],
};

export interface PollRules {
  /** What percentages are taken over (QĐ 96: ballots collected). */
  denominator: Denominator;
  /** Low confidence above this share (strictly) flags the subject for review: 1/2. */
  reviewAbove: number;
  /** Low confidence at or above this share flags for dismissal: 2/3. */
  dismissalAtLeast: number;
  /** No confidence above this share (strictly) flags for dismissal (confidence votes): 1/2. */
  noConfidenceAbove: number;
  /** Share of those summoned who must be present: 2/3. */
  quorum: number;
  /** Smallest cell a breakdown shows (never below 3; see suppression.ts). */
  k: number;
}

export const DEFAULT_RULES: PollRules = {
  denominator: "collected",
  reviewAbove: 1 / 2,
  dismissalAtLeast: 2 / 3,
  noConfidenceAbove: 1 / 2,
  quorum: 2 / 3,
  k: 5,
};

export interface SubjectTally {
  subjectId: number;
  fullName: string;
  title: string;
  unitName: string;
  /** Ballots that marked each level for this subject (only the poll kind's levels are present). */
  counts: Partial<Record<Level, number>>;
  /** Ballots left blank (or otherwise invalid) for this subject. */
  invalid: number;
  /** The number the percentages are taken over. */
  denominator: number;
  /** Percent of the denominator, 0..100, rounded to 2 decimals. */
  percentages: Partial<Record<Level, number>>;
  flags: Flag[];
  /**
   * The subject's counts per residential group (rows in the order of `PollTally.groups`), with small cells
   * withheld (see suppression.ts). Absent from tallies frozen before the breakdown existed.
   */
  byGroup?: SubjectGroupRow[];
  /**
   * Online and paper apart, adding up to `counts` and `invalid`; present when the tally has confirmed paper entries.
   * Online, `invalid` is the ballots left blank for the subject; on paper, the valid ballots invalid for it.
   */
  byChannel?: { online: ChannelCounts; paper: ChannelCounts };
}

export type Channel = "online" | "paper";

export interface ChannelCounts {
  counts: Partial<Record<Level, number>>;
  invalid: number;
}

export interface BallotCounts {
  collected: number;
  valid: number;
  invalid: number;
}

/** A breakdown column: a level, or the ballots left blank (invalid) for the subject. */
export type BreakdownColumn = Level | "invalid";

/** One cell of a breakdown: the count, or null (never the figure itself) when it is withheld. */
export interface BreakdownCell {
  count: number | null;
  suppressed: boolean;
}

export interface SubjectGroupRow {
  unitId: number;
  name: string;
  /** One cell per level of the poll, then `invalid`. */
  cells: Partial<Record<BreakdownColumn, BreakdownCell>>;
}

export interface GroupTally {
  unitId: number;
  name: string;
  slipsIssued: number;
  slipsHandedOut: number;
  /** Null when withheld: the figure is not kept anywhere in the tally. */
  ballotsCollected: number | null;
  /** Fewer than k ballots, or withheld so that such a group cannot be worked out from the total. */
  suppressed: boolean;
  /**
   * Online ballots plus the group's confirmed paper ballots; null where the online figure is withheld (the paper
   * figure is published, so the total would give it away). Absent from tallies frozen before paper entries existed.
   */
  totalCollected?: number | null;
}

/**
 * A paper entry as the results show it: the meeting's attendance and ballots, never its per-subject figures (those
 * are in the subjects' paper channel, summed over the confirmed entries).
 */
export interface PaperEntryTally {
  /** The residential group, or null for the whole meeting. */
  unitId: number | null;
  name: string;
  summoned: number;
  present: number;
  /** Present reach the poll's quorum of those summoned, exactly. */
  quorumMet: boolean | null;
  issued: number;
  collected: number;
  valid: number;
  invalid: number;
  /** Confirmed by a second counting member, as the figures stand: only confirmed entries are counted. */
  confirmed: boolean;
}

export type WarningKind = "onlineOverHandedOut" | "overPresent" | "quorumNotMet" | "paperUnconfirmed";

/** A figure that does not reconcile, in plain words on every page; publishing waits until each is acknowledged. */
export interface TallyWarning {
  /** Stable while the warning stands: kind and scope ("overPresent:12", "quorumNotMet:meeting"). */
  id: string;
  kind: WarningKind;
  /** The residential group, or null for the whole poll or meeting. */
  unitId: number | null;
  unitName: string;
  /** The figures its message quotes; null where a figure is withheld (a group's online ballots under k). */
  figures: Record<string, number | null>;
  /** The written reason it was accepted for, or null while it blocks publication. */
  acknowledgement: { reason: string; by: string; at: string } | null;
}

export interface PollTally {
  pollId: number;
  kind: PollKind;
  levels: Level[];
  rules: PollRules;
  slips: { issued: number; handedOut: number; used: number; voided: number };
  /** Both channels together; `byChannel` apart, present when there are confirmed paper entries. */
  ballots: BallotCounts & { byChannel?: { online: BallotCounts; paper: BallotCounts } };
  /** Ballots collected over slips handed out plus paper ballots issued, 0..100. */
  turnoutPercent: number;
  subjects: SubjectTally[];
  groups: GroupTally[];
  /** Online: receipts = credentials used = online ballots counted. */
  invariant: { receipts: number; credentialsUsed: number; ballotsCounted: number; holds: boolean };
  /** Every paper entry, confirmed or not (absent from tallies frozen before paper entries existed). */
  paper?: PaperEntryTally[];
  warnings?: TallyWarning[];
}

export interface CommitteeMember {
  fullName: string;
  /** e.g. "Trưởng ban", "Thành viên" */
  role: string;
}

export interface CountingMinutes {
  locale: "vi" | "en";
  wardName: string;
  /** The unit that ran the poll, when it is a residential group rather than the ward. */
  unitName: string;
  pollTitle: string;
  kind: PollKind;
  place: string;
  openedAt: Date | null;
  closedAt: Date | null;
  countedAt: Date;
  committee: CommitteeMember[];
  summoned: number | null;
  present: number | null;
  quorumMet: boolean | null;
  tally: PollTally;
  complaints: string | null;
  /** Hash of the tally the committee confirmed (printed so the paper and the system can be compared). */
  tallyHash: string;
  /** Who held the poll's key; the minutes say what server key mode does not defend against. */
  keyMode?: "server" | "committee";
}
