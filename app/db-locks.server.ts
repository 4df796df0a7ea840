// Every advisory lock class Phiếu takes, in one place so that no two uses share a number by accident.
// The two-key form pg_advisory_xact_lock(class, id) is used with an id (a ward, a parent unit, a poll).
export const LOCKS = {
  /** The audit chain's single order (one-key form). */
  audit: 7_301_001,
  /** Unit names under one parent, checked and inserted without a race. */
  unitNames: 7_301_002,
  /** Imports into one ward, committed one at a time. */
  imports: 7_301_003,
  /** A poll: casting holds it shared, opening, closing and publishing exclusive. */
  poll: 7_301_010,
} as const;
