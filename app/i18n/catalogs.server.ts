// Every catalog, for the server: pages rendered there, the PDFs and CSVs it writes, the command line, the tests.
// i18n.ts loads them all from here. The browser's build replaces any `.server` module with an empty one, so in the
// browser this import brings nothing and the table holds only the catalogs the matched routes load (decision 012).
import audit from "./messages/audit";
import auth from "./messages/auth";
import ballots from "./messages/ballots";
import board from "./messages/board";
import cadres from "./messages/cadres";
import common from "./messages/common";
import credentials from "./messages/credentials";
import imports from "./messages/imports";
import paper from "./messages/paper";
import polls from "./messages/polls";
import results from "./messages/results";
import units from "./messages/units";
import users from "./messages/users";

export const ALL_CATALOGS = [
  common,
  auth,
  units,
  cadres,
  imports,
  users,
  results,
  credentials,
  ballots,
  polls,
  audit,
  board,
  paper,
] as const;

/** Every message, Vietnamese: the keys of `MessageKey`. */
export type AllMessages = typeof common.vi &
  typeof auth.vi &
  typeof units.vi &
  typeof cadres.vi &
  typeof imports.vi &
  typeof users.vi &
  typeof results.vi &
  typeof credentials.vi &
  typeof ballots.vi &
  typeof polls.vi &
  typeof audit.vi &
  typeof board.vi &
  typeof paper.vi;
