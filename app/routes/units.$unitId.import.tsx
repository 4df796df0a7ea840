import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  data,
  MaxPartSizeExceededError,
  redirect,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useLocation } from "@remix-run/react";
import { requireUser } from "~/auth/session.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Notice } from "~/components/form";
import { parseForm, readForm, type FieldErrors } from "~/components/forms";
import { ImportHelp, UploadForm } from "~/imports/import-form";
import { DraftPreview } from "~/imports/import-preview";
import {
  commitSchema,
  IMPORT_KINDS,
  isImportKind,
  MAX_FILE_BYTES,
  templateCsv,
  uploadSchema,
  type ImportKind,
} from "~/imports/imports.schema";
import {
  commitDraft,
  createDraft,
  findDraft,
  importedCount,
  previewDraft,
  requireImportWard,
} from "~/imports/imports.server";
import { ImportFileError, readImportFile } from "~/imports/read-file.server";
import { loadCatalogs, formatDateTime, translate, type Message } from "~/i18n/i18n";
import { DEFAULT_LOCALE, type Locale } from "~/i18n/define";
import { getLocale } from "~/i18n/locale.server";
import { useT } from "~/i18n/use-t";
import { Breadcrumbs, unitCrumbs } from "~/units/breadcrumbs";
import { listChildUnits, readableTrail } from "~/units/units.server";
import cadresMessages from "~/i18n/messages/cadres";
import importsMessages from "~/i18n/messages/imports";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(cadresMessages, importsMessages, unitsMessages);

const notFound = () => new Response("Not Found", { status: 404 });
const forbidden = () => new Response("Forbidden", { status: 403 });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { ward, kinds } = await requireImportWard({ user, unitParam: params.unitId });
  const url = new URL(request.url);
  const draftId = url.searchParams.get("draft");
  let draft = null;
  if (draftId !== null) {
    const found = await findDraft({ draftId, userId: user.id, wardId: ward.id });
    if (!found) throw notFound();
    if (!kinds.includes(found.kind)) throw forbidden();
    draft = await previewDraft(found, ward.id);
  }
  const askedKind = url.searchParams.get("kind");
  const kind: ImportKind = draft?.kind ?? (isImportKind(askedKind) && kinds.includes(askedKind) ? askedKind : kinds[0]);
  const imported = Number(url.searchParams.get("imported"));
  const notice: Message | null =
    Number.isSafeInteger(imported) && imported > 0 && isImportKind(askedKind)
      ? { key: `imports.done.${askedKind}`, params: { count: imported } }
      : null;
  const groupName = (await listChildUnits({ unitId: ward.id })).find((u) => u.kind === "residential_group")?.name;
  const templates = Object.fromEntries(
    IMPORT_KINDS.map((k) => [k, templateCsv(k, { groupName: groupName ?? null })])
  ) as Record<ImportKind, string>;
  return { ward, kinds, kind, draft, notice, templates, trail: await readableTrail({ user, unitId: ward.id }) };
}

function refused(
  intent: "upload" | "commit",
  {
    errors = {},
    values = {},
    formError = null,
  }: { errors?: FieldErrors; values?: Record<string, string>; formError?: Message | null },
  status = 400
) {
  return data({ intent, errors, values, formError }, { status });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { ward, kinds } = await requireImportWard({ user, unitParam: params.unitId });
  let formData: FormData;
  if ((request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data")) {
    // The upload is read into memory, at most 2 MB: a larger file is refused before it is read to the end.
    if (Number(request.headers.get("Content-Length") ?? 0) > MAX_FILE_BYTES + 64 * 1024) {
      return refused("upload", { errors: { file: "imports.file.tooLarge" } }, 413);
    }
    try {
      const handler = unstable_createMemoryUploadHandler({ maxPartSize: MAX_FILE_BYTES });
      formData = await unstable_parseMultipartFormData(request, handler);
    } catch (error) {
      if (error instanceof MaxPartSizeExceededError) {
        return refused("upload", { errors: { file: "imports.file.tooLarge" } }, 413);
      }
      // A cut-off upload, a malformed part header, a file name that is not UTF-8: the browser did not send a form.
      return refused("upload", { errors: { file: "imports.file.unreadableUpload" } }, 400);
    }
  } else {
    formData = await readForm(request);
  }

  if (formData.get("intent") === "commit") {
    const parsed = parseForm(commitSchema, formData);
    if (!parsed.ok) throw notFound();
    const draft = await findDraft({ draftId: parsed.data.draftId, userId: user.id, wardId: ward.id });
    if (!draft) throw notFound();
    if (!kinds.includes(draft.kind)) throw forbidden();
    const result = await commitDraft({ draftId: draft.id, wardId: ward.id, user });
    if (result.ok) {
      const count = importedCount(result.kind, result.counts);
      return redirect(`/units/${ward.id}/import?imported=${count}&kind=${result.kind}`);
    }
    if (result.reason === "notFound") throw notFound();
    if (result.reason === "alreadyCommitted") {
      const time = formatDateTime(await getLocale(request), result.committedAt);
      return refused("commit", { formError: { key: "imports.alreadyCommitted", params: { time } } }, 409);
    }
    if (result.reason === "conflict") {
      return refused("commit", { formError: { key: "imports.commitConflict", params: { line: result.line } } }, 409);
    }
    return refused("commit", { formError: "imports.commitRejected" }, 409);
  }

  const parsed = parseForm(uploadSchema, formData);
  if (!parsed.ok) return refused("upload", { errors: parsed.errors, values: parsed.values });
  const { kind, file } = parsed.data;
  if (!kinds.includes(kind)) throw forbidden();
  const fileName = file.name.normalize("NFC").replaceAll("\u0000", "").slice(0, 200);
  try {
    const sheet = await readImportFile({ kind, fileName, bytes: new Uint8Array(await file.arrayBuffer()) });
    const draftId = await createDraft({ userId: user.id, wardId: ward.id, kind, fileName, sheet });
    return redirect(`/units/${ward.id}/import?draft=${draftId}`);
  } catch (error) {
    if (error instanceof ImportFileError) {
      return refused("upload", { errors: { file: error.userMessage }, values: { kind } }, error.status);
    }
    throw error;
  }
}

export default function ImportPage() {
  const { ward, kinds, kind, draft, notice, templates, trail } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { key } = useLocation();
  const t = useT();
  const showUpload = !draft || (draft.plan !== null && draft.plan.errors.length > 0);
  const uploadRefused = actionData?.intent === "upload" ? actionData : undefined;
  const commitRefused = actionData?.intent === "commit" ? actionData : undefined;
  const uploadKind = isImportKind(uploadRefused?.values.kind) ? uploadRefused.values.kind : kind;
  return (
    <div key={key}>
      <Breadcrumbs items={[...unitCrumbs(trail), { label: t("imports.title") }]} />
      <h1>{t("imports.title")}</h1>
      <Notice message={notice} />
      {notice ? (
        <p className="actions">
          <Link className="button button--secondary" to={`/units/${ward.id}`}>
            {t("imports.viewWard")}
          </Link>
        </p>
      ) : null}
      {draft ? (
        <DraftPreview draft={draft} wardId={ward.id} commitError={commitRefused?.formError} />
      ) : (
        <p className="muted">{t("imports.intro")}</p>
      )}
      {showUpload ? (
        <div className="grid-2">
          <UploadForm
            kinds={kinds}
            defaultKind={uploadKind}
            errors={uploadRefused?.errors}
            formError={uploadRefused?.formError}
          />
          <div>
            <ImportHelp kinds={kinds} openKind={uploadKind} templates={templates} />
          </div>
        </div>
      ) : null}
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  const root = matches.find((m) => m.id === "root")?.data as { locale?: Locale } | undefined;
  const title = translate(root?.locale ?? DEFAULT_LOCALE, "imports.title");
  return [{ title: data ? `${title} — ${data.ward.name} — Phiếu` : "Phiếu" }];
};

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
