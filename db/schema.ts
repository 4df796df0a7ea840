import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** `date` columns travel as 'YYYY-MM-DD' strings (the pg and PGlite parsers are set to keep them so). */
type DateOnly = ColumnType<string, string, string>;

export type UnitKind = "province" | "ward" | "residential_group";
export type Role = "admin" | "front_officer" | "counting_member" | "committee_reader";
export type ImportKind = "residential_groups" | "cadres";

export interface UnitsTable {
  id: Generated<number>;
  parent_id: number | null;
  kind: UnitKind;
  name: string;
  created_at: GeneratedTimestamp;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  full_name: string;
  password_hash: string;
  disabled_at: NullableTimestamp;
  created_at: GeneratedTimestamp;
  password_changed_at: GeneratedTimestamp;
}

export interface GrantsTable {
  id: Generated<number>;
  user_id: number;
  role: Role;
  unit_id: number | null;
  created_at: GeneratedTimestamp;
}

export interface SessionsTable {
  token_hash: string;
  user_id: number;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
}

export interface LoginThrottlesTable {
  username: string;
  failures: Generated<number>;
  window_started_at: GeneratedTimestamp;
  locked_until: NullableTimestamp;
}

export interface PositionTitlesTable {
  id: Generated<number>;
  ward_id: number | null;
  name: string;
  sort_order: Generated<number>;
}

export interface CadresTable {
  id: Generated<number>;
  ward_id: number;
  full_name: string;
  birth_year: number | null;
  created_at: GeneratedTimestamp;
}

export interface PositionsTable {
  id: Generated<number>;
  cadre_id: number;
  unit_id: number;
  title_id: number;
  started_on: DateOnly;
  ended_on: DateOnly | null;
  created_at: GeneratedTimestamp;
}

export interface ImportDraftsTable {
  id: string;
  user_id: number;
  ward_id: number;
  kind: ImportKind;
  file_name: string;
  rows: ColumnType<unknown, string, string>;
  created_at: GeneratedTimestamp;
  committed_at: NullableTimestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: Timestamp;
  actor_user_id: number | null;
  actor_label: string;
  unit_id: number | null;
  action: string;
  details: ColumnType<Record<string, unknown>, string, string>;
  prev_hash: string;
  hash: string;
}

export type PollStatus = "draft" | "open" | "closed" | "published" | "archived";

export type PollKeyMode = "server" | "committee";

export interface PollsTable {
  id: Generated<number>;
  unit_id: number;
  kind: "confidence_poll" | "confidence_vote";
  title: string;
  place: string;
  status: ColumnType<PollStatus, PollStatus | undefined, PollStatus>;
  rules: ColumnType<Record<string, unknown>, string, string>;
  required_confirmations: ColumnType<number, number | undefined, number>;
  scheduled_open_at: NullableTimestamp;
  scheduled_close_at: NullableTimestamp;
  summoned: number | null;
  present: number | null;
  complaints: string | null;
  /** The poll's X25519 public key; its private half is never in the database (a key file, or the committee's shares). */
  public_key: Buffer | null;
  key_mode: ColumnType<PollKeyMode, PollKeyMode | undefined, PollKeyMode>;
  /** k: how many committee shares open the box (committee key mode only). */
  shares_required: number | null;
  created_by: number;
  created_at: GeneratedTimestamp;
  opened_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  counted_at: NullableTimestamp;
  published_at: NullableTimestamp;
  tally: ColumnType<unknown | null, string | null | undefined, string | null>;
  tally_hash: string | null;
}

export interface PollSubjectsTable {
  id: Generated<number>;
  poll_id: number;
  position_id: number | null;
  cadre_id: number | null;
  full_name: string;
  title: string;
  unit_name: string;
  sort_order: number;
}

export interface PollGroupsTable {
  poll_id: number;
  unit_id: number;
}

export interface PollCommitteeMembersTable {
  id: Generated<number>;
  poll_id: number;
  full_name: string;
  role: string;
  sort_order: number;
  /** The member's account (a counting member of the unit), needed to hold a share of the poll's key. */
  user_id: ColumnType<number | null, number | null | undefined, number | null>;
}

/** A key holder of a committee-keyed poll: the public key of the member's enrolment, and their sealed share. */
export interface PollKeyHoldersTable {
  poll_id: number;
  user_id: number;
  public_key: Buffer;
  enrolled_at: ColumnType<Date, Date, Date>;
  /** The member's share of the poll's key, sealed to `public_key` when the poll opened. */
  sealed_share: Buffer | null;
}

export interface CredentialBatchesTable {
  id: Generated<number>;
  poll_id: number;
  group_id: number;
  size: number;
  handed_out: ColumnType<number, number | undefined, number>;
  created_by: number | null;
  created_at: GeneratedTimestamp;
  voided_at: NullableTimestamp;
}

export interface CredentialsTable {
  code_hash: string;
  batch_id: number;
  poll_id: number;
  seq: number;
  voided_at: NullableTimestamp;
}

export interface CredentialUsesTable {
  code_hash: string;
  poll_id: number;
  receipt: string;
}

export interface BallotBoxTable {
  poll_id: number;
  sealed: Buffer;
}

export interface CountedBallotsTable {
  poll_id: number;
  ballot_no: number;
  group_id: number | null;
  levels: number[];
}

export interface PollConfirmationsTable {
  poll_id: number;
  user_id: number;
  tally_hash: string;
  confirmed_at: GeneratedTimestamp;
}

export interface PaperTalliesTable {
  id: Generated<number>;
  poll_id: number;
  /** Null: the whole meeting rather than one residential group. */
  group_id: number | null;
  summoned: number;
  present: number;
  ballots_issued: number;
  ballots_collected: number;
  ballots_valid: number;
  ballots_invalid: number;
  version: ColumnType<number, number | undefined, number>;
  entered_by: number;
  entered_at: ColumnType<Date, Date | string | undefined, Date | string>;
  confirmed_by: number | null;
  confirmed_at: NullableTimestamp;
}

export interface PaperTallySubjectsTable {
  paper_tally_id: number;
  subject_id: number;
  /** counts[i]: ballots marking level i + 1 of the poll for the subject. */
  counts: number[];
  invalid: number;
}

export interface PollWarningAcksTable {
  poll_id: number;
  warning_id: string;
  fingerprint: string;
  reason: string;
  acknowledged_by: number;
  acknowledged_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface Database {
  units: UnitsTable;
  users: UsersTable;
  grants: GrantsTable;
  sessions: SessionsTable;
  login_throttles: LoginThrottlesTable;
  position_titles: PositionTitlesTable;
  cadres: CadresTable;
  positions: PositionsTable;
  import_drafts: ImportDraftsTable;
  audit_log: AuditLogTable;
  polls: PollsTable;
  poll_subjects: PollSubjectsTable;
  poll_groups: PollGroupsTable;
  poll_committee_members: PollCommitteeMembersTable;
  credential_batches: CredentialBatchesTable;
  credentials: CredentialsTable;
  credential_uses: CredentialUsesTable;
  ballot_box: BallotBoxTable;
  counted_ballots: CountedBallotsTable;
  poll_confirmations: PollConfirmationsTable;
  poll_key_holders: PollKeyHoldersTable;
  paper_tallies: PaperTalliesTable;
  paper_tally_subjects: PaperTallySubjectsTable;
  poll_warning_acks: PollWarningAcksTable;
}

export type Unit = Selectable<UnitsTable>;
export type NewUnit = Insertable<UnitsTable>;
export type User = Selectable<UsersTable>;
export type Grant = Selectable<GrantsTable>;
export type Cadre = Selectable<CadresTable>;
export type NewCadre = Insertable<CadresTable>;
export type Position = Selectable<PositionsTable>;
export type PositionUpdate = Updateable<PositionsTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type Poll = Selectable<PollsTable>;
export type PollSubject = Selectable<PollSubjectsTable>;
