import type { Role } from "../../db/schema";

/** What each role may do, on the unit it is granted on and every unit under it. */
export const PERMISSIONS = {
  "unit.read": ["admin", "front_officer", "counting_member", "committee_reader"],
  "unit.manage": ["admin", "front_officer"],
  "cadre.read": ["admin", "front_officer", "counting_member", "committee_reader"],
  "cadre.manage": ["admin", "front_officer"],
  "audit.read": ["admin", "front_officer"],
  "user.manage": ["admin"],
  "poll.read": ["front_officer", "counting_member", "committee_reader"],
  "poll.manage": ["front_officer"],
  "poll.count": ["counting_member"],
  // Results of a closed poll, before publication: the unit's officers and counting members only.
  "results.read_closed": ["front_officer", "counting_member"],
  "results.read_published": ["front_officer", "counting_member", "committee_reader"],
  "ward.create": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const ROLES: Role[] = ["admin", "front_officer", "counting_member", "committee_reader"];
