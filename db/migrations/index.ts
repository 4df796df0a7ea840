// Every migration, in order. Listed statically (rather than read from the folder at run time) so that the same
// list runs under the server, the command line and the test runner; db/migrate.test.ts checks none is missing.
import type { Migration } from "kysely/migration";
import * as createFoundation from "./20261128T220000_create_foundation";
import * as createPolls from "./20261128T230000_create_polls";
import * as addCommitteeKeyShares from "./20261128T235000_add_committee_key_shares";
import * as createPaperTallies from "./20261129T010000_create_paper_tallies";
import * as addCredentialsPollIdIndex from "./20261129T040000_add_credentials_poll_id_index";
import * as dropCountedBallotsForeignKeys from "./20261129T041000_drop_counted_ballots_foreign_keys";
import * as keepKeysOutOfTheDatabase from "./20261207T180000_keep_keys_out_of_the_database";

export const migrations: Record<string, Migration> = {
  "20261128T220000_create_foundation": createFoundation,
  "20261128T230000_create_polls": createPolls,
  "20261128T235000_add_committee_key_shares": addCommitteeKeyShares,
  "20261129T010000_create_paper_tallies": createPaperTallies,
  "20261129T040000_add_credentials_poll_id_index": addCredentialsPollIdIndex,
  "20261129T041000_drop_counted_ballots_foreign_keys": dropCountedBallotsForeignKeys,
  "20261207T180000_keep_keys_out_of_the_database": keepKeysOutOfTheDatabase,
};
