// The insider's attack on what it took (insider.test.ts): (a) every key, share and member key searched for in every
// form in every byte; (b) the server's secret tried on every blob, under the old wrapping schemes and under keys
// derived from it; (c) every 32-byte value found tried as a private key on the sealed ballots and shares; (d) every
// linkage heuristic on each poll. Each with its control: what the same code finds when the thing is there.
import { decodeBallot } from "../../../app/ballots/cast.server";
import { ballotOpener } from "../../../app/ballots/seal.server";
import { byteaValues, textValues } from "./evidence";
import {
  candidatesMatchingPublicKeys,
  derivedKeys,
  keysInText,
  oldWrappedAsStored,
  openAll,
  scanForWrappedSizes,
  searchAll,
  unwrapAll,
  type Blob,
  type Haystack,
  type SealedItem,
} from "./keys";
import { linkPoll, verdict, type PollLinkage, type Verdict } from "./linkage";
import type { PollRole } from "./meeting";
import type { Run } from "./run";

export const ROLES: PollRole[] = ["committee", "server", "control"];
/** The polls whose mixing is on: their linkage must stay at chance. */
export const ATTACKED: PollRole[] = ["committee", "server"];

export interface Attack {
  haystacks: Haystack[];
  haystackBytes: number;
  keyFindings: ReturnType<typeof searchAll>;
  publicKeyFindings: ReturnType<typeof searchAll>;
  blobs: { exact: number; scanned: number };
  unwrap: ReturnType<typeof unwrapAll>;
  /** The same scan and unwrap on a key wrapped the old way: what they open when there is something to open. */
  unwrapControl: number;
  candidates: number;
  windows: number;
  publicKeys: number;
  opening: ReturnType<typeof openAll>;
  /** The same tries with the keys the test knows: what they open when the key is there. */
  openingControl: ReturnType<typeof openAll>;
  matchingPublicKeys: number;
  sealedInWal: Record<PollRole, number>;
  sharesInEvidence: number;
  truePollKeysOpen: Record<PollRole, { opened: number; answersMatch: number }>;
  linkage: Record<PollRole, PollLinkage>;
  /** Ballots of each box copy that the true key, with the copy's xmin, ties to their credential. */
  linkedWithTrueKey: Record<PollRole, number>;
  verdict: Verdict;
  ms: Record<string, number>;
}

export async function attack(run: Run): Promise<Attack> {
  const ms: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    ms[name] = Math.round(now - mark);
    mark = now;
  };
  const { insider, meeting, known } = run;

  // (a) Every private key, share and member key, in every form, in every byte taken.
  const boxBytes = (role: PollRole) => Buffer.concat(run.boxes[role].rows.map((r) => r.sealed));
  const haystacks: Haystack[] = [
    ...run.files.map((f) => ({ name: `file ${f.name}`, bytes: f.bytes })),
    { name: "WAL, raw", bytes: run.walRaw },
    { name: "WAL, without page headers", bytes: run.walStream },
    ...(run.blocks ?? []),
    ...ROLES.map((role) => ({ name: `box copy of the ${role} poll`, bytes: boxBytes(role) })),
    { name: "the server's log", bytes: Buffer.from(run.serverLog) },
  ];
  const secrets = [
    ...ROLES.map((role) => ({ name: `${role} poll's private key`, bytes: known.poll[role] })),
    ...known.shares.flatMap((s) => [
      { name: `share of member ${s.userId}`, bytes: s.share },
      { name: `share of member ${s.userId} without its x coordinate`, bytes: s.share.subarray(0, 32) },
    ]),
    ...known.members.map((m) => ({ name: `member ${m.userId}'s key`, bytes: m.key })),
  ];
  const keyFindings = searchAll(secrets, haystacks);
  // The search works: the public keys, which the database holds by design, are found.
  const publicKeyFindings = searchAll(
    ROLES.map((role) => ({ name: `${role} poll's public key`, bytes: known.publicKey[role] })),
    haystacks.filter((h) => h.name.startsWith("file ") || h.name.startsWith("WAL"))
  ).filter((f) => f.form === "raw");
  lap("search");

  // (b) The secret against every bytea value (live and every version in the pages), every value of the old wrapped
  // sizes in the files and the log, and the box copies.
  const exact: Blob[] = [
    ...(await byteaValues(insider)),
    ...ROLES.flatMap((role) =>
      run.boxes[role].rows.map((r, i) => ({
        where: `${role} box copy row ${i}`,
        bytes: r.sealed,
        oldSchemesOnly: i >= 3,
      }))
    ),
  ];
  const scanned: Blob[] = [
    ...run.files.flatMap((f) => scanForWrappedSizes(`file ${f.name}`, f.bytes)),
    ...scanForWrappedSizes("WAL", run.walStream),
    ...(run.blocks ?? []).flatMap((b) => scanForWrappedSizes(b.name, b.bytes)),
  ];
  const context = {
    pollIds: (await insider.client.query<{ id: number }>("select id from polls order by id")).rows.map((r) => r.id),
    members: (
      await insider.client.query<{ poll_id: number; id: number }>("select poll_id, id from poll_committee_members")
    ).rows.map((r) => ({ pollId: r.poll_id, memberId: r.id })),
    holders: (
      await insider.client.query<{ poll_id: number; user_id: number }>("select poll_id, user_id from poll_key_holders")
    ).rows.map((r) => ({ pollId: r.poll_id, userId: r.user_id })),
  };
  const unwrap = unwrapAll(run.secret, context, [...exact, ...scanned]);
  const planted = oldWrappedAsStored(known.poll.committee, run.secret, meeting.polls.committee.pollId);
  const unwrapControl = unwrapAll(run.secret, context, scanForWrappedSizes("control", planted)).opened.filter((u) =>
    u.plaintext.equals(known.poll.committee)
  ).length;
  lap("unwrap");

  // (c) Every 32-byte value found, as a private key, on every sealed ballot of the box copies (the log's are the
  // same bytes: counted below) and on every sealed share.
  const candidateList: { where: string; key: Buffer }[] = [];
  const seen = new Set<string>();
  const addCandidate = (where: string, key: Buffer) => {
    const hex = key.toString("hex");
    if (key.length !== 32 || seen.has(hex)) return;
    seen.add(hex);
    candidateList.push({ where, key });
  };
  for (const b of exact) {
    if (b.bytes.length === 32) addCandidate(b.where, b.bytes);
  }
  const texts = await textValues(insider);
  for (const t of texts) for (const key of keysInText(t.text)) addCandidate(t.where, key);
  for (const h of [
    ...run.files.map((f) => ({ name: f.name, bytes: f.bytes })),
    { name: "WAL", bytes: run.walStream },
  ]) {
    for (const key of keysInText(h.bytes.toString("latin1"))) addCandidate(`text in ${h.name}`, key);
  }
  for (const key of keysInText(run.serverLog)) addCandidate("the server's log", key);
  for (const d of derivedKeys(run.secret, context)) addCandidate(d.label, d.key);
  for (const u of unwrap.opened) {
    addCandidate(u.where, u.plaintext.subarray(0, 32));
    addCandidate(u.where, u.plaintext.subarray(u.plaintext.length - 32));
  }
  const items: SealedItem[] = [
    ...ROLES.flatMap((role) =>
      run.boxes[role].rows.map((r, i) => ({
        where: `${role} box copy row ${i}`,
        sealed: r.sealed,
        publicKey: known.publicKey[role],
        info: { kind: "ballot" as const },
      }))
    ),
    ...known.shares.map((s) => ({
      where: `sealed share of member ${s.userId}`,
      sealed: s.sealed,
      publicKey: s.publicKey,
      info: { kind: "share" as const, pollId: meeting.polls.committee.pollId, userId: s.userId },
    })),
  ];
  const opening = openAll(candidateList, items);
  const openingControl = openAll(
    [
      ...ROLES.map((role) => ({ where: `${role} poll's true key`, key: known.poll[role] })),
      ...known.members.map((m) => ({ where: `member ${m.userId}'s key`, key: m.key })),
    ],
    items
  );
  // Every public key of the database (polls' and holders'), and every 32-byte window of every value that is not
  // ciphertext (the bytea values that are not sealed are 32-byte public keys, tried above; text values up to 4 kB):
  // a window is a poll's or a member's key exactly when its X25519 public key is one of these.
  const allPublicKeys = (
    await insider.client.query<{ k: Buffer }>(
      "select public_key as k from polls where public_key is not null union select public_key from poll_key_holders"
    )
  ).rows.map((r) => r.k);
  const windows: { where: string; key: Buffer }[] = [];
  for (const t of texts) {
    const bytes = Buffer.from(t.text);
    if (bytes.length < 32 || bytes.length > 4096) continue;
    for (let i = 0; i + 32 <= bytes.length; i++)
      windows.push({ where: `${t.where} window`, key: bytes.subarray(i, i + 32) });
  }
  const matchingPublicKeys = candidatesMatchingPublicKeys([...candidateList, ...windows], allPublicKeys).length;
  const sealedInWal = Object.fromEntries(
    ROLES.map((role) => [role, run.boxes[role].rows.filter((r) => run.walStream.includes(r.sealed)).length])
  ) as Record<PollRole, number>;
  const evidenceBytes = [...run.files.map((f) => f.bytes), run.walStream];
  const sharesInEvidence = known.shares.filter((s) => evidenceBytes.some((b) => b.includes(s.sealed))).length;
  // The control that makes "nothing opened" meaningful: the true keys open every ballot of their box copy.
  const truePollKeysOpen = Object.fromEntries(
    ROLES.map((role) => {
      const open = ballotOpener({ publicKey: known.publicKey[role], privateKey: known.poll[role] });
      const cast = new Set(run.logs.get(meeting.polls[role].pollId)!.map((l) => l.levels.join(",")));
      let answersMatch = 0;
      for (const r of run.boxes[role].rows) if (cast.has(decodeBallot(open(r.sealed)).l.join(","))) answersMatch++;
      return [role, { opened: run.boxes[role].rows.length, answersMatch }];
    })
  ) as Record<PollRole, { opened: number; answersMatch: number }>;
  lap("open");

  // (d) Linkage.
  const linkage = {} as Record<PollRole, PollLinkage>;
  for (const role of ROLES) {
    const pollId = meeting.polls[role].pollId;
    linkage[role] = await linkPoll(insider, {
      pollId,
      walFrom: run.walFrom,
      log: run.logs.get(pollId)!,
      boxCopy: run.boxes[role],
      walStream: run.walStream,
    });
  }
  // What custody of a key during the poll means: with the true key and the box copy, whose xmin names each sealed
  // row's casting transaction and so its credential, every ballot is linked. The insider holds neither key.
  const linkedWithTrueKey = Object.fromEntries(
    ROLES.map((role) => {
      const open = ballotOpener({ publicKey: known.publicKey[role], privateKey: known.poll[role] });
      const answersOf = new Map(run.logs.get(meeting.polls[role].pollId)!.map((l) => [l.codeHash, l.levels.join(",")]));
      const { castingXid } = linkage[role].e;
      const linked = run.boxes[role].rows.filter(
        (r) => answersOf.get(castingXid.get(r.xmin)!) === decodeBallot(open(r.sealed)).l.join(",")
      ).length;
      return [role, linked];
    })
  ) as Record<PollRole, number>;
  lap("linkage");
  return {
    haystacks,
    haystackBytes: haystacks.reduce((n, h) => n + h.bytes.length, 0),
    keyFindings,
    publicKeyFindings,
    blobs: { exact: exact.length, scanned: scanned.length },
    unwrap,
    unwrapControl,
    candidates: candidateList.length,
    windows: windows.length,
    publicKeys: allPublicKeys.length,
    opening,
    openingControl,
    matchingPublicKeys,
    sealedInWal,
    sharesInEvidence,
    truePollKeysOpen,
    linkage,
    linkedWithTrueKey,
    verdict: verdict(ATTACKED.map((role) => linkage[role])),
    ms,
  };
}
