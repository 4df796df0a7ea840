// Every route module in app/routes, with how to call it in-process: its URL, the fields and intents its forms
// post, a valid body for each of its forms, and a world of fixtures (two wards, every role, polls in every state)
// to fill its parameters from. The chaos suites fail when a file in app/routes is missing here, so that a new
// route is fuzzed and put in the authorization matrix before it ships.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { castBallot } from "~/ballots/cast.server";
import { issueBatch, recordHandedOut, voidCredential } from "~/credentials/credentials.server";
import { db } from "~/db.server";
import { createDraft } from "~/imports/imports.server";
import { templateCsv } from "~/imports/imports.schema";
import { readImportFile } from "~/imports/read-file.server";
import { closePoll, openPoll } from "~/polls/lifecycle.server";
import { enrolKeyHolder } from "~/polls/key-holders.server";
import { createPoll } from "~/polls/polls.server";
import { confirmTally, publishPoll, readTally } from "~/polls/publish.server";
import type { Role } from "../../db/schema";
import { createUser, createWards, run, sessionCookie, statusOf, dataOf, TEST_PASSWORD } from "../setup/fixtures";

const ROUTES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../app/routes");

/** The route modules in app/routes (tests beside them left out). */
export function routeFiles(): string[] {
  return fs
    .readdirSync(ROUTES_DIR)
    .filter((name) => /\.(tsx?|jsx?)$/.test(name) && !/\.test\.[tj]sx?$/.test(name))
    .sort();
}

// ---------------------------------------------------------------------------------------------------------------
// The world: ward A (where every role is granted), ward B (a foreign officer's), and ward A's polls in each state.

export type Actor =
  | "admin"
  | "officer"
  | "counter"
  | "counter2"
  | "counter3"
  | "reader"
  | "foreign"
  | "globalAdmin"
  | "account";

export interface World {
  province: { id: number; name: string };
  wardA: { id: number; name: string };
  groupA1: { id: number; name: string };
  groupA2: { id: number; name: string };
  wardB: { id: number; name: string };
  groupB: { id: number; name: string };
  users: Record<Actor, { id: number; username: string; fullName: string }>;
  cadres: { id: number; fullName: string; positionId: number }[];
  titleId: number;
  polls: { draft: number; open: number; closed: number; published: number; committee: number };
  /** Subjects of the open poll in ballot order (the ballot's `s<id>` fields, the paper form's `s<id>_<level>`). */
  openSubjects: number[];
  codes: { open: string[]; used: string; voided: string; closed: string };
  /** Every plain code the world issued: none may ever reach a page. */
  allCodes: string[];
  /** Every receipt handed to a resident (the used code's, the closed and published polls'). */
  receipts: string[];
  closedTallyHash: string;
  importDraftId: string;
  /** The open poll's batch of slips, and the one grant of the account administrators manage. */
  openBatchId: number;
  accountGrantId: number;
  /** Names only ward A's people may see: its ward, cadres, accounts, polls, committee members. */
  wardANames: string[];
}

const PLACE = "Hội trường UBND phường Thanh Xuân";

/**
 * Builds the world. The setup empties every table before each test, so each test builds its own (half a second
 * on PGlite): a route's fuzzing or its rows of the matrix then start from the same state, whatever the last test
 * changed.
 */
export async function buildWorld(): Promise<World> {
  const wards = await createWards();
  const A = wards.ward.id;
  const person = async (
    actor: Actor,
    username: string,
    grants: { role: Role; unitId: number | null }[],
    name: string,
  ) => {
    const user = await createUser(username, grants, name);
    return [actor, { ...user, fullName: name }] as const;
  };
  const users = Object.fromEntries([
    await person("admin", "quantri", [{ role: "admin", unitId: A }], "Đỗ Quang Trị"),
    await person("officer", "mattran", [{ role: "front_officer", unitId: A }], "Hoàng Minh Trân"),
    await person("counter", "kiemphieu1", [{ role: "counting_member", unitId: A }], "Trần Văn Bình"),
    await person("counter2", "kiemphieu2", [{ role: "counting_member", unitId: A }], "Lê Thị Mai"),
    await person("counter3", "kiemphieu3", [{ role: "counting_member", unitId: A }], "Ngô Thị Bảy"),
    await person("reader", "danguy", [{ role: "committee_reader", unitId: A }], "Phan Văn Ủy"),
    await person("foreign", "khuongdinh", [{ role: "front_officer", unitId: wards.otherWard.id }], "Quách Khương Đình"),
    await person("globalAdmin", "hethong", [{ role: "admin", unitId: null }], "Tạ Hệ Thống"),
    await person("account", "taikhoan", [{ role: "counting_member", unitId: wards.group1.id }], "Kiều Tài Khoản"),
  ]) as World["users"];

  const titles = await db.selectFrom("position_titles").select(["id", "name"]).where("ward_id", "is", null).execute();
  const titleId = (name: string) => titles.find((t) => t.name === name)!.id;
  const cadres: World["cadres"] = [];
  for (const [fullName, title] of [
    ["Nguyễn Văn Thành", "Bí thư Đảng ủy"],
    ["Lê Minh Đức", "Chủ tịch UBND"],
    ["Vũ Thị Hương", "Chủ tịch UBMTTQ"],
  ] as const) {
    const cadre = await db
      .insertInto("cadres")
      .values({ ward_id: A, full_name: fullName, birth_year: 1975 })
      .returning("id")
      .executeTakeFirstOrThrow();
    const position = await db
      .insertInto("positions")
      .values({ cadre_id: cadre.id, unit_id: A, title_id: titleId(title), started_on: "2021-07-01" })
      .returning("id")
      .executeTakeFirstOrThrow();
    cadres.push({ id: cadre.id, fullName, positionId: position.id });
  }

  const actor = { userId: users.officer.id, label: users.officer.username };
  const positionIds = cadres.map((c) => c.positionId);
  const groupIds = [wards.group1.id, wards.group2.id];
  const committee = [
    { fullName: users.counter.fullName, role: "Trưởng ban" },
    { fullName: users.counter2.fullName, role: "Thành viên" },
  ];
  const poll = async (title: string, extra: Partial<Parameters<typeof createPoll>[0]["input"]> = {}) =>
    (
      await createPoll({
        actor,
        // Server key mode unless the poll says otherwise (the committee poll below).
        input: {
          unitId: A,
          kind: "confidence_poll",
          title,
          place: PLACE,
          positionIds,
          groupIds,
          committee,
          keyMode: "server",
          ...extra,
        },
      })
    ).id;
  const batches: number[] = [];
  const issue = async (pollId: number, count: number) => {
    const issued = await issueBatch({ actor, pollId, groupId: wards.group1.id, count });
    // Every slip handed out: the reconciliation has nothing to warn about, so the poll can be published.
    await recordHandedOut({ actor, pollId, batchId: issued.batchId, handedOut: count });
    batches.push(issued.batchId);
    return issued.slips.map((s) => s.code);
  };
  const receipts: string[] = [];
  const cast = async (code: string, levels: number[]) => {
    const result = await castBallot({ code, levels });
    if (result.status !== "counted") throw new Error(`the world's ballot was not counted: ${result.status}`);
    receipts.push(result.receipt);
  };

  const draft = await poll("Lấy phiếu nháp năm 2027 phường Thanh Xuân");

  const open = await poll("Lấy phiếu đang mở phường Thanh Xuân");
  const openCodes = await issue(open, 8);
  const openBatchId = batches[0];
  await openPoll({ actor, pollId: open });
  await cast(openCodes[0], [1, 2, 3]);
  await voidCredential({ actor, pollId: open, code: openCodes[7] });

  const closed = await poll("Lấy phiếu đã đóng phường Thanh Xuân");
  const closedCodes = await issue(closed, 3);
  await openPoll({ actor, pollId: closed });
  await cast(closedCodes[0], [1, 1, 2]);
  await cast(closedCodes[1], [3, 2, 1]);
  await closePoll({ actor, pollId: closed });
  const closedTally = await readTally({ pollId: closed });

  const published = await poll("Lấy phiếu đã công bố phường Thanh Xuân");
  const publishedCodes = await issue(published, 3);
  await openPoll({ actor, pollId: published });
  await cast(publishedCodes[0], [1, 2, 2]);
  await cast(publishedCodes[1], [2, 1, 3]);
  await closePoll({ actor, pollId: published });
  const shown = (await readTally({ pollId: published }))!.hash;
  for (const member of [users.counter, users.counter2]) {
    await confirmTally({ actor: { userId: member.id, label: member.username }, pollId: published, shownHash: shown });
  }
  await publishPoll({ actor, pollId: published });

  // The committee holds this poll's key (committee key mode): its three members made their keys while it was a
  // draft; closed, it waits for two of them to enter their keys.
  const committeePoll = await poll("Lấy phiếu ban kiểm phiếu giữ khóa phường Thanh Xuân", {
    committee: [users.counter, users.counter2, users.counter3].map((u, i) => ({
      fullName: u.fullName,
      role: i === 0 ? "Trưởng ban" : "Thành viên",
      userId: u.id,
    })),
    keyMode: "committee",
    sharesRequired: 2,
  });
  const committeeCodes = await issue(committeePoll, 2);
  for (const u of [users.counter, users.counter2, users.counter3]) {
    await enrolKeyHolder({ actor: { userId: u.id, label: u.username }, pollId: committeePoll, userId: u.id });
  }
  await openPoll({ actor, pollId: committeePoll });
  await cast(committeeCodes[0], [1, 1, 1]);
  await closePoll({ actor, pollId: committeePoll });

  const openSubjects = (
    await db.selectFrom("poll_subjects").select("id").where("poll_id", "=", open).orderBy("sort_order").execute()
  ).map((s) => s.id);

  const csv = templateCsv("residential_groups", { groupName: null });
  const sheet = await readImportFile({
    kind: "residential_groups",
    fileName: "to-dan-pho.csv",
    bytes: new TextEncoder().encode(csv),
  });
  const importDraftId = await createDraft({
    userId: users.officer.id,
    wardId: A,
    kind: "residential_groups",
    fileName: "to-dan-pho.csv",
    sheet,
  });

  const pollTitles = (await db.selectFrom("polls").select("title").execute()).map((p) => p.title);
  const wardUsers = [users.admin, users.officer, users.counter, users.counter2, users.counter3, users.reader];
  return {
    province: wards.province,
    wardA: wards.ward,
    groupA1: wards.group1,
    groupA2: wards.group2,
    wardB: wards.otherWard,
    groupB: wards.otherGroup,
    users,
    cadres,
    titleId: titleId("Phó Chủ tịch UBND"),
    polls: { draft, open, closed, published, committee: committeePoll },
    openSubjects,
    codes: { open: openCodes.slice(1, 7), used: openCodes[0], voided: openCodes[7], closed: closedCodes[2] },
    allCodes: [...openCodes, ...closedCodes, ...publishedCodes, ...committeeCodes],
    receipts,
    closedTallyHash: closedTally!.hash,
    importDraftId,
    openBatchId,
    accountGrantId: (
      await db.selectFrom("grants").select("id").where("user_id", "=", users.account.id).executeTakeFirstOrThrow()
    ).id,
    wardANames: [
      wards.ward.name,
      ...cadres.map((c) => c.fullName),
      ...wardUsers.map((u) => u.fullName),
      ...pollTitles,
      PLACE,
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Bodies and calls.

/** A form as posted: entries in order, a name may repeat. */
export type FormEntries = [name: string, value: string | File][];

/** A request body already encoded, with its Content-Type (none: the runtime sets FormData's boundary). */
export interface EncodedBody {
  payload: BodyInit;
  contentType: string | null;
}

export function multipart(entries: FormEntries): EncodedBody {
  const form = new FormData();
  for (const [name, value] of entries) form.append(name, value);
  return { payload: form, contentType: null };
}

export function urlencoded(entries: FormEntries): EncodedBody {
  const params = new URLSearchParams();
  for (const [name, value] of entries) params.append(name, typeof value === "string" ? value : value.name);
  return { payload: params.toString(), contentType: "application/x-www-form-urlencoded" };
}

export function entriesOf(form: Record<string, string | string[] | File>): FormEntries {
  return Object.entries(form).flatMap(([name, value]) =>
    Array.isArray(value) ? value.map((v): [string, string] => [name, v]) : [[name, value] as [string, string | File]],
  );
}

/** A loader or action, called with Remix's arguments (each route types them its own way). */
type RouteFunction = (args: any) => Promise<unknown>;
export type RouteModule = { loader?: RouteFunction; action?: RouteFunction };

/** What came back, as a browser would see it. */
export interface Outcome {
  status: number;
  location: string | null;
  /** The JSON of returned data, or the text of a Response's body. */
  text: string;
}

export function fillPattern(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
}

/** The Cookie header of a new session of the user. */
export const cookieFor = sessionCookie;

/**
 * Calls the route's loader (GET) or action (POST) as Remix would, with the session cookie when one is given. A
 * Response thrown by the route is its answer; anything else thrown propagates (a 500 in production).
 */
export async function callRoute(
  route: RouteEntry,
  {
    method,
    params,
    query = "",
    cookie,
    body,
  }: { method: "GET" | "POST"; params: Record<string, string>; query?: string; cookie?: string; body?: EncodedBody },
): Promise<Outcome> {
  const module = await route.load();
  const fn = method === "GET" ? module.loader : module.action;
  if (!fn) throw new Error(`${route.file} has no ${method === "GET" ? "loader" : "action"}`);
  const headers: Record<string, string> = {};
  if (cookie) headers.Cookie = cookie;
  if (body?.contentType) headers["Content-Type"] = body.contentType;
  const request = new Request(`http://localhost${fillPattern(route.pattern, params)}${query}`, {
    method,
    headers,
    body: method === "POST" ? body?.payload ?? new FormData() : undefined,
  });
  const result = await run(() => fn({ request, params, context: {} }));
  if (result instanceof Response) {
    const text = result.body ? await result.clone().text() : "";
    return { status: result.status, location: result.headers.get("Location"), text };
  }
  return { status: statusOf(result), location: null, text: JSON.stringify(dataOf(result)) ?? "" };
}

// ---------------------------------------------------------------------------------------------------------------
// The table.

export interface RouteEntry {
  /** The file in app/routes. */
  file: string;
  /** Its URL, parameters as `:name`. */
  pattern: string;
  load: () => Promise<RouteModule>;
  /** Reached without an account (residents, the public board, the login page). */
  public: boolean;
  /** Every value each URL parameter can take in the world: the fuzzer picks among them (and hostile ones). */
  params: (w: World) => Record<string, string[]>;
  /** The names the route's forms post, for the fuzzer to aim at. */
  fields: (w: World) => string[];
  /** The values of the forms' `intent` field. */
  intents: string[];
  /** The search parameters its loader reads (its GET forms and the links that come back to it). */
  query?: string[];
  /**
   * What the route's own forms post, one body per form (each intent), valid for the usual target (the first value
   * of each parameter). The fuzzer mutates them; the matrix posts the first.
   */
  forms?: (w: World) => FormEntries[];
  /** A redirect that reports a refusal rather than a change (the slips' download goes back to the poll page). */
  refusalRedirect?: RegExp;
}

const POLL_FORM_FIELDS = [
  "kind",
  "title",
  "place",
  "positionIds",
  "groupIds",
  ...[1, 2, 3, 4, 5].flatMap((i) => [`memberName${i}`, `memberRole${i}`, `memberUser${i}`]),
  "keyMode",
  "sharesRequired",
  "denominator",
  "reviewAbove",
  "dismissalAtLeast",
  "noConfidenceAbove",
  "quorum",
  "k",
  "requiredConfirmations",
  "scheduledOpenAt",
  "scheduledCloseAt",
];

function pollForm(w: World): FormEntries {
  return entriesOf({
    kind: "confidence_poll",
    title: "Lấy phiếu tín nhiệm giữa nhiệm kỳ",
    place: "Hội trường UBND phường",
    positionIds: w.cadres.map((c) => String(c.positionId)),
    groupIds: [String(w.groupA1.id), String(w.groupA2.id)],
    memberName1: "Trần Văn Bình",
    memberRole1: "Trưởng ban",
    denominator: "collected",
    reviewAbove: "1/2",
    dismissalAtLeast: "2/3",
    noConfidenceAbove: "50%",
    quorum: "2/3",
    k: "5",
    requiredConfirmations: "2",
    scheduledOpenAt: "",
    scheduledCloseAt: "",
  });
}

const PAPER_FIGURES = ["summoned", "present", "issued", "collected", "valid", "invalid"];

const allPolls = (w: World) => Object.values(w.polls).map(String);
const wardUnits = (w: World) => [w.wardA.id, w.groupA1.id, w.groupA2.id, w.wardB.id, w.province.id].map(String);
const csvFile = (text: string, name = "to-dan-pho.csv") => new File([text], name, { type: "text/csv" });

export const ROUTES: RouteEntry[] = [
  {
    file: "_index.tsx",
    pattern: "/",
    load: () => import("~/routes/_index"),
    public: false,
    params: () => ({}),
    fields: () => [],
    intents: [],
  },
  {
    file: "account.password.tsx",
    pattern: "/account/password",
    load: () => import("~/routes/account.password"),
    public: false,
    params: () => ({}),
    fields: () => ["currentPassword", "newPassword", "confirmPassword"],
    intents: [],
    forms: () => [
      entriesOf({
        currentPassword: TEST_PASSWORD,
        newPassword: "mật khẩu mới 2026",
        confirmPassword: "mật khẩu mới 2026",
      }),
    ],
  },
  {
    file: "admin.units.tsx",
    pattern: "/admin/units",
    load: () => import("~/routes/admin.units"),
    public: false,
    params: () => ({}),
    fields: () => ["name", "provinceId", "unitId"],
    intents: ["createProvince", "createWard", "renameUnit"],
    // Ward A renamed to its own name: allowed for its administrator, and the world keeps its names.
    forms: (w) => [
      entriesOf({ intent: "renameUnit", unitId: String(w.wardA.id), name: w.wardA.name }),
      entriesOf({ intent: "createWard", provinceId: String(w.province.id), name: "Phường Mới" }),
      entriesOf({ intent: "createProvince", name: "Tỉnh Mới" }),
    ],
  },
  {
    file: "admin.users.$userId.tsx",
    pattern: "/admin/users/:userId",
    load: () => import("~/routes/admin.users.$userId"),
    public: false,
    params: (w) => ({ userId: [w.users.account.id, w.users.counter.id, w.users.foreign.id].map(String) }),
    fields: () => ["fullName", "role", "unitId", "grantId", "newPassword"],
    intents: ["update", "grant.add", "grant.remove", "disable", "enable", "password.reset"],
    forms: (w) => [
      entriesOf({ intent: "update", fullName: w.users.account.fullName }),
      entriesOf({ intent: "grant.add", role: "committee_reader", unitId: String(w.groupA2.id) }),
      entriesOf({ intent: "grant.remove", grantId: String(w.accountGrantId) }),
      entriesOf({ intent: "disable" }),
      entriesOf({ intent: "enable" }),
      entriesOf({ intent: "password.reset", newPassword: "mật khẩu cấp lại 2026" }),
    ],
  },
  {
    file: "admin.users._index.tsx",
    pattern: "/admin/users",
    load: () => import("~/routes/admin.users._index"),
    public: false,
    params: () => ({}),
    fields: () => ["username", "fullName", "password", "role", "unitId"],
    intents: [],
    forms: (w) => [
      entriesOf({
        username: "nguoimoi",
        fullName: "Lý Thị Mới",
        password: "mật khẩu tạm 2026",
        role: "counting_member",
        unitId: String(w.wardA.id),
      }),
    ],
  },
  {
    file: "healthz.ts",
    pattern: "/healthz",
    load: () => import("~/routes/healthz"),
    public: true,
    params: () => ({}),
    fields: () => [],
    intents: [],
  },
  {
    file: "lang.tsx",
    pattern: "/lang",
    load: () => import("~/routes/lang"),
    public: true,
    params: () => ({}),
    fields: () => ["locale", "redirectTo"],
    intents: [],
    forms: () => [entriesOf({ locale: "en", redirectTo: "/" })],
  },
  {
    file: "login.tsx",
    pattern: "/login",
    load: () => import("~/routes/login"),
    public: true,
    params: () => ({}),
    fields: () => ["username", "password", "redirectTo"],
    intents: [],
    query: ["redirectTo"],
    forms: (w) => [entriesOf({ username: w.users.officer.username, password: TEST_PASSWORD, redirectTo: "/" })],
  },
  {
    file: "logout.tsx",
    pattern: "/logout",
    load: () => import("~/routes/logout"),
    public: true,
    params: () => ({}),
    fields: () => [],
    intents: [],
    forms: () => [[]],
  },
  {
    file: "p.$pollId._index.tsx",
    pattern: "/p/:pollId",
    load: () => import("~/routes/p.$pollId._index"),
    public: true,
    params: (w) => ({ pollId: [String(w.polls.published), ...allPolls(w)] }),
    fields: () => [],
    intents: [],
    query: ["receipt", "page"],
  },
  {
    file: "p.$pollId.ballots[.csv].tsx",
    pattern: "/p/:pollId/ballots.csv",
    load: () => import("~/routes/p.$pollId.ballots[.csv]"),
    public: true,
    params: (w) => ({ pollId: [String(w.polls.published), ...allPolls(w)] }),
    fields: () => [],
    intents: [],
  },
  {
    file: "polls.$pollId._index.tsx",
    pattern: "/polls/:pollId",
    load: () => import("~/routes/polls.$pollId._index"),
    public: false,
    params: (w) => ({ pollId: [String(w.polls.draft), ...allPolls(w)] }),
    fields: () => ["confirm", "batchId", "handedOut", "code", "groupId"],
    intents: ["open", "close", "publish", "handedOut", "voidBatch", "voidCode", "voidUnhanded"],
    query: ["issueField", "issueError", "groupId", "count", "notice"],
    forms: (w) => [
      entriesOf({ intent: "open" }),
      entriesOf({ intent: "close", confirm: "yes" }),
      entriesOf({ intent: "publish" }),
      entriesOf({ intent: "handedOut", batchId: String(w.openBatchId), handedOut: "5" }),
      entriesOf({ intent: "voidBatch", batchId: String(w.openBatchId) }),
      entriesOf({ intent: "voidCode", code: w.codes.open[5] }),
      entriesOf({ intent: "voidUnhanded", groupId: String(w.groupA1.id), batchId: "" }),
    ],
  },
  {
    file: "polls.$pollId.count.tsx",
    pattern: "/polls/:pollId/count",
    load: () => import("~/routes/polls.$pollId.count"),
    public: false,
    params: (w) => ({ pollId: [String(w.polls.committee), ...allPolls(w)] }),
    fields: () => ["shares"],
    intents: [],
    // Two keys of the right shape that are nobody's on this poll: refused with a message, nothing counted.
    forms: () => [entriesOf({ shares: ["AAAA-BBBB-CCCC-DDDD", "EEEE-FFFF-GGGG-HHHH"] })],
  },
  {
    file: "polls.$pollId.credentials.tsx",
    pattern: "/polls/:pollId/credentials",
    load: () => import("~/routes/polls.$pollId.credentials"),
    public: false,
    params: (w) => ({ pollId: [String(w.polls.open), ...allPolls(w)] }),
    fields: () => ["groupId", "count"],
    intents: [],
    forms: (w) => [entriesOf({ groupId: String(w.groupA1.id), count: "1" })],
    refusalRedirect: /[?&]issueError=/,
  },
  {
    file: "polls.$pollId.edit.tsx",
    pattern: "/polls/:pollId/edit",
    load: () => import("~/routes/polls.$pollId.edit"),
    public: false,
    params: (w) => ({ pollId: [String(w.polls.draft), ...allPolls(w)] }),
    fields: () => POLL_FORM_FIELDS,
    intents: [],
    forms: (w) => [pollForm(w)],
  },
  {
    file: "polls.$pollId.meeting.tsx",
    pattern: "/polls/:pollId/meeting",
    load: () => import("~/routes/polls.$pollId.meeting"),
    public: false,
    params: (w) => ({ pollId: [String(w.polls.closed), ...allPolls(w)] }),
    fields: () => ["summoned", "present", "complaints"],
    intents: [],
    forms: () => [entriesOf({ summoned: "30", present: "21", complaints: "Không có khiếu nại." })],
  },
  {
    file: "polls.$pollId.minutes.tsx",
    pattern: "/polls/:pollId/minutes",
    load: () => import("~/routes/polls.$pollId.minutes"),
    public: false,
    params: (w) => ({ pollId: [String(w.polls.closed), ...allPolls(w)] }),
    fields: () => [],
    intents: [],
  },
  {
    file: "polls.$pollId.paper.$scope.tsx",
    pattern: "/polls/:pollId/paper/:scope",
    load: () => import("~/routes/polls.$pollId.paper.$scope"),
    public: false,
    params: (w) => ({
      pollId: [String(w.polls.open), ...allPolls(w)],
      scope: [String(w.groupA1.id), "meeting", String(w.groupA2.id), String(w.groupB.id)],
    }),
    fields: (w) => [
      "version",
      ...PAPER_FIGURES,
      ...w.openSubjects.flatMap((id) => [0, 1, 2, 3].map((l) => `s${id}_${l}`)),
    ],
    intents: ["save", "confirm"],
    // 20 issued, 18 collected = 17 valid + 1 invalid; each subject's three levels and its invalid add up to 17.
    forms: (w) => [
      entriesOf({
        intent: "save",
        version: "",
        summoned: "30",
        present: "24",
        issued: "20",
        collected: "18",
        valid: "17",
        invalid: "1",
        ...Object.fromEntries(
          w.openSubjects.flatMap((id) => [
            [`s${id}_1`, "10"],
            [`s${id}_2`, "4"],
            [`s${id}_3`, "2"],
            [`s${id}_0`, "1"],
          ]),
        ),
      }),
      entriesOf({ intent: "confirm", version: "1" }),
    ],
  },
  {
    file: "polls.$pollId.paper._index.tsx",
    pattern: "/polls/:pollId/paper",
    load: () => import("~/routes/polls.$pollId.paper._index"),
    public: false,
    params: (w) => ({ pollId: [String(w.polls.open), ...allPolls(w)] }),
    fields: () => [],
    intents: [],
  },
  {
    file: "polls.$pollId.results.tsx",
    pattern: "/polls/:pollId/results",
    load: () => import("~/routes/polls.$pollId.results"),
    public: false,
    params: (w) => ({ pollId: [String(w.polls.closed), ...allPolls(w)] }),
    fields: () => ["tallyHash", "warningId", "fingerprint", "reason"],
    intents: ["confirm", "acknowledge"],
    forms: (w) => [
      entriesOf({ intent: "confirm", tallyHash: w.closedTallyHash }),
      entriesOf({ intent: "acknowledge", warningId: "slips:1", fingerprint: "0".repeat(64), reason: "Đã kiểm tra." }),
    ],
  },
  {
    file: "polls.$pollId.share.tsx",
    pattern: "/polls/:pollId/share",
    load: () => import("~/routes/polls.$pollId.share"),
    public: false,
    params: (w) => ({ pollId: [String(w.polls.committee), ...allPolls(w)] }),
    fields: () => [],
    intents: ["enrol"],
    forms: () => [entriesOf({ intent: "enrol" })],
  },
  {
    file: "units.$unitId._index.tsx",
    pattern: "/units/:unitId",
    load: () => import("~/routes/units.$unitId._index"),
    public: false,
    params: (w) => ({ unitId: wardUnits(w) }),
    fields: () => ["name", "groupId"],
    intents: ["createGroup", "renameUnit", "renameGroup", "deleteGroup"],
    forms: (w) => [
      entriesOf({ intent: "createGroup", name: "Tổ dân phố số 9" }),
      entriesOf({ intent: "renameUnit", name: w.wardA.name }),
      entriesOf({ intent: "renameGroup", groupId: String(w.groupA2.id), name: w.groupA2.name }),
      entriesOf({ intent: "deleteGroup", groupId: String(w.groupA2.id) }),
    ],
  },
  {
    file: "units.$unitId.audit.tsx",
    pattern: "/units/:unitId/audit",
    load: () => import("~/routes/units.$unitId.audit"),
    public: false,
    params: (w) => ({ unitId: wardUnits(w) }),
    fields: () => [],
    intents: [],
    query: ["family", "before"],
  },
  {
    file: "units.$unitId.cadres.$cadreId.tsx",
    pattern: "/units/:unitId/cadres/:cadreId",
    load: () => import("~/routes/units.$unitId.cadres.$cadreId"),
    public: false,
    params: (w) => ({ unitId: wardUnits(w), cadreId: w.cadres.map((c) => String(c.id)) }),
    fields: () => ["fullName", "birthYear", "titleId", "newTitle", "unitId", "startedOn", "positionId", "endedOn"],
    intents: ["updateCadre", "addPosition", "editPosition", "endPosition"],
    forms: (w) => {
      const position = { unitId: String(w.wardA.id), startedOn: "01/07/2021" };
      return [
        entriesOf({ intent: "updateCadre", fullName: w.cadres[0].fullName, birthYear: "1975" }),
        entriesOf({ intent: "addPosition", titleId: String(w.titleId), newTitle: "", ...position }),
        entriesOf({ intent: "addPosition", titleId: "", newTitle: "Phó Bí thư Đảng ủy phụ trách", ...position }),
        entriesOf({
          intent: "editPosition",
          positionId: String(w.cadres[0].positionId),
          titleId: String(w.titleId),
          newTitle: "",
          endedOn: "",
          ...position,
        }),
        entriesOf({ intent: "endPosition", positionId: String(w.cadres[0].positionId), endedOn: "" }),
      ];
    },
  },
  {
    file: "units.$unitId.cadres._index.tsx",
    pattern: "/units/:unitId/cadres",
    load: () => import("~/routes/units.$unitId.cadres._index"),
    public: false,
    params: (w) => ({ unitId: wardUnits(w) }),
    fields: () => ["fullName", "birthYear", "titleId", "newTitle", "unitId", "startedOn"],
    intents: ["createCadre"],
    forms: (w) => {
      const cadre = { intent: "createCadre", fullName: "Phạm Thị Lan", birthYear: "1980", unitId: String(w.wardA.id) };
      return [
        entriesOf({ ...cadre, titleId: String(w.titleId), newTitle: "", startedOn: "01/07/2021" }),
        entriesOf({ ...cadre, titleId: "", newTitle: "Ủy viên Ban Thường vụ", startedOn: "2021-07-01" }),
      ];
    },
  },
  {
    file: "units.$unitId.import.tsx",
    pattern: "/units/:unitId/import",
    load: () => import("~/routes/units.$unitId.import"),
    public: false,
    params: (w) => ({ unitId: wardUnits(w) }),
    fields: () => ["kind", "file", "draftId"],
    intents: ["commit"],
    query: ["draft", "kind", "imported"],
    forms: (w) => [
      [
        ["kind", "residential_groups"],
        ["file", csvFile(templateCsv("residential_groups", { groupName: null }))],
      ],
      entriesOf({ intent: "commit", draftId: w.importDraftId }),
    ],
  },
  {
    file: "units.$unitId.polls._index.tsx",
    pattern: "/units/:unitId/polls",
    load: () => import("~/routes/units.$unitId.polls._index"),
    public: false,
    params: (w) => ({ unitId: wardUnits(w) }),
    fields: () => [],
    intents: [],
  },
  {
    file: "units.$unitId.polls.new.tsx",
    pattern: "/units/:unitId/polls/new",
    load: () => import("~/routes/units.$unitId.polls.new"),
    public: false,
    params: (w) => ({ unitId: wardUnits(w) }),
    fields: () => POLL_FORM_FIELDS,
    intents: [],
    forms: (w) => [pollForm(w)],
  },
  {
    file: "v.$code.tsx",
    pattern: "/v/:code",
    load: () => import("~/routes/v.$code"),
    public: true,
    params: (w) => ({ code: [...w.codes.open, w.codes.used, w.codes.voided, w.codes.closed] }),
    fields: (w) => w.openSubjects.map((id) => `s${id}`),
    intents: ["review", "edit", "cast"],
    forms: (w) => {
      const choices = Object.fromEntries(w.openSubjects.map((id) => [`s${id}`, "1"]));
      return [entriesOf({ intent: "review", ...choices }), entriesOf({ intent: "cast", ...choices })];
    },
  },
  {
    file: "v._index.tsx",
    pattern: "/v",
    load: () => import("~/routes/v._index"),
    public: true,
    params: () => ({}),
    fields: () => ["code"],
    intents: [],
    forms: (w) => [entriesOf({ code: w.codes.open[0] })],
  },
];

export const routeByFile = (file: string): RouteEntry => {
  const route = ROUTES.find((r) => r.file === file);
  if (!route) throw new Error(`no route ${file} in tests/chaos/routes.ts`);
  return route;
};

/** The first value of each parameter: the route's usual target in the world. */
export function defaultParams(route: RouteEntry, w: World): Record<string, string> {
  return Object.fromEntries(Object.entries(route.params(w)).map(([name, values]) => [name, values[0]]));
}

/** Counts and a fingerprint of the content of every table (ballot box partitions included). */
export async function databaseState(): Promise<Record<string, { rows: number; content: string }>> {
  const tables = await sql<{ name: string }>`
    select tablename as name from pg_tables where schemaname = 'public' order by tablename`.execute(db);
  const selects = tables.rows.map(
    ({ name }) =>
      sql`select ${name}::text as name, count(*)::int as rows,
        coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text))), '') as content from ${sql.id(name)} t`,
  );
  if (selects.length === 0) return {};
  const result = await sql<{ name: string; rows: number; content: string }>`${sql.join(
    selects,
    sql` union all `,
  )}`.execute(db);
  return Object.fromEntries(result.rows.map((r) => [r.name, { rows: Number(r.rows), content: r.content }]));
}
