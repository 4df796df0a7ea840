// Who may open a poll's pages: every check is made on the unit that runs the poll, so an officer granted on a
// residential group (or anything above it) manages that group's polls, and nobody reaches another ward's.
import type { LoaderFunctionArgs } from "@remix-run/node";
import type { Permission } from "~/auth/permissions";
import { can, requirePermission } from "~/auth/permissions.server";
import { requireUser, type SessionUser } from "~/auth/session.server";
import { db } from "~/db.server";
import type { PollStatus } from "../../db/schema";
import { applySchedules } from "./lifecycle.server";

export { idParam, notFound } from "~/components/params.server";
import { idParam, notFound } from "~/components/params.server";

/**
 * The signed-in user and the poll of the URL, once the user holds `permission` on the poll's unit: 404 for a poll
 * that does not exist, 403 for another ward's. With `applyDue` (actions only: no GET changes anything), polls whose
 * scheduled time has come are opened or closed first, so the action meets the state the schedule says.
 */
export async function requirePollAccess({
  request,
  params,
  permission,
  applyDue = false,
}: {
  request: Request;
  params: LoaderFunctionArgs["params"];
  permission: Permission;
  applyDue?: boolean;
}): Promise<{ user: SessionUser; poll: { id: number; unit_id: number; status: PollStatus; created_by: number } }> {
  const user = await requireUser(request);
  const pollId = idParam(params.pollId);
  if (applyDue) await applySchedules({ now: new Date() });
  const poll = await db
    .selectFrom("polls")
    .select(["id", "unit_id", "status", "created_by"])
    .where("id", "=", pollId)
    .executeTakeFirst();
  if (!poll) notFound();
  await requirePermission(user, permission, poll.unit_id);
  return { user, poll };
}

/** Results of a closed poll are for the unit's officers and counting members; once published, for readers too. */
export function resultsPermission(status: PollStatus): Permission {
  return status === "published" || status === "archived" ? "results.read_published" : "results.read_closed";
}

export function actorOf(user: SessionUser) {
  return { userId: user.id, label: user.username };
}

/**
 * The meeting's records (attendance, complaints, paper tallies) are kept by the unit's officers or its counting
 * committee: the poll of the URL once the user holds either, 403 otherwise.
 */
export async function requireMeetingAccess({
  request,
  params,
}: {
  request: Request;
  params: LoaderFunctionArgs["params"];
}) {
  const { user, poll } = await requirePollAccess({ request, params, permission: "poll.read" });
  const allowed = (await can(user, "poll.manage", poll.unit_id)) || (await can(user, "poll.count", poll.unit_id));
  if (!allowed) throw new Response("Forbidden", { status: 403 });
  return { user, poll };
}
