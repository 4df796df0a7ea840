import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import QRCode from "qrcode";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/form";
import type { Message } from "~/i18n/i18n";
import { useT } from "~/i18n/use-t";
import { enrolKeyHolder, KeyHolderError, memberKey } from "~/polls/key-holders.server";
import { actorOf, requirePollAccess } from "~/polls/poll-access.server";
import { pageTitle } from "~/polls/poll-status";
import { getPollDetails } from "~/polls/polls.server";
import { readForm } from "~/components/forms";
import { loadCatalogs } from "~/i18n/i18n";
import pollsMessages from "~/i18n/messages/polls";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(pollsMessages, unitsMessages);

/** A key holder's page: while the poll is a draft, the member makes their key here and sees it once. */
async function requireKeyHolder(request: Request, params: LoaderFunctionArgs["params"]) {
  const { user, poll } = await requirePollAccess({ request, params, permission: "poll.count" });
  const member = await memberKey({ pollId: poll.id, userId: user.id });
  if (!member) throw new Response("Forbidden", { status: 403 });
  const details = (await getPollDetails({ pollId: poll.id }))!;
  return { user, poll: details, member };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { poll, member } = await requireKeyHolder(request, params);
  return {
    poll: { id: poll.id, title: poll.title, k: poll.shares_required ?? 0 },
    member: { full_name: member.full_name, role: member.role },
    state:
      poll.key_mode !== "committee" || poll.status !== "draft"
        ? ("closed" as const)
        : member.enrolled_at
          ? ("enrolled" as const)
          : ("ready" as const),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, poll } = await requireKeyHolder(request, params);
  const formData = await readForm(request);
  if (formData.get("intent") !== "enrol") throw new Response("Bad Request", { status: 400 });
  try {
    const { code } = await enrolKeyHolder({ actor: actorOf(user), pollId: poll.id, userId: user.id });
    const qrSvg = await QRCode.toString(code, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
    return data({ code, qrSvg, formError: null as Message | null }, { headers: NO_STORE });
  } catch (error) {
    if (!(error instanceof KeyHolderError)) throw error;
    if (error.reason === "notFound") throw new Response("Not Found", { status: 404 });
    if (error.reason === "notMember") throw new Response("Forbidden", { status: 403 });
    return data(
      { code: null, qrSvg: null, formError: "polls.share.error.wrongState" as Message },
      { status: 409, headers: NO_STORE }
    );
  }
}

/** The key is shown once: no browser, proxy or back button may keep a copy of the page. */
const NO_STORE = { "Cache-Control": "no-store" };
export const headers: HeadersFunction = () => NO_STORE;

export default function PollKeyEnrolment() {
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
          {/* The SVG is drawn by the QR library from the key code alone. */}
          <div className="key-share__qr" dangerouslySetInnerHTML={{ __html: result.qrSvg ?? "" }} />
          <p>
            <a
              className="button"
              href={`data:text/plain;charset=utf-8,${encodeURIComponent(fileText)}`}
              download={`khoa-kiem-phieu-${poll.id}.txt`}
            >
              {t("polls.share.download")}
            </a>
          </p>
        </section>
      ) : (
        <section className="card">
          <FormError error={result?.formError ?? undefined} />
          {state === "closed" ? <p className="muted">{t("polls.share.error.wrongState")}</p> : null}
          {state === "enrolled" ? <p className="alert alert--warn">{t("polls.share.enrolled")}</p> : null}
          {state !== "closed" ? (
            <Form method="post">
              <p>{t("polls.share.intro", { k: poll.k })}</p>
              <input type="hidden" name="intent" value="enrol" />
              <button type="submit" className="button">
                {state === "enrolled" ? t("polls.share.enrolAgain") : t("polls.share.enrol")}
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
