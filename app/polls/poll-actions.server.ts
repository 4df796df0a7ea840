// The officer's actions on a poll's page, one per `intent`: the lifecycle (open, close, publish) and the slips
// (handed out, voids). Each calls one audited domain function and turns its refusal into a message the page shows.
import { redirect } from "@remix-run/node";
import type { SessionUser } from "~/auth/session.server";
import { parseForm } from "~/components/forms";
import {
  CredentialChangeError,
  recordHandedOut,
  voidBatch,
  voidCredential,
  voidUnhanded,
} from "~/credentials/credentials.server";
import type { Message } from "~/i18n/i18n";
import { refusal } from "~/units/units.server";
import { closePoll, openPoll, PollStateError } from "./lifecycle.server";
import { keySummary } from "./key-holders.server";
import { actorOf, notFound } from "./poll-access.server";
import { closeSchema, handedOutSchema, voidBatchSchema, voidCodeSchema, voidUnhandedSchema } from "./polls.schema";
import { listConfirmations, publishPoll, PublishError, readTally } from "./publish.server";

type Transition = "open" | "close" | "publish";

/** Why a transition was refused, in words. */
export function lifecycleMessage(error: PollStateError, transition: Transition): Message {
  switch (error.reason) {
    case "noSubjects":
      return "polls.lifecycle.noSubjects";
    case "noGroups":
      return "polls.lifecycle.noGroups";
    case "notFound":
      return "error.404";
    case "wrongState":
      return `polls.lifecycle.wrongState.${transition}`;
    case "committeeIncomplete":
      return "polls.lifecycle.committeeIncomplete";
    case "committeeNotEnrolled":
      return { key: "polls.lifecycle.committeeNotEnrolled", params: { names: error.names.join(", ") } };
    case "serverKeyMissing":
      return "polls.lifecycle.serverKeyMissing";
  }
}

/** Why publishing was refused: the wrong state, too few confirmations, or confirmations of an older tally. */
async function publishMessage(error: PublishError, pollId: number, required: number): Promise<Message> {
  if (error.reason === "unresolvedWarnings") {
    const current = await readTally({ pollId });
    const count = current?.tally.warnings?.filter((w) => !w.acknowledgement).length ?? 0;
    return { key: "paper.warnings.blockPublish", params: { count } };
  }
  if (error.reason !== "notEnoughConfirmations") {
    return error.reason === "wrongState" ? "polls.lifecycle.wrongState.publish" : "error.409";
  }
  const [confirmations, current] = await Promise.all([listConfirmations({ pollId }), readTally({ pollId })]);
  const valid = confirmations.filter((c) => c.tally_hash === current?.hash).length;
  const stale = confirmations.length - valid;
  if (stale > 0 && confirmations.length >= required) {
    return { key: "polls.publish.stale", params: { valid, required, stale } };
  }
  return { key: "polls.publish.notEnough", params: { valid, required } };
}

/** A refused change to the slips, in words (a batch or group of another poll is a tampered form: 404). */
function credentialMessage(error: CredentialChangeError): Message {
  if (error.reason === "batchNotFound" || error.reason === "groupNotInPoll" || error.reason === "pollNotFound") {
    notFound();
  }
  return { key: `polls.credentials.error.${error.reason}`, params: error.params };
}

function done(pollId: number, notice: string, hash = "", count?: number) {
  const query = new URLSearchParams({ notice });
  if (count !== undefined) query.set("count", String(count));
  return redirect(`/polls/${pollId}?${query}${hash}`);
}

export async function pollAction({
  user,
  poll,
  formData,
}: {
  user: SessionUser;
  poll: { id: number; required_confirmations: number };
  formData: FormData;
}) {
  const intent = String(formData.get("intent") ?? "");
  const actor = actorOf(user);
  const pollId = poll.id;
  try {
    switch (intent) {
      case "open":
        await openPoll({ actor, pollId });
        return done(pollId, "opened");
      case "close": {
        if (!parseForm(closeSchema, formData).ok) {
          return refusal({ intent, formError: "polls.lifecycle.closeNotConfirmed" });
        }
        const { ballotsCounted } = await closePoll({ actor, pollId });
        if (ballotsCounted === null) return done(pollId, "closedAwaitingShares");
        return done(pollId, "closed", "", ballotsCounted);
      }
      case "publish":
        // A committee-keyed poll closed but not counted has nothing to publish until k shares are entered.
        if ((await keySummary({ pollId }))?.awaitingShares) {
          return refusal({ intent, formError: "polls.keyMode.awaitingShares" }, 409);
        }
        await publishPoll({ actor, pollId });
        return done(pollId, "published");
      case "handedOut": {
        const parsed = parseForm(handedOutSchema, formData);
        const targetId = Number(formData.get("batchId")) || null;
        if (!parsed.ok) {
          if (parsed.errors.batchId) notFound();
          return refusal({ intent, targetId, errors: parsed.errors, values: parsed.values });
        }
        try {
          await recordHandedOut({ actor, pollId, ...parsed.data });
        } catch (error) {
          if (!(error instanceof CredentialChangeError)) throw error;
          const message = credentialMessage(error);
          const values = { handedOut: String(parsed.data.handedOut) };
          return refusal({ intent, targetId, errors: { handedOut: message }, values });
        }
        return done(pollId, "handedOut", "#credentials");
      }
      case "voidBatch": {
        const parsed = parseForm(voidBatchSchema, formData);
        if (!parsed.ok) notFound();
        const { voided } = await voidBatch({ actor, pollId, batchId: parsed.data.batchId });
        return done(pollId, "batchVoided", "#credentials", voided);
      }
      case "voidCode": {
        const parsed = parseForm(voidCodeSchema, formData);
        if (!parsed.ok) return refusal({ intent, errors: parsed.errors, values: parsed.values });
        try {
          await voidCredential({ actor, pollId, code: parsed.data.code });
        } catch (error) {
          if (!(error instanceof CredentialChangeError)) throw error;
          return refusal({ intent, errors: { code: credentialMessage(error) }, values: { code: parsed.data.code } });
        }
        return done(pollId, "codeVoided", "#credentials");
      }
      case "voidUnhanded": {
        const parsed = parseForm(voidUnhandedSchema, formData);
        if (!parsed.ok) notFound();
        const { groupId, batchId } = parsed.data;
        const scope = batchId !== null ? { batchId } : { groupId: groupId as number };
        const { voided } = await voidUnhanded({ actor, pollId, scope });
        return done(pollId, "unhandedVoided", "#credentials", voided);
      }
      default:
        throw new Response("Bad Request", { status: 400 });
    }
  } catch (error) {
    if (error instanceof PollStateError) {
      return refusal({ intent, formError: lifecycleMessage(error, intent as Transition) }, 409);
    }
    if (error instanceof PublishError) {
      return refusal({ intent, formError: await publishMessage(error, pollId, poll.required_confirmations) }, 409);
    }
    if (error instanceof CredentialChangeError) {
      const targetId = Number(formData.get("batchId") ?? formData.get("groupId")) || null;
      return refusal({ intent, targetId, formError: credentialMessage(error) }, 409);
    }
    throw error;
  }
}
