import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import QRCode from "qrcode";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/form";
import type { Message } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import { claimShare, KeyShareError, memberShare } from "~/polls/key-shares.server";
import { actorOf, requirePollAccess } from "~/polls/poll-access.server";
import { pageTitle } from "~/polls/poll-status";
import { getPollDetails } from "~/polls/polls.server";
import { readForm } from "~/components/forms";
import { loadCatalogs } from "~/i18n/i18n";
import pollsMessages from "~/i18n/messages/polls";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(pollsMessages, unitsMessages);

/** Only the counting member whose account is linked to one of the poll's committee rows reaches this page. */
async function requireShareHolder(request: Request, params: LoaderFunctionArgs["params"]) {
  const { user, poll } = await requirePollAccess({ request, params, permission: "poll.count" });
  const member = await memberShare({ pollId: poll.id, userId: user.id });
  if (!member) throw new Response("Forbidden", { status: 403 });
  const details = (await getPollDetails({ pollId: poll.id }))!;
  return { user, poll: details, member };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { poll, member } = await requireShareHolder(request, params);
  return {
    poll: { id: poll.id, title: poll.title, k: poll.shares_required ?? 0 },
    member: { full_name: member.full_name, role: member.role },
    state: member.share_poll_id === null ? "none" : member.claimed_at ? "claimed" : "ready",
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, poll } = await requireShareHolder(request, params);
  const formData = await readForm(request);
  if (formData.get("intent") !== "claim") throw new Response("Bad Request", { status: 400 });
  try {
    const { code } = await claimShare({ actor: actorOf(user), pollId: poll.id, userId: user.id });
    const qrSvg = await QRCode.toString(code, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
    return { code, qrSvg, formError: null as Message | null };
  } catch (error) {
    if (!(error instanceof KeyShareError)) throw error;
    const formError: Message =
      error.reason === "alreadyClaimed"
        ? { key: "polls.share.error.alreadyClaimed", params: { k: poll.shares_required ?? 0 } }
        : "polls.share.error.wrongState";
    return data({ code: null, qrSvg: null, formError }, { status: 409 });
  }
}

export default function PollShare() {
  const { poll, member, state } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const fileText = result?.code
    ? `${t("polls.share.fileHeader", { pollId: poll.id, title: poll.title })}\n${member.full_name} — ${
        member.role
      }\n\n${result.code}\n`
    : "";
  return (
    <>
      <nav className="breadcrumbs" aria-label={t("units.breadcrumbs")}>
        <Link to={`/polls/${poll.id}`}>{poll.title}</Link> › <span aria-current="page">{t("polls.share.title")}</span>
      </nav>
      <h1>{t("polls.share.title")}</h1>
      <p className="muted">
        {member.full_name} — {member.role}
      </p>
      {result?.code ? (
        <section className="card key-share">
          <p className="alert alert--warn" role="alert">
            {t("polls.share.warning", { k: poll.k })}
          </p>
          <p>{t("polls.share.code")}</p>
          <p className="key-share__code">
            <code>{result.code}</code>
          </p>
          {/* The SVG is drawn by the QR library from the share code alone. */}
          <div className="key-share__qr" dangerouslySetInnerHTML={{ __html: result.qrSvg ?? "" }} />
          <p>
            <a
              className="button"
              href={`data:text/plain;charset=utf-8,${encodeURIComponent(fileText)}`}
              download={`manh-khoa-${poll.id}.txt`}
            >
              {t("polls.share.download")}
            </a>
          </p>
        </section>
      ) : (
        <section className="card">
          <FormError error={result?.formError ?? undefined} />
          {state === "claimed" && !result?.formError ? (
            <p className="alert alert--warn">{t("polls.share.error.alreadyClaimed", { k: poll.k })}</p>
          ) : null}
          {state === "none" ? <p className="muted">{t("polls.share.error.wrongState")}</p> : null}
          {state === "ready" ? (
            <Form method="post">
              <p>{t("polls.share.intro")}</p>
              <input type="hidden" name="intent" value="claim" />
              <button type="submit" className="button">
                {t("polls.share.claim")}
              </button>
            </Form>
          ) : null}
        </section>
      )}
      <p>
        <Link to={`/polls/${poll.id}`}>{t("common.back")}</Link>
      </p>
    </>
  );
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "polls.share.title");

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
