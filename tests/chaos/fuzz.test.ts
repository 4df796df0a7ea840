// Fuzzing every action (and every GET form) with random and hostile bodies, as a user the route serves and as one
// it does not. Two properties: nothing answers with a 5xx or throws anything but a Response, and a refused request
// (4xx, a redirect to the login page, or a redirect that reports a refusal) leaves every table as it found it; a
// GET leaves them all as they were. Then the same properties over requests no page sends, each class tried on
// every route: URL ids that are not ids, a NUL in every field, a redirect target with Vietnamese letters, and
// bodies that are not forms. PHIEU_CHAOS=long (npm run test:chaos) runs ten times as many fuzzing cases.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "~/db.server";
import { applySchedules } from "~/polls/lifecycle.server";
import { TEST_PASSWORD } from "../setup/fixtures";
import {
  buildWorld,
  callRoute,
  cookieFor,
  databaseState,
  defaultParams,
  multipart,
  routeByFile,
  routeFiles,
  ROUTES,
  urlencoded,
  type Actor,
  type EncodedBody,
  type Outcome,
  type RouteEntry,
  type World,
} from "./routes";

const LONG = process.env.PHIEU_CHAOS === "long";
const RUNS = LONG ? 300 : 30;
const TIMEOUT = LONG ? 1_800_000 : 180_000;

/**
 * Who posts to each action: `allowed` holds a role the route serves, `other` one it does not (null: nobody signed
 * in). On a public route both are served.
 */
const POSTERS: Record<string, { allowed: Actor | null; other: Actor | null }> = {
  "account.password.tsx": { allowed: "reader", other: null },
  "admin.units.tsx": { allowed: "globalAdmin", other: "officer" },
  "admin.users.$userId.tsx": { allowed: "admin", other: "officer" },
  "admin.users._index.tsx": { allowed: "admin", other: "officer" },
  "lang.tsx": { allowed: null, other: "officer" },
  "login.tsx": { allowed: null, other: "officer" },
  "logout.tsx": { allowed: "officer", other: null },
  "polls.$pollId._index.tsx": { allowed: "officer", other: "counter" },
  "polls.$pollId.count.tsx": { allowed: "counter", other: "officer" },
  "polls.$pollId.credentials.tsx": { allowed: "officer", other: "counter" },
  "polls.$pollId.edit.tsx": { allowed: "officer", other: "counter" },
  "polls.$pollId.meeting.tsx": { allowed: "officer", other: "reader" },
  "polls.$pollId.paper.$scope.tsx": { allowed: "counter", other: "reader" },
  "polls.$pollId.results.tsx": { allowed: "counter", other: "reader" },
  "polls.$pollId.share.tsx": { allowed: "counter", other: "officer" },
  "units.$unitId._index.tsx": { allowed: "officer", other: "counter" },
  "units.$unitId.cadres.$cadreId.tsx": { allowed: "officer", other: "counter" },
  "units.$unitId.cadres._index.tsx": { allowed: "officer", other: "counter" },
  "units.$unitId.import.tsx": { allowed: "officer", other: "counter" },
  "units.$unitId.polls.new.tsx": { allowed: "officer", other: "counter" },
  "v.$code.tsx": { allowed: null, other: "officer" },
  "v._index.tsx": { allowed: null, other: "officer" },
};

/** The routes whose loaders read search parameters (GET forms, and the links that come back to a page). */
const GET_FORMS = ROUTES.filter((r) => r.query?.length).map((r) => r.file);

let requests = 0;
afterAll(() => {
  // The count of requests this file made, for the reader of a CI log.
  console.log(`chaos fuzz: ${requests} requests`);
});

// ---------------------------------------------------------------------------------------------------------------
// Hostile values. U+0000 is left out of these: PostgreSQL stores no NUL in text, and the test "a NUL in any field"
// below goes through every field with one, so that the other properties are not all stopped by that one defect.

const stripNul = (s: string) => s.replace(/\u0000/g, "");
const utf8 = (text: string) => new TextEncoder().encode(text);

const HUGE = ["x".repeat(20_000), "Ạ".repeat(5_000), "9".repeat(400), " ".repeat(10_000), "dòng\r\n".repeat(3_000)];
const LONE_SURROGATES = ["\ud800", "x\udfffy", "\ud83d", "\ude00\ud800", "Đ\udbff"];
const SQL_ISH = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  "1' UNION SELECT password_hash FROM users --",
  "1); SELECT pg_sleep(10); --",
  "$1",
  "\\",
  "%",
  "_%",
  "E'\\\\x00'",
  '"; --',
];
const ODD = [
  "<script>alert(1)</script>",
  "{{7*7}}",
  "${7*7}",
  "../../etc/passwd",
  "javascript:alert(1)",
  "//evil.example",
  "https://evil.example/",
  "/\\evil.example",
  "null",
  "undefined",
  "true",
  "[]",
  "{}",
  "[object Object]",
  "__proto__",
  "constructor",
  "\u202eabc",
  "\ufeff1",
  "\u{1F600}",
  "e\u0301",
  "Đ",
  "Ⅷ",
  "١٢٣",
  "１２３",
  "\u00a012\u00a0",
  "1.000.000",
  "1,5",
  "2/3",
  "150%",
  "0/0",
  "1/0",
  "-1/2",
  "2026-02-31T08:00",
  "2026-12-01T08:00",
  "1999-12-31T23:59",
  "31/02/2026",
  "0000-00-00",
  "9999-12-31",
  "all",
  "meeting",
  "yes",
  "a".repeat(64),
  "0".repeat(64),
  "/",
  "/ok",
  "/đường-dẫn",
  "/units/1?x=ư",
  "/\u00ff",
];
const NUMBER_EDGES = [
  "-1",
  "0",
  "-0",
  "+1",
  "1.5",
  "1e3",
  "1e309",
  "NaN",
  "Infinity",
  "-Infinity",
  "2147483647",
  "2147483648",
  "4294967296",
  "9007199254740993",
  "999999999",
  "1000000000",
  "10001",
  "1000001",
  "0x1F",
  "1_000",
  " 7 ",
  "007",
];

/** URL parameters no link of the app makes. */
const HOSTILE_PARAMS = [
  "0",
  "-1",
  "abc",
  "1.5",
  "1e3",
  "99999999999",
  "2147483648",
  " 1",
  "١",
  "1\u0000",
  "",
  "..%2F1",
];

/** Numbers out of range, negative, fractional, huge; small ones too. No mid-sized count (a 5,000-slip batch). */
const numbers = fc.oneof(
  fc.integer({ min: -10, max: 10 }).map(String),
  fc
    .bigInt({ min: -(2n ** 80n), max: 2n ** 80n })
    .filter((n) => n > 2n ** 31n || n < -(2n ** 31n))
    .map(String),
  fc.double().map(String),
  fc.constantFrom(...NUMBER_EDGES),
);

function hostileText(w: World): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
      {
        weight: 1,
        arbitrary: fc.string({
          unit: fc
            .oneof(fc.integer({ min: 1, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
            .map((c) => String.fromCharCode(c)),
          minLength: 1,
          maxLength: 8,
        }),
      },
      { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
      { weight: 1, arbitrary: fc.constantFrom(...LONE_SURROGATES) },
      { weight: 2, arbitrary: fc.constantFrom(...SQL_ISH, ...ODD) },
      { weight: 3, arbitrary: numbers },
      { weight: 3, arbitrary: fc.constantFrom(...worldValues(w)) },
      // Paths, for the fields that name where to go next (redirectTo): same-site ones and tricks.
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.constantFrom("/", "/units/", "/v/", "//", "/\\", "/%2F"),
            fc.string({ unit: "binary", maxLength: 20 }),
          )
          .map(([start, rest]) => start + rest),
      },
    )
    .map(stripNul);
}

/** The world's own ids, codes and names: values that pass the first checks and reach the domain and the database. */
function worldValues(w: World): string[] {
  const ids = [
    w.province.id,
    w.wardA.id,
    w.groupA1.id,
    w.groupA2.id,
    w.wardB.id,
    w.groupB.id,
    ...Object.values(w.users).map((u) => u.id),
    ...w.cadres.flatMap((c) => [c.id, c.positionId]),
    ...Object.values(w.polls),
    ...w.openSubjects,
    w.titleId,
  ];
  return [
    ...new Set([
      ...ids.map(String),
      ...w.codes.open,
      w.codes.used,
      w.codes.voided,
      w.codes.closed,
      ...w.receipts,
      w.closedTallyHash,
      w.importDraftId,
      ...Object.values(w.users).map((u) => u.username),
      ...w.wardANames,
      "admin",
      "front_officer",
      "counting_member",
      "committee_reader",
      "confidence_poll",
      "confidence_vote",
      "residential_groups",
      "cadres",
      "committee",
      "server",
      "collected",
      "valid",
      "issued",
      "vi",
      "en",
    ]),
  ];
}

/** Byte sequences that are not UTF-8 (a lone continuation, an overlong form, an encoded surrogate, a cut sequence). */
const NOT_UTF8 = fc.oneof(
  fc.constantFrom(
    Uint8Array.of(0xff),
    Uint8Array.of(0xc0, 0x80),
    Uint8Array.of(0xed, 0xa0, 0x80),
    Uint8Array.of(0xc3),
    Uint8Array.of(0xe2, 0x82),
    Uint8Array.of(0xf8, 0x88, 0x80, 0x80, 0x80),
    Uint8Array.of(0xfe, 0xff),
    Uint8Array.of(0x80, 0xbf),
  ),
  fc.uint8Array({ min: 0x80, max: 0xff, minLength: 1, maxLength: 6 }),
);

interface FileValue {
  file: { name: string; bytes: Uint8Array; type: string };
}
type FieldValue = string | string[] | FileValue;
type Entries = [string, FieldValue][];

function fileValue(w: World): fc.Arbitrary<FileValue> {
  const csv = utf8("Tên tổ dân phố\nTổ dân phố số 9\n");
  return fc
    .record({
      name: fc.oneof(
        fc.constantFrom(
          "to.csv",
          "to.xlsx",
          "",
          "..\\..\\evil.csv",
          "tệp.csv",
          'a"b.csv',
          "a\r\nb.csv",
          "x".repeat(500),
        ),
        hostileText(w),
      ),
      bytes: fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map(withoutNul),
        fc.constantFrom(
          csv,
          Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9),
          Uint8Array.of(0xff, 0xfe, 0x41, 0x01, 0x42, 0x01),
          Uint8Array.of(0xef, 0xbb, 0xbf),
          new Uint8Array(0),
        ),
      ),
      type: fc.constantFrom(
        "text/csv",
        "application/octet-stream",
        "",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      ),
    })
    .map((file) => ({ file }));
}

/** A file's bytes without NUL (the NUL test puts one in on purpose). */
function withoutNul(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => (b === 0 ? 0x20 : b));
}

/** The route's forms as generated values: files read into bytes once. */
async function formValues(route: RouteEntry, w: World): Promise<Entries[]> {
  const forms = route.forms?.(w) ?? [];
  return Promise.all(
    forms.map((form) =>
      Promise.all(
        form.map(async ([k, v]): Promise<[string, FieldValue]> => {
          if (typeof v === "string") return [k, v];
          return [k, { file: { name: v.name, bytes: new Uint8Array(await v.arrayBuffer()), type: v.type } }];
        }),
      ),
    ),
  );
}

type Encoding = "multipart" | "urlencoded" | "urlencoded-bytes" | "multipart-bytes";

interface FuzzRequest {
  params: Record<string, string>;
  entries: Entries;
  encoding: Encoding;
  /** Non-UTF-8 bytes appended to each value in the `-bytes` encodings. */
  junk: Uint8Array[];
}

/**
 * Requests to the route's real targets (hostile URL parameters have their own test below): a random body of its
 * field names and hostile values, or one of its own forms with a few fields changed, dropped, repeated or turned
 * into lists, the intent replaced, removed or unknown.
 */
function requestArbitrary(route: RouteEntry, w: World, forms: Entries[]): fc.Arbitrary<FuzzRequest> {
  const text = hostileText(w);
  const fields = [...route.fields(w), ...(route.intents.length > 0 ? ["intent"] : [])];
  const name = fc.oneof(
    { weight: 5, arbitrary: fields.length > 0 ? fc.constantFrom(...fields) : fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(stripNul) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("__proto__", "constructor", "toString", "valueOf", "intent[]", "_data", "index", ""),
    },
  );
  const value: fc.Arbitrary<FieldValue> = fc.oneof(
    { weight: 6, arbitrary: text },
    { weight: 1, arbitrary: fc.array(text, { minLength: 2, maxLength: 4 }) },
    { weight: 1, arbitrary: fileValue(w) },
  );
  const entry = fc.tuple(name, value);
  const intent = fc.oneof(
    fc.constant(undefined),
    ...(route.intents.length > 0 ? [fc.constantFrom(...route.intents)] : []),
    fc.constantFrom("", "OPEN", "open ", "delete", "__proto__", "toString", "cast\u200b"),
    text,
  );
  const params = fc.record(
    Object.fromEntries(Object.entries(route.params(w)).map(([key, pool]) => [key, fc.constantFrom(...pool)])),
  );

  const random = fc
    .record({ entries: fc.array(entry, { maxLength: 10 }), intent })
    .map(({ entries, intent }) => withIntent(entries, intent));
  const mutated = fc
    .record({
      form: fc.constantFrom(...forms),
      edits: fc.array(fc.record({ at: fc.nat(), op: fc.constantFrom("replace", "drop", "repeat", "list"), value }), {
        minLength: 1,
        maxLength: 3,
      }),
      extra: fc.array(entry, { maxLength: 2 }),
      intent: fc.option(intent, { nil: undefined, freq: 3 }),
    })
    .map(({ form, edits, extra, intent }) => {
      let entries: Entries = [...form];
      for (const edit of edits) {
        if (entries.length === 0) break;
        const i = edit.at % entries.length;
        const [key, old] = entries[i];
        if (edit.op === "replace") entries[i] = [key, edit.value];
        else if (edit.op === "drop") entries = entries.filter((_, j) => j !== i);
        else if (edit.op === "repeat") entries.push([key, edit.value]);
        else if (typeof old === "string" && typeof edit.value === "string") entries[i] = [key, [old, edit.value]];
      }
      return intent === undefined ? [...entries, ...extra] : withIntent([...entries, ...extra], intent);
    });

  return fc.record({
    params,
    entries: forms.length > 0 ? fc.oneof({ weight: 1, arbitrary: random }, { weight: 2, arbitrary: mutated }) : random,
    encoding: fc.constantFrom<Encoding>("multipart", "urlencoded", "urlencoded-bytes", "multipart-bytes"),
    junk: fc.array(NOT_UTF8, { minLength: 1, maxLength: 3 }),
  });
}

function withIntent(entries: Entries, intent: string | undefined): Entries {
  const rest = entries.filter(([key]) => key !== "intent");
  return intent === undefined ? rest : [["intent", intent], ...rest];
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function percent(bytes: Uint8Array): string {
  return [...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
}

const BOUNDARY = "chaos-boundary-7f3a91";

/** The request body as a browser (or a hand-written client) would send it. */
function encode(request: Pick<FuzzRequest, "entries" | "encoding" | "junk">): EncodedBody {
  const flat: [string, string | FileValue][] = request.entries.flatMap(([k, v]) =>
    Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v] as [string, string | FileValue]],
  );
  const junk = (i: number) => request.junk[i % request.junk.length] ?? new Uint8Array(0);
  switch (request.encoding) {
    case "multipart":
      return multipart(
        flat.map(([k, v]) => [
          k,
          typeof v === "string" ? v : new File([concat([v.file.bytes])], v.file.name, { type: v.file.type }),
        ]),
      );
    case "urlencoded":
      return urlencoded(flat.map(([k, v]) => [k, typeof v === "string" ? v : v.file.name]));
    case "urlencoded-bytes": {
      // Values percent-encoded, then bytes that are not UTF-8 appended raw: the parser must decode them somehow.
      const parts = flat.map(([k, v], i) =>
        concat([
          utf8(`${percent(utf8(k))}=${percent(utf8(typeof v === "string" ? v : v.file.name))}`),
          junk(i),
          utf8("&"),
        ]),
      );
      return { payload: concat(parts), contentType: "application/x-www-form-urlencoded" };
    }
    case "multipart-bytes": {
      // Written by hand, so that values and file names can carry bytes that are not UTF-8.
      const safe = (s: string) => s.replace(/["\r\n]/g, "_");
      const parts: Uint8Array[] = [];
      for (const [i, [k, v]] of flat.entries()) {
        const disposition = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${safe(k)}"`;
        if (typeof v === "string") {
          parts.push(utf8(`${disposition}\r\n\r\n`), utf8(v), junk(i), utf8("\r\n"));
        } else {
          const type = v.file.type || "application/octet-stream";
          parts.push(utf8(`${disposition}; filename="${safe(v.file.name)}`), junk(i));
          parts.push(utf8(`"\r\nContent-Type: ${type}\r\n\r\n`), v.file.bytes, utf8("\r\n"));
        }
      }
      parts.push(utf8(`--${BOUNDARY}--\r\n`));
      return { payload: concat(parts), contentType: `multipart/form-data; boundary=${BOUNDARY}` };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checking one request.

/**
 * What a refused request may write: a failed login counts against the username typed (login_throttles), and the
 * failure that locks the username is audited (auth.locked). Nothing else, on any route.
 */
const REFUSAL_WRITES: Record<string, { tables: string[]; auditActions: string[] }> = {
  "login.tsx": { tables: ["login_throttles", "audit_log"], auditActions: ["auth.locked"] },
};

type State = Awaited<ReturnType<typeof databaseState>>;

async function expectNothingStored(file: string, before: State, after: State, what: string) {
  const allowed = REFUSAL_WRITES[file] ?? { tables: [], auditActions: [] };
  for (const table of Object.keys({ ...before, ...after })) {
    if (allowed.tables.includes(table)) continue;
    expect(after[table], `${what}: table ${table} changed`).toEqual(before[table]);
  }
  const added = (after.audit_log?.rows ?? 0) - (before.audit_log?.rows ?? 0);
  if (allowed.tables.includes("audit_log")) {
    expect(added, `${what}: audit entries removed`).toBeGreaterThanOrEqual(0);
    if (added > 0) {
      const rows = await db.selectFrom("audit_log").select("action").orderBy("id", "desc").limit(added).execute();
      for (const row of rows) expect(allowed.auditActions, `${what}: audited ${row.action}`).toContain(row.action);
    }
  }
}

function isRefusal(route: RouteEntry, outcome: Outcome) {
  if (outcome.status >= 400) return true;
  if (outcome.location?.startsWith("/login?")) return true;
  return Boolean(outcome.location && route.refusalRedirect?.test(outcome.location));
}

function describeBody(body: EncodedBody): string {
  if (typeof body.payload === "string") return body.payload.slice(0, 500);
  if (body.payload instanceof Uint8Array) return Buffer.from(body.payload).toString("latin1").slice(0, 500);
  if (body.payload instanceof FormData) {
    const entries = [...body.payload.entries()].map(([k, v]) => [
      k,
      typeof v === "string" ? v.slice(0, 80) : `<file ${v.name}>`,
    ]);
    return JSON.stringify(entries);
  }
  return String(body.payload);
}

/**
 * A world, the cookies of its people, and the database's state as the last request left it; `send` makes one
 * request and checks both properties on it.
 */
async function session() {
  const w = await buildWorld();
  const cookies = new Map<Actor, string>();
  let state = await databaseState();
  const cookie = async (actor: Actor | null, fresh: boolean) => {
    if (actor === null) return undefined;
    if (fresh || !cookies.has(actor)) {
      const created = await cookieFor(w.users[actor].id);
      // The new session is the test's write, not the request's.
      state = await databaseState();
      // A session made for one logout is not kept: the logout ends it.
      if (fresh) return created;
      cookies.set(actor, created);
    }
    return cookies.get(actor)!;
  };

  const send = async (
    route: RouteEntry,
    actor: Actor | null,
    request: { method: "GET" | "POST"; params: Record<string, string>; query?: string; body?: EncodedBody },
  ) => {
    // Whatever a schedule has made due is applied now, so that the request under test is the only writer.
    const due = await applySchedules({ now: new Date() });
    if (due.opened.length + due.closed.length > 0) state = await databaseState();
    // Logging out ends the session it is sent with: each logout gets a session of its own.
    const header = await cookie(actor, route.file === "logout.tsx");
    const before = state;
    requests++;
    const what = `${request.method} ${route.pattern} as ${actor ?? "anonymous"} ${JSON.stringify(request.params)}${
      request.query ?? ""
    } body ${request.body ? describeBody(request.body) : "none"}`;
    const outcome = await callRoute(route, { ...request, cookie: header });
    expect(outcome.status, `${what}: ${outcome.text.slice(0, 300)}`).toBeLessThan(500);
    // A signed-in user is never sent to log in: that would mean the test lost the session, not the app a check.
    expect(Boolean(actor && outcome.location?.startsWith("/login?")), `${what}: session lost`).toBe(false);
    const after = await databaseState();
    state = after;
    if (request.method === "GET") await expectNothingStored("", before, after, `${what} (a GET)`);
    else if (isRefusal(route, outcome))
      await expectNothingStored(route.file, before, after, `${what} → ${outcome.status}`);
    return { outcome, what };
  };
  return { w, send };
}

// ---------------------------------------------------------------------------------------------------------------

describe("the fuzzing table", () => {
  it("names every route module in app/routes, and who posts to each one that has an action", async () => {
    expect(ROUTES.map((r) => r.file).sort()).toEqual(routeFiles());
    const withAction: string[] = [];
    for (const route of ROUTES) if ((await route.load()).action) withAction.push(route.file);
    expect(Object.keys(POSTERS).sort()).toEqual(withAction.sort());
    for (const file of withAction) expect(routeByFile(file).forms, `${file}: its forms`).toBeDefined();
  });
});

describe("every action, fuzzed", () => {
  for (const [file, posters] of Object.entries(POSTERS)) {
    it(
      `${file}: hostile bodies never get a 5xx, and a refused post stores nothing`,
      async () => {
        const { w, send } = await session();
        const route = routeByFile(file);
        const forms = await formValues(route, w);
        await fc.assert(
          fc.asyncProperty(requestArbitrary(route, w, forms), async (request) => {
            await send(route, posters.allowed, { method: "POST", params: request.params, body: encode(request) });
            const other = await send(route, posters.other, {
              method: "POST",
              params: request.params,
              body: encode(request),
            });
            // On a route that does not serve the other user, nothing they post may succeed.
            if (!route.public)
              expect(isRefusal(route, other.outcome), `${other.what} → ${other.outcome.status}`).toBe(true);
          }),
          { numRuns: RUNS },
        );
      },
      TIMEOUT,
    );
  }
});

describe("every GET form, fuzzed", () => {
  for (const file of GET_FORMS) {
    it(
      `${file}: hostile search parameters never get a 5xx, and change nothing`,
      async () => {
        const { w, send } = await session();
        const route = routeByFile(file);
        const text = hostileText(w);
        // Someone the page serves: the audit log and the import page are the officers'.
        const actor: Actor =
          file === "units.$unitId.audit.tsx" || file === "units.$unitId.import.tsx" ? "officer" : "counter";
        const key = fc.oneof(fc.constantFrom(...route.query!), fc.string({ maxLength: 8 }).map(stripNul));
        const query = fc.array(fc.tuple(key, text), { maxLength: 6 }).map((pairs) => `?${new URLSearchParams(pairs)}`);
        const params = fc.record(
          Object.fromEntries(Object.entries(route.params(w)).map(([k, pool]) => [k, fc.constantFrom(...pool)])),
        );
        await fc.assert(
          fc.asyncProperty(query, params, async (search, chosen) => {
            await send(route, actor, { method: "GET", params: chosen, query: search });
            await send(route, null, { method: "GET", params: chosen, query: search });
          }),
          { numRuns: RUNS },
        );
      },
      TIMEOUT,
    );
  }
});

describe("requests no page sends", () => {
  it(
    "a URL parameter that is not an id (too large, negative, not a number) is refused, never a 5xx",
    async () => {
      const { w, send } = await session();
      const failures: string[] = [];
      for (const route of ROUTES.filter((r) => Object.keys(r.params(w)).length > 0)) {
        const module = await route.load();
        const usual = defaultParams(route, w);
        const forms = route.forms?.(w) ?? [];
        for (const name of Object.keys(usual)) {
          for (const value of HOSTILE_PARAMS) {
            const params = { ...usual, [name]: value };
            const attempts: [Actor | null, "GET" | "POST"][] = [];
            if (module.loader)
              attempts.push([route.public ? null : route.file.startsWith("admin.") ? "admin" : "officer", "GET"]);
            if (module.action) attempts.push([POSTERS[route.file].allowed, "POST"]);
            for (const [actor, method] of attempts) {
              try {
                await send(route, actor, { method, params, body: method === "POST" ? multipart(forms[0]) : undefined });
              } catch (error) {
                failures.push(
                  `${method} ${route.pattern} ${name}=${JSON.stringify(value)}: ${String(error).split("\n")[0]}`,
                );
              }
            }
          }
        }
      }
      expect(failures.length, `${failures.length} failed:\n${failures.join("\n")}`).toBe(0);
    },
    TIMEOUT,
  );

  it(
    "a NUL character in any field or file is refused or stored, never a 5xx",
    async () => {
      const { w, send } = await session();
      const failures: string[] = [];
      const attempt = async (
        route: RouteEntry,
        actor: Actor | null,
        request: Parameters<typeof send>[2],
        label: string,
      ) => {
        try {
          await send(route, actor, request);
        } catch (error) {
          failures.push(`${label}: ${String(error).split("\n")[0]}`);
        }
      };
      for (const [file, posters] of Object.entries(POSTERS)) {
        const route = routeByFile(file);
        const params = defaultParams(route, w);
        for (const form of await formValues(route, w)) {
          const intent = form.find(([k]) => k === "intent")?.[1] ?? "";
          for (const [i, [name, value]] of form.entries()) {
            const label = `${file} ${intent ? `(${intent}) ` : ""}${name}`;
            const variants: [string, Entries][] = [];
            if (typeof value === "string") variants.push(["", form.with(i, [name, `${value}\u0000`])]);
            else if (!Array.isArray(value)) {
              const { file: f } = value;
              variants.push([" (file name)", form.with(i, [name, { file: { ...f, name: `to\u0000.csv` } }])]);
              const nul = concat([f.bytes.slice(0, f.bytes.indexOf(10) + 1), utf8("Tổ\u0000 số 10\n")]);
              variants.push([" (file content)", form.with(i, [name, { file: { ...f, bytes: nul } }])]);
            }
            for (const [what, entries] of variants) {
              // Multipart and urlencoded bodies decode to the same string with its "\u0000": one encoding is enough.
              const body = encode({ entries, encoding: "multipart", junk: [] });
              await attempt(route, posters.allowed, { method: "POST", params, body }, `${label}${what}`);
            }
          }
        }
      }
      for (const file of GET_FORMS) {
        const route = routeByFile(file);
        for (const name of route.query!) {
          const query = `?${name}=1%00`;
          await attempt(
            route,
            "officer",
            { method: "GET", params: defaultParams(route, w), query },
            `GET ${file} ${query}`,
          );
        }
      }
      expect(failures.length, `${failures.length} failed:\n${failures.join("\n")}`).toBe(0);
    },
    TIMEOUT,
  );

  it(
    "a same-site redirectTo with Vietnamese letters is followed or refused, never a 5xx",
    async () => {
      const { w, send } = await session();
      const path = "/units/1?q=phường";
      const failures: string[] = [];
      const attempts: [RouteEntry, Actor | null, Parameters<typeof send>[2]][] = [
        [
          routeByFile("lang.tsx"),
          null,
          {
            method: "POST",
            params: {},
            body: urlencoded([
              ["locale", "en"],
              ["redirectTo", path],
            ]),
          },
        ],
        [
          routeByFile("login.tsx"),
          null,
          {
            method: "POST",
            params: {},
            body: urlencoded([
              ["username", w.users.officer.username],
              ["password", TEST_PASSWORD],
              ["redirectTo", path],
            ]),
          },
        ],
        [
          routeByFile("login.tsx"),
          "officer",
          { method: "GET", params: {}, query: `?${new URLSearchParams({ redirectTo: path })}` },
        ],
      ];
      for (const [route, actor, request] of attempts) {
        try {
          await send(route, actor, request);
        } catch (error) {
          failures.push(
            `${request.method} ${route.pattern} as ${actor ?? "anonymous"}: ${String(error).split("\n")[0]}`,
          );
        }
      }
      expect(failures.length, `${failures.length} failed:\n${failures.join("\n")}`).toBe(0);
    },
    TIMEOUT,
  );

  it(
    "a body no form sends (not a form, broken multipart, odd part headers, two files) is refused, never a 5xx",
    async () => {
      const { w, send } = await session();
      const bodies: [string, EncodedBody][] = [
        ["text/plain", { payload: "intent=open", contentType: "text/plain" }],
        ["JSON", { payload: '{"intent":"open"}', contentType: "application/json" }],
        ["multipart without a boundary", { payload: "intent=open", contentType: "multipart/form-data" }],
        [
          "multipart cut short",
          {
            payload: '--x\r\nContent-Disposition: form-data; name="intent"\r\n\r\nop',
            contentType: "multipart/form-data; boundary=x",
          },
        ],
        [
          "multipart with a file name not in UTF-8",
          {
            payload: concat([
              utf8('--x\r\nContent-Disposition: form-data; name="file"; filename="t'),
              Uint8Array.of(0xf4, 0x20),
              utf8('.csv"\r\nContent-Type: text/csv\r\n\r\nTên tổ dân phố\r\n--x--\r\n'),
            ]),
            contentType: "multipart/form-data; boundary=x",
          },
        ],
        ["multipart with a field without a name", multipart([["", "0"]])],
        ['multipart with a field named "a=b; c"', multipart([["a=b; c", "0"]])],
        [
          "multipart with two files in one field",
          multipart([
            ["kind", "residential_groups"],
            ["file", new File(["Tên tổ dân phố\nTổ dân phố số 9\n"], "a.csv", { type: "text/csv" })],
            ["file", new File(["Tên tổ dân phố\nTổ dân phố số 10\n"], "b.csv", { type: "text/csv" })],
          ]),
        ],
      ];
      const failures: string[] = [];
      for (const [file, posters] of Object.entries(POSTERS)) {
        const route = routeByFile(file);
        // The route's own form, its `name` left out, with a file in a field named __proto__: parseForm's plain
        // object takes the file as its prototype, and the schema then reads the file's own `name`.
        const form = (route.forms?.(w)[0] ?? []).filter(([k]) => k !== "name");
        const proto: [string, EncodedBody] = [
          "its form with a file named __proto__",
          multipart([...form, ["__proto__", new File(["x"], "x.csv", { type: "text/csv" })]]),
        ];
        for (const [label, body] of [...bodies, proto]) {
          try {
            await send(route, posters.allowed, { method: "POST", params: defaultParams(route, w), body });
          } catch (error) {
            failures.push(`${file} ${label}: ${String(error).split("\n")[0]}`);
          }
        }
      }
      expect(failures.length, `${failures.length} failed:\n${failures.join("\n")}`).toBe(0);
    },
    TIMEOUT,
  );
});
