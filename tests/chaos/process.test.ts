// Chaos at the process level: the app server killed outright while residents cast, PostgreSQL restarted under it,
// and a SIGTERM in the middle of a burst. Whatever happens, every receipt a resident was shown must be counted,
// every credential used must be one ballot counted, and nothing may be counted that no resident cast.
// Short form in `npm test` (both databases); `npm run test:chaos` runs the long form (PHIEU_CHAOS=long).
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import {
  assertBuilt,
  castOutcome,
  CastingLoad,
  cleanUp,
  closeAndCount,
  clusterUnavailable,
  createTarget,
  errorCode,
  heldPost,
  httpRequest,
  killServer,
  lastWords,
  LONG,
  pagesShowReceipts,
  prepareCast,
  receiptOf,
  ballotForm,
  seedPoll,
  sleep,
  startCluster,
  startServer,
  tail,
  tempFolder,
  waitForOutput,
  type CountCheck,
  type ReadyCast,
  type Running,
  type Target,
} from "./harness";

const SLOW = LONG ? 1_800_000 : 300_000;

beforeAll(assertBuilt);
afterAll(cleanUp, 180_000);

/** What every scenario ends with: the count whole, every receipt in it, every ballot once. */
function expectWholeCount(count: CountCheck, residents: number) {
  expect(count.receiptsMissing, "receipts a resident holds that are not stored for their code").toEqual([]);
  expect(count.credentialsUsed).toBe(residents);
  expect(count.ballotsCounted).toBe(residents);
  expect(count.countedRows).toBe(residents);
  expect(count.boxLeft).toBe(0);
  expect(count.invariant).toEqual({
    receipts: residents,
    credentialsUsed: residents,
    ballotsCounted: residents,
    holds: true,
  });
  // The same ballots, not just as many: each resident's choices are counted once, nothing else is.
  expect(count.countedBallots).toEqual(count.castBallots);
}

async function stopGracefully(server: Running) {
  const exit = await killServer(server, "SIGTERM");
  expect(exit, tail(server.output())).toEqual({ code: 0, signal: null });
}

describe("the app server killed with SIGKILL while residents cast", { timeout: SLOW }, () => {
  const RESIDENTS = LONG ? 600 : 64;
  const PHONES = LONG ? 24 : 16;
  const KILLS = LONG ? 10 : 3;

  test(`${KILLS} kills, ${RESIDENTS} residents on ${PHONES} phones: every receipt shown is counted`, async () => {
    const target = await createTarget();
    const poll = await seedPoll(target, RESIDENTS);
    let server: Running | null = await startServer(target);
    const load = new CastingLoad({ codes: poll.codes, concurrency: PHONES, url: () => server?.url ?? null });
    // A failed test must not leave its phones casting at the next test's servers.
    onTestFinished(() => load.stop());
    const loading = load.run(SLOW - 120_000);
    loading.catch(() => {});

    const kills: { receipts: number; triesInFlight: number; castsInFlight: number }[] = [];
    for (let k = 1; k <= KILLS && !load.done; k++) {
      // Spread the kills over the load, each at a moment a final post is on its way, and leave the last kill a
      // good part of the residents still to come: a server that casts fast would otherwise be done before it.
      await load.waitForReceipts(Math.floor((RESIDENTS * k) / (KILLS + 2)));
      await load.waitForCastInFlight();
      await sleep(Math.random() * 50);
      if (load.done) break;
      const dying: Running = server!;
      server = null;
      kills.push({
        receipts: load.receipts.size,
        triesInFlight: load.triesInFlight,
        castsInFlight: load.castsInFlight,
      });
      expect((await killServer(dying, "SIGKILL")).signal).toBe("SIGKILL");
      server = await startServer(target);
    }
    await loading;
    const running: Running = server!;

    console.log(`[chaos:${target.mode}] SIGKILL`, JSON.stringify({ kills, figures: load.figures }));
    expect(load.anomalies).toEqual([]);
    expect(kills, "every kill must come while the residents are still casting").toHaveLength(KILLS);
    expect(kills.every((k) => k.triesInFlight > 0)).toBe(true);
    // A resident who reloads the slip's page after the restarts sees the receipt they hold.
    expect(await pagesShowReceipts(running.url, load.receipts)).toEqual([]);
    await stopGracefully(running);

    const count = await closeAndCount(target, poll, load);
    expectWholeCount(count, RESIDENTS);
  });
});

describe.skipIf(!process.env.DATABASE_URL)("PostgreSQL restarted while residents cast", { timeout: SLOW }, () => {
  const RESIDENTS = LONG ? 400 : 48;
  const PHONES = 16;
  const RESTARTS = LONG ? 6 : 2;
  const OUTAGE_MS = LONG ? 3_000 : 1_500;

  test(`${RESTARTS} restarts of a private cluster, ${RESIDENTS} residents: the server rides them out`, async (ctx) => {
    const unavailable = clusterUnavailable();
    if (unavailable) ctx.skip(`no private PostgreSQL cluster: ${unavailable}`);
    const cluster = await startCluster();
    const target: Target = { mode: "postgres", dataDir: tempFolder(), databaseUrl: cluster.url };
    const poll = await seedPoll(target, RESIDENTS);
    let server: Running | null = await startServer(target);
    const load = new CastingLoad({ codes: poll.codes, concurrency: PHONES, url: () => server?.url ?? null });
    // A failed test must not leave its phones casting at the next test's servers.
    onTestFinished(() => load.stop());
    const loading = load.run(SLOW - 120_000);
    loading.catch(() => {});

    // The server must outlive every restart; when it does not, it is started again so that the count can still be
    // checked, and the test fails at the end with what it printed as it died.
    const crashes: string[] = [];
    const outages: { mode: string; failedDuring: number; healthDuring: number | string; recoveredMs: number }[] = [];
    for (let r = 1; r <= RESTARTS && !load.done; r++) {
      await load.waitForReceipts(Math.floor((RESIDENTS * r) / (RESTARTS + 1)));
      await load.waitForCastInFlight();
      if (load.done) break;
      const mode = r % 2 === 1 ? "fast" : "immediate";
      const failedBefore = load.figures.triesFailed;
      await cluster.stop(mode);
      await sleep(OUTAGE_MS / 2);
      const health = await httpRequest(`${server!.url}/healthz`).then(
        (h) => h.status,
        (error) => errorCode(error)
      );
      await sleep(OUTAGE_MS / 2);
      const failedDuring = load.figures.triesFailed - failedBefore;
      await cluster.start();
      const started = Date.now();
      let recovered = false;
      while (!recovered && Date.now() - started < 30_000) {
        if (!server!.alive()) break;
        recovered = await httpRequest(`${server!.url}/healthz`).then(
          (h) => h.status === 200,
          () => false
        );
        if (!recovered) await sleep(100);
      }
      if (!server!.alive() || !recovered) {
        const dead: Running = server!;
        server = null;
        crashes.push(
          `restart ${r} (${mode}): ${
            dead.alive()
              ? "still running but /healthz not 200 after 30 s"
              : `exited ${JSON.stringify(await dead.exited)}`
          }\n${lastWords(dead.output())}`
        );
        if (dead.alive()) await killServer(dead, "SIGKILL");
        server = await startServer(target);
      }
      outages.push({ mode, failedDuring, healthDuring: health, recoveredMs: Date.now() - started });
    }
    await loading;
    const running: Running = server!;

    console.log(
      `[chaos:postgres] restarts`,
      JSON.stringify({ outages, crashes: crashes.length, figures: load.figures })
    );
    // Soft: a crash, a wrong page and a lost ballot are separate failures, each worth seeing.
    expect.soft(crashes, "the server must survive a database restart").toEqual([]);
    expect.soft(load.anomalies, "pages answered during or after the outages").toEqual([]);
    expect
      .soft(
        outages.map((o) => o.healthDuring),
        "/healthz while the database is down"
      )
      .toEqual(outages.map(() => 503));
    expect(outages, "every restart must come while the residents are still casting").toHaveLength(RESTARTS);
    // The outages were felt, and answered cleanly: error pages or refusals, never a receipt (checked per page).
    expect(outages.every((o) => o.failedDuring > 0)).toBe(true);
    expect(await pagesShowReceipts(running.url, load.receipts)).toEqual([]);
    await stopGracefully(running);

    const count = await closeAndCount(target, poll, load);
    expectWholeCount(count, RESIDENTS);
  });
});

describe("SIGTERM in the middle of a burst of casts", { timeout: SLOW }, () => {
  const IN_HAND = LONG ? 48 : 16;
  const RACING = LONG ? 16 : 6;
  const LATE = LONG ? 12 : 4;

  test(`${IN_HAND} casts in hand are answered whole, those racing the signal never half-done, then exit 0`, async () => {
    const target = await createTarget();
    const poll = await seedPoll(target, IN_HAND + RACING + LATE);
    let server = await startServer(target);
    const anomalies: string[] = [];
    const hooks = { anomaly: (what: string) => anomalies.push(what) };

    // Every resident has the review page in hand (nothing is written before the final post).
    const ready: { code: string; cast: ReadyCast }[] = [];
    for (const code of poll.codes) {
      const cast = await prepareCast(server.url, code, hooks);
      if ("outcome" in cast) throw new Error(`could not prepare a cast: ${JSON.stringify(cast)}`);
      ready.push({ code, cast });
    }
    const inHand = ready.slice(0, IN_HAND);
    const racing = ready.slice(IN_HAND, IN_HAND + RACING);
    const late = ready.slice(IN_HAND + RACING);
    const post = ({ cast }: { cast: ReadyCast }) =>
      httpRequest(`${server.url}${cast.action}`, { method: "POST", form: cast.form });

    // Casts the server has taken in before the signal: half with their body sent (the server is at work on them),
    // half still waiting for theirs, which only goes out after the signal.
    const half = Math.floor(IN_HAND / 2);
    const held = inHand.map(({ cast }) => heldPost(`${server.url}${cast.action}`, cast.form));
    await Promise.all(held.map((h) => h.inHand));
    for (const h of held.slice(0, half)) h.release();
    const answeredAt = held.map((h) =>
      h.response.then(
        () => Date.now(),
        () => Date.now()
      )
    );
    // Casts on new connections at the moment of the signal: the server may or may not take them in.
    const racingAnswers = Promise.allSettled(racing.map(post));
    const signalled = Date.now();
    server.child.kill("SIGTERM");
    expect(await waitForOutput(server, "shutting down"), tail(server.output())).toBe(true);

    // New arrivals once the server is draining: refused, never taken in.
    const lateAnswers = await Promise.allSettled(late.map(post));
    const lateOutcomes = lateAnswers.map((a) =>
      a.status === "rejected"
        ? errorCode(a.reason)
        : `status ${a.value.status}${receiptOf(a.value.body) ? " with a receipt" : ""}`
    );
    for (const outcome of lateOutcomes) expect(["ECONNREFUSED", "ECONNRESET", "status 503"]).toContain(outcome);
    expect(server.alive(), "the server must wait for the casts it has in hand").toBe(true);

    for (const h of held.slice(half)) h.release();
    const outcomes = (await Promise.allSettled(held.map((h) => h.response))).map((answer, i) =>
      castOutcome(answer, inHand[i].cast.levels, hooks)
    );
    const racingOutcomes = (await racingAnswers).map((answer, i) => castOutcome(answer, racing[i].cast.levels, hooks));
    const inFlightAtSignal = (await Promise.all(answeredAt)).filter((t) => t >= signalled).length;
    const exit = await server.exited;

    const describeOutcome = (o: (typeof outcomes)[number]) =>
      o.outcome === "receipt" ? o.outcome : `${o.step}: ${o.reason}`;
    console.log(
      `[chaos:${target.mode}] SIGTERM`,
      JSON.stringify({
        inHand: IN_HAND,
        bodyAfterSignal: IN_HAND - half,
        answeredAfterSignal: inFlightAtSignal,
        racing: racingOutcomes.map(describeOutcome),
        late: lateOutcomes,
      })
    );
    expect(anomalies).toEqual([]);
    expect(outcomes.map(describeOutcome), tail(server.output())).toEqual(inHand.map(() => "receipt"));
    // A racing cast is taken in and answered whole, or refused before the server reads it.
    for (const o of racingOutcomes)
      expect(["receipt", "cast: ECONNREFUSED", "cast: ECONNRESET"]).toContain(describeOutcome(o));
    expect(exit, tail(server.output())).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain("stopped");

    const receipts = new Map<string, string>();
    const ballots = new Map<string, number[]>();
    [...inHand, ...racing].forEach(({ code, cast }, i) => {
      const o = i < IN_HAND ? outcomes[i] : racingOutcomes[i - IN_HAND];
      if (o.outcome !== "receipt") return;
      receipts.set(code, o.receipt);
      ballots.set(code, cast.levels);
    });

    // After a restart the receipts are there, and every resident refused still has an open ballot: nothing was
    // half-done for them (no ballot in the box without its receipt shown).
    server = await startServer(target);
    expect(await pagesShowReceipts(server.url, receipts)).toEqual([]);
    for (const { code } of [...racing, ...late].filter(({ code }) => !receipts.has(code))) {
      const page = await httpRequest(`${server.url}/v/${code}`);
      expect(page.status).toBe(200);
      expect(receiptOf(page.body)).toBeNull();
      expect(ballotForm(page.body)?.intents).toEqual(["review"]);
    }
    await stopGracefully(server);

    const count = await closeAndCount(target, poll, { receipts, ballots });
    expectWholeCount(count, receipts.size);
    expect(receipts.size).toBeGreaterThanOrEqual(IN_HAND);
  });
});
