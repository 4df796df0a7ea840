// The public board of a published poll (/p/:pollId): no login. The same 404 for a poll that does not exist and one
// that is not published yet. `?receipt=` checks a receipt (a GET: it changes nothing), `?page=` pages the receipts.
import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ballotsFileName } from "~/board/ballots-csv.server";
import { boardHeaders, boardSummary, checkReceipt, listReceipts, requirePublishedPoll } from "~/board/board.server";
import { BoardHeader, BoardResults, CheckReceipt, Download, Invariant, ReceiptList } from "~/board/board-view";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { DEFAULT_LOCALE, type Locale } from "~/i18n/define";
import { loadCatalogs, translate } from "~/i18n/i18n";
import boardMessages from "~/i18n/messages/board";
import paperMessages from "~/i18n/messages/paper";
import pollsMessages from "~/i18n/messages/polls";
import resultsMessages from "~/i18n/messages/results";
import unitsMessages from "~/i18n/messages/units";

loadCatalogs(boardMessages, paperMessages, pollsMessages, resultsMessages, unitsMessages);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const poll = await requirePublishedPoll({ pollId: params.pollId });
  const url = new URL(request.url);
  const typed = url.searchParams.get("receipt");
  const [summary, receipts, check] = await Promise.all([
    boardSummary({ poll }),
    listReceipts({ pollId: poll.id, page: url.searchParams.get("page") }),
    typed === null ? null : checkReceipt({ pollId: poll.id, typed }),
  ]);
  return data(
    {
      poll: {
        id: poll.id,
        title: poll.title,
        kind: poll.kind,
        wardName: poll.wardName,
        unitName: poll.unitName,
        publishedAt: poll.publishedAt,
        tallyHash: poll.tallyHash,
        keyMode: poll.keyMode,
      },
      summary,
      receipts,
      check,
      fileName: ballotsFileName(poll.id),
    },
    { headers: boardHeaders({ request, checking: typed !== null }) }
  );
}

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export default function PublicBoard() {
  const { poll, summary, receipts, check, fileName } = useLoaderData<typeof loader>();
  return (
    <div className="board">
      <BoardHeader poll={poll} />
      <CheckReceipt pollId={poll.id} check={check} />
      <BoardResults summary={summary} />
      <Invariant summary={summary} tallyHash={poll.tallyHash} />
      <Download pollId={poll.id} fileName={fileName} subjects={summary.subjects} levels={summary.levels} />
      <ReceiptList pollId={poll.id} receipts={receipts} mine={check?.result === "counted" ? check.receipt : null} />
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  const locale = (matches.find((m) => m.id === "root")?.data as { locale?: Locale } | undefined)?.locale;
  if (!data) return [{ title: translate(locale ?? DEFAULT_LOCALE, "app.name") }];
  const title = translate(locale ?? DEFAULT_LOCALE, "board.meta.title", { title: data.poll.title });
  // An answer to a receipt check is nobody's business but the asker's: keep it out of search engines.
  return data.check ? [{ title }, { name: "robots", content: "noindex" }] : [{ title }];
};

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
