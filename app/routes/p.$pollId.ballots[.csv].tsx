// The anonymized answers of a published poll as CSV (/p/:pollId/ballots.csv), each subject's column shuffled on its
// own, for anyone to recount: no login, the same 404 as the board for a poll that is not published. The format is
// described in docs/recount.md.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { ballotsCsv, ballotsFileName } from "~/board/ballots-csv.server";
import { requirePublishedPoll } from "~/board/board.server";

export async function loader({ params }: LoaderFunctionArgs) {
  const poll = await requirePublishedPoll({ pollId: params.pollId });
  const csv = await ballotsCsv({ poll });
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${ballotsFileName(poll.id)}"`,
      // The same figures for everyone, frozen since publication; only the order within each column changes from one
      // download to the next, so a cached copy is as good as a new one.
      "Cache-Control": "public, max-age=60",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
