// The authorization matrix: every route × every role, ward A's roles against a ward B officer and nobody signed
// in. Each row names the rule it follows (a permission of app/auth/permissions.ts, or public, signed-in, nobody)
// and spells out who gets through; one test checks that the spelled-out columns are what the permissions say,
// the others call the loaders and actions and check that each column gets what its row says. On the way, no
// GET and no refused POST may change a table, no page may carry a credential code, its hash, a password hash or a
// receipt (receipts belong on the public board and on the resident's own ballot page), and no 2xx answer to the
// ward B officer may name anything of ward A.
import { afterAll, describe, expect, it } from "vitest";
import { PERMISSIONS, type Permission } from "~/auth/permissions";
import { db } from "~/db.server";
import type { Role } from "../../db/schema";
import {
  buildWorld,
  callRoute,
  cookieFor,
  databaseState,
  multipart,
  routeByFile,
  routeFiles,
  ROUTES,
  type Actor,
  type Outcome,
  type World,
} from "./routes";

/** The columns: ward A's four roles, nobody signed in, and a front officer of ward B. */
const COLUMNS = ["admin", "officer", "counter", "reader", "anonymous", "foreign"] as const;
type Column = (typeof COLUMNS)[number];
const ROLE_OF: Partial<Record<Column, Role>> = {
  admin: "admin",
  officer: "front_officer",
  counter: "counting_member",
  reader: "committee_reader",
};

/**
 * Who a row lets through. A permission (held on ward A); `all` of some and `any` of others; `public` (everyone,
 * signed in or not); `signedIn` (any account, whatever its ward); `nobody` (405 for the method, or 404 for a
 * target the route hides from everyone, such as an unpublished poll's board).
 */
type Rule = Permission | { all: Permission[]; any?: Permission[] } | "public" | "signedIn" | "nobody";

// The meeting's records: officers and counting members of the poll's unit (requireMeetingAccess).
const MEETING: Rule = { all: ["poll.read"], any: ["poll.manage", "poll.count"] };
const CLOSED_RESULTS: Rule = { all: ["poll.read", "results.read_closed"] };
const PUBLISHED_RESULTS: Rule = { all: ["poll.read", "results.read_published"] };
// The import page: whoever may change the ward's groups or its cadres (requireImportWard).
const IMPORTER: Rule = { all: [], any: ["unit.manage", "cadre.manage"] };

interface Row {
  file: string;
  method: "GET" | "POST";
  target: Target;
  rule: Rule;
  /** One mark per column (admin officer counter reader anonymous foreign): Y let through, - refused. */
  who: string;
  /** Which of the route's forms is posted: the first unless said. */
  form?: number;
}

const TARGETS = {
  none: () => ({}),
  "ward A": (w: World) => ({ unitId: String(w.wardA.id) }),
  "group A1": (w: World) => ({ unitId: String(w.groupA1.id) }),
  "cadre of A": (w: World) => ({ unitId: String(w.wardA.id), cadreId: String(w.cadres[0].id) }),
  "account of A": (w: World) => ({ userId: String(w.users.account.id) }),
  "account of B": (w: World) => ({ userId: String(w.users.foreign.id) }),
  "draft poll": (w: World) => ({ pollId: String(w.polls.draft) }),
  "open poll": (w: World) => ({ pollId: String(w.polls.open) }),
  "closed poll": (w: World) => ({ pollId: String(w.polls.closed) }),
  "published poll": (w: World) => ({ pollId: String(w.polls.published) }),
  "committee poll": (w: World) => ({ pollId: String(w.polls.committee) }),
  "open poll, group 1": (w: World) => ({ pollId: String(w.polls.open), scope: String(w.groupA1.id) }),
  "closed poll, meeting": (w: World) => ({ pollId: String(w.polls.closed), scope: "meeting" }),
  "open code": (w: World) => ({ code: w.codes.open[0] }),
  "used code": (w: World) => ({ code: w.codes.used }),
} satisfies Record<string, (w: World) => Record<string, string>>;
type Target = keyof typeof TARGETS;

const row = (file: string, method: Row["method"], target: Target, rule: Rule, who: string, form?: number): Row => ({
  file,
  method,
  target,
  rule,
  who,
  form,
});

// prettier-ignore
const MATRIX: Row[] = [
  //   route file                           method  target                  rule               A O C R anon B
  row("_index.tsx",                        "GET",  "none",                 "signedIn",        "Y Y Y Y - Y"),
  row("account.password.tsx",              "GET",  "none",                 "signedIn",        "Y Y Y Y - Y"),
  row("account.password.tsx",              "POST", "none",                 "signedIn",        "Y Y Y Y - Y"),
  row("admin.units.tsx",                   "GET",  "none",                 "ward.create",     "Y - - - - -"),
  row("admin.units.tsx",                   "POST", "none",                 "ward.create",     "Y - - - - -"),
  row("admin.users.$userId.tsx",           "GET",  "account of A",         "user.manage",     "Y - - - - -"),
  row("admin.users.$userId.tsx",           "POST", "account of A",         "user.manage",     "Y - - - - -"),
  row("admin.users.$userId.tsx",           "GET",  "account of B",         "nobody",          "- - - - - -"),
  row("admin.users.$userId.tsx",           "POST", "account of B",         "nobody",          "- - - - - -"),
  row("admin.users._index.tsx",            "GET",  "none",                 "user.manage",     "Y - - - - -"),
  row("admin.users._index.tsx",            "POST", "none",                 "user.manage",     "Y - - - - -"),
  row("healthz.ts",                        "GET",  "none",                 "public",          "Y Y Y Y Y Y"),
  row("lang.tsx",                          "GET",  "none",                 "nobody",          "- - - - - -"),
  row("lang.tsx",                          "POST", "none",                 "public",          "Y Y Y Y Y Y"),
  row("login.tsx",                         "GET",  "none",                 "public",          "Y Y Y Y Y Y"),
  row("login.tsx",                         "POST", "none",                 "public",          "Y Y Y Y Y Y"),
  row("logout.tsx",                        "GET",  "none",                 "nobody",          "- - - - - -"),
  row("logout.tsx",                        "POST", "none",                 "public",          "Y Y Y Y Y Y"),
  row("p.$pollId._index.tsx",              "GET",  "published poll",       "public",          "Y Y Y Y Y Y"),
  row("p.$pollId._index.tsx",              "GET",  "closed poll",          "nobody",          "- - - - - -"),
  row("p.$pollId.ballots[.csv].tsx",       "GET",  "published poll",       "public",          "Y Y Y Y Y Y"),
  row("p.$pollId.ballots[.csv].tsx",       "GET",  "closed poll",          "nobody",          "- - - - - -"),
  row("polls.$pollId._index.tsx",          "GET",  "open poll",            "poll.read",       "- Y Y Y - -"),
  row("polls.$pollId._index.tsx",          "GET",  "closed poll",          "poll.read",       "- Y Y Y - -"),
  row("polls.$pollId._index.tsx",          "POST", "draft poll",           "poll.manage",     "- Y - - - -"),
  row("polls.$pollId.count.tsx",           "GET",  "committee poll",       "poll.count",      "- - Y - - -"),
  row("polls.$pollId.count.tsx",           "POST", "committee poll",       "poll.count",      "- - Y - - -"),
  row("polls.$pollId.credentials.tsx",     "GET",  "open poll",            "nobody",          "- - - - - -"),
  row("polls.$pollId.credentials.tsx",     "POST", "open poll",            "poll.manage",     "- Y - - - -"),
  row("polls.$pollId.edit.tsx",            "GET",  "draft poll",           "poll.manage",     "- Y - - - -"),
  row("polls.$pollId.edit.tsx",            "POST", "draft poll",           "poll.manage",     "- Y - - - -"),
  row("polls.$pollId.meeting.tsx",         "GET",  "closed poll",          MEETING,           "- Y Y - - -"),
  row("polls.$pollId.meeting.tsx",         "POST", "closed poll",          MEETING,           "- Y Y - - -"),
  row("polls.$pollId.minutes.tsx",         "GET",  "closed poll",          CLOSED_RESULTS,    "- Y Y - - -"),
  row("polls.$pollId.minutes.tsx",         "GET",  "published poll",       PUBLISHED_RESULTS, "- Y Y Y - -"),
  row("polls.$pollId.paper.$scope.tsx",    "GET",  "open poll, group 1",   MEETING,           "- Y Y - - -"),
  row("polls.$pollId.paper.$scope.tsx",    "GET",  "closed poll, meeting", MEETING,           "- Y Y - - -"),
  row("polls.$pollId.paper.$scope.tsx",    "POST", "open poll, group 1",   MEETING,           "- Y Y - - -"),
  row("polls.$pollId.paper._index.tsx",    "GET",  "open poll",            MEETING,           "- Y Y - - -"),
  row("polls.$pollId.results.tsx",         "GET",  "open poll",            "poll.read",       "- Y Y Y - -"),
  row("polls.$pollId.results.tsx",         "GET",  "closed poll",          CLOSED_RESULTS,    "- Y Y - - -"),
  row("polls.$pollId.results.tsx",         "GET",  "published poll",       PUBLISHED_RESULTS, "- Y Y Y - -"),
  row("polls.$pollId.results.tsx",         "POST", "closed poll",          "poll.count",      "- - Y - - -"),
  row("polls.$pollId.results.tsx",         "POST", "closed poll",          MEETING,           "- Y Y - - -", 1),
  row("polls.$pollId.share.tsx",           "GET",  "committee poll",       "poll.count",      "- - Y - - -"),
  row("polls.$pollId.share.tsx",           "POST", "committee poll",       "poll.count",      "- - Y - - -"),
  row("units.$unitId._index.tsx",          "GET",  "ward A",               "unit.read",       "Y Y Y Y - -"),
  row("units.$unitId._index.tsx",          "GET",  "group A1",             "unit.read",       "Y Y Y Y - -"),
  row("units.$unitId._index.tsx",          "POST", "ward A",               "unit.manage",     "Y Y - - - -"),
  row("units.$unitId.audit.tsx",           "GET",  "ward A",               "audit.read",      "Y Y - - - -"),
  row("units.$unitId.cadres.$cadreId.tsx", "GET",  "cadre of A",           "cadre.read",      "Y Y Y Y - -"),
  row("units.$unitId.cadres.$cadreId.tsx", "POST", "cadre of A",           "cadre.manage",    "Y Y - - - -"),
  row("units.$unitId.cadres._index.tsx",   "GET",  "ward A",               "cadre.read",      "Y Y Y Y - -"),
  row("units.$unitId.cadres._index.tsx",   "POST", "ward A",               "cadre.manage",    "Y Y - - - -"),
  row("units.$unitId.import.tsx",          "GET",  "ward A",               IMPORTER,          "Y Y - - - -"),
  row("units.$unitId.import.tsx",          "POST", "ward A",               "unit.manage",     "Y Y - - - -"),
  row("units.$unitId.polls._index.tsx",    "GET",  "ward A",               "poll.read",       "- Y Y Y - -"),
  row("units.$unitId.polls.new.tsx",       "GET",  "ward A",               "poll.manage",     "- Y - - - -"),
  row("units.$unitId.polls.new.tsx",       "POST", "ward A",               "poll.manage",     "- Y - - - -"),
  row("v.$code.tsx",                       "GET",  "open code",            "public",          "Y Y Y Y Y Y"),
  row("v.$code.tsx",                       "GET",  "used code",            "public",          "Y Y Y Y Y Y"),
  row("v.$code.tsx",                       "POST", "open code",            "public",          "Y Y Y Y Y Y"),
  row("v._index.tsx",                      "POST", "none",                 "public",          "Y Y Y Y Y Y"),
];

/** What the rule says for a column: the permissions as app/auth/permissions.ts grants them on ward A. */
function derived(rule: Rule, column: Column): boolean {
  if (rule === "public") return true;
  if (rule === "nobody") return false;
  if (column === "anonymous") return false;
  if (rule === "signedIn") return true;
  // The ward B officer holds nothing on ward A.
  const role = ROLE_OF[column];
  if (!role) return false;
  const has = (p: Permission) => (PERMISSIONS[p] as readonly Role[]).includes(role);
  if (typeof rule === "string") return has(rule);
  return rule.all.every(has) && (rule.any === undefined || rule.any.some(has));
}

const marks = (row: Row) => row.who.trim().split(/\s+/);

/** Routes whose pages may show receipts: the public board lists them, a used code's page shows its own. */
const RECEIPTS_SHOWN = ["p.$pollId._index.tsx", "v.$code.tsx"];

let requests = 0;
afterAll(() => {
  console.log(`chaos authz: ${requests} requests over ${MATRIX.length} rows × ${COLUMNS.length} columns`);
});

describe("the authorization matrix", () => {
  it("has a row for every route module, for its loader and its action", async () => {
    expect([...new Set(MATRIX.map((r) => r.file))].sort()).toEqual(routeFiles());
    expect(ROUTES.map((r) => r.file).sort()).toEqual(routeFiles());
    for (const route of ROUTES) {
      const module = await route.load();
      const methods = new Set(MATRIX.filter((r) => r.file === route.file).map((r) => r.method));
      expect(methods.has("GET"), `${route.file}: a GET row`).toBe(Boolean(module.loader));
      expect(methods.has("POST"), `${route.file}: a POST row`).toBe(Boolean(module.action));
    }
  });

  it("says for each role what app/auth/permissions.ts says", () => {
    for (const r of MATRIX) {
      const expected = COLUMNS.map((c) => (derived(r.rule, c) ? "Y" : "-")).join(" ");
      expect(marks(r).join(" "), `${r.method} ${r.file} (${r.target})`).toBe(expected);
    }
  });

  for (const file of routeFiles()) {
    it(`${file}: each role gets what its row says, and nothing leaks`, async () => {
      const w = await buildWorld();
      const route = routeByFile(file);
      const credentialHashes = (await db.selectFrom("credentials").select("code_hash").execute()).map(
        (c) => c.code_hash,
      );
      const secrets = [...w.allCodes.flatMap((code) => [code, code.replace(/-/g, "")]), ...credentialHashes, "$argon2"];
      const receipts = w.receipts.flatMap((r) => [r, r.replace(/-/g, "")]);
      const cookies = new Map<Actor, string>();
      let state = await databaseState();

      for (const r of MATRIX.filter((m) => m.file === file)) {
        const params = TARGETS[r.target](w);
        for (const [i, column] of COLUMNS.entries()) {
          const allowed = marks(r)[i] === "Y";
          const actor: Actor | null = column === "anonymous" ? null : column;
          // Logging out ends the session it is sent with: every logout gets its own.
          if (actor && (file === "logout.tsx" || !cookies.has(actor))) {
            cookies.set(actor, await cookieFor(w.users[actor].id));
            state = await databaseState();
          }
          const body = r.method === "POST" ? route.forms?.(w)[r.form ?? 0] : undefined;
          const what = `${r.method} ${route.pattern} (${r.target}) as ${column}`;
          requests++;
          const outcome: Outcome = await callRoute(route, {
            method: r.method,
            params,
            cookie: actor ? cookies.get(actor) : undefined,
            body: body ? multipart(body) : undefined,
          });
          const after = await databaseState();

          expect(outcome.status, `${what}: ${outcome.text.slice(0, 200)}`).toBeLessThan(500);
          const toLogin = outcome.status === 302 && Boolean(outcome.location?.startsWith("/login?redirectTo="));
          if (allowed) {
            expect(toLogin, `${what}: sent to the login page`).toBe(false);
            if (r.method === "GET") expect(outcome.status, `${what}: ${outcome.text.slice(0, 200)}`).toBeLessThan(400);
            else expect([401, 403, 404], `${what}: ${outcome.text.slice(0, 200)}`).not.toContain(outcome.status);
          } else if (column === "anonymous") {
            expect(toLogin || [401, 403, 404, 405].includes(outcome.status), `${what}: ${outcome.status}`).toBe(true);
          } else if (r.rule === "nobody") {
            expect(outcome.status, what).toBeGreaterThanOrEqual(400);
          } else {
            expect([403, 404], `${what}: ${outcome.text.slice(0, 200)}`).toContain(outcome.status);
          }

          // No GET changes anything; a refused POST neither.
          if (r.method === "GET" || !allowed) expect(after, `${what} changed the database`).toEqual(state);
          state = after;

          const text = `${outcome.location ?? ""}\n${outcome.text}`;
          // The slips' download is the one place plain codes leave the server (inside the ZIP), by design.
          const download = file === "polls.$pollId.credentials.tsx" && r.method === "POST";
          for (const secret of download ? ["$argon2"] : secrets) {
            expect(outcome.text.includes(secret), `${what} shows a secret (${secret.slice(0, 12)}…)`).toBe(false);
          }
          if (!RECEIPTS_SHOWN.includes(file)) {
            for (const receipt of receipts) expect(text.includes(receipt), `${what} shows a receipt`).toBe(false);
          }
          if (column === "foreign" && r.rule !== "public" && outcome.status < 300) {
            for (const name of w.wardANames) expect(text, `${what} names ward A's "${name}"`).not.toContain(name);
          }
        }
      }
    });
  }
});
