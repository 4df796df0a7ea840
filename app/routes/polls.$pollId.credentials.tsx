// Issuing a batch of slips: the answer is the ZIP itself (the PDF of QR slips and the CSV of ballot URLs), the one
// and only time the plain codes exist outside the residents' hands. Nothing here is cached or kept: the codes live
// in this request's memory until the bytes are sent. A refused post goes back to the poll page with its message.
import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { parseForm, readForm } from "~/components/forms";
import {
  CredentialChangeError,
  CredentialIssueError,
  issueBatch,
  publicBaseUrl,
  slipsHeading,
  voidBatch,
} from "~/credentials/credentials.server";
import { asciiSlug, generateSlipsZipInWorker } from "~/credentials/slips.server";
import { translate } from "~/i18n/i18n";
import { logger } from "~/logger.server";
import { actorOf, notFound, requirePollAccess } from "~/polls/poll-access.server";
import { issueSchema } from "~/polls/polls.schema";

export async function loader() {
  // Issuing creates codes, so it is a POST only.
  throw new Response("Method Not Allowed", { status: 405 });
}

function backToPoll(pollId: number, error: { field: string; message: string }, values: Record<string, string>) {
  const query = new URLSearchParams({ issueField: error.field, issueError: error.message });
  for (const name of ["groupId", "count"]) if (values[name]) query.set(name, values[name].slice(0, 20));
  return redirect(`/polls/${pollId}?${query}#credentials`, 303);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, poll } = await requirePollAccess({ request, params, permission: "poll.manage" });
  const formData = await readForm(request);
  const parsed = parseForm(issueSchema, formData);
  if (!parsed.ok) {
    const [field, message] = Object.entries(parsed.errors)[0];
    return backToPoll(poll.id, { field, message: typeof message === "string" ? message : message.key }, parsed.values);
  }
  const { groupId, count } = parsed.data;
  const values = { groupId: String(groupId), count: String(count) };
  const actor = actorOf(user);
  let issued: Awaited<ReturnType<typeof issueBatch>>;
  try {
    issued = await issueBatch({ actor, pollId: poll.id, groupId, count });
  } catch (error) {
    if (!(error instanceof CredentialIssueError)) throw error;
    if (error.reason !== "pollClosed") notFound();
    return backToPoll(poll.id, { field: "_form", message: "polls.credentials.error.pollFinished" }, values);
  }

  const heading = await slipsHeading({ pollId: poll.id, groupId });
  let zip: Buffer;
  try {
    zip = await generateSlipsZipInWorker({
      locale: "vi",
      ...heading,
      baseUrl: publicBaseUrl(request),
      slips: issued.slips,
      batchLabel: translate("vi", "polls.credentials.batchLabel", { id: issued.batchId }),
    });
  } catch (error) {
    // The codes are lost with this request: void the batch so that no slip of it can ever be used.
    logger.error({ err: error, pollId: poll.id, batchId: issued.batchId }, "slips could not be generated");
    await voidBatch({ actor, pollId: poll.id, batchId: issued.batchId }).catch((reason: unknown) => {
      // A poll closed in the meantime accepts no slip anyway.
      if (!(reason instanceof CredentialChangeError)) throw reason;
    });
    return backToPoll(poll.id, { field: "_form", message: "polls.credentials.slipsFailed" }, values);
  }

  const fileName = `phieu-${poll.id}-${asciiSlug(heading.groupName) || "to"}-lo-${issued.batchId}.zip`;
  return new Response(new Uint8Array(zip), {
    status: 200,
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Content-Length": String(zip.byteLength),
      "Cache-Control": "no-store, private, max-age=0",
      Pragma: "no-cache",
      Expires: "0",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
