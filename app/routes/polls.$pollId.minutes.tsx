// The counting minutes (biên bản kiểm phiếu) as a PDF: the frozen tally once the results are published, the
// current count before that, with the committee, the meeting (summoned, present, quorum) and the complaints.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePermission } from "~/auth/permissions.server";
import { translate } from "~/i18n/i18n";
import { getLocale } from "~/i18n/locale.server";
import { requirePollAccess, resultsPermission } from "~/polls/poll-access.server";
import { getPollDetails, listCommittee } from "~/polls/polls.server";
import { readTally } from "~/polls/publish.server";
import { renderCountingMinutesPdf } from "~/results/minutes-pdf.server";
import { quorumMet } from "~/results/rules";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, poll: found } = await requirePollAccess({ request, params, permission: "poll.read" });
  const locale = await getLocale(request);
  const poll = (await getPollDetails({ pollId: found.id }))!;
  if (poll.status === "draft" || poll.status === "open") {
    throw new Response(translate(locale, "polls.minutes.notYet"), {
      status: 409,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  await requirePermission(user, resultsPermission(poll.status), poll.unit_id);
  const [result, committee] = await Promise.all([readTally({ pollId: poll.id }), listCommittee({ pollId: poll.id })]);
  // A committee-keyed poll closed but not yet counted has no tally: nothing to print until k shares are entered.
  if (!result) {
    throw new Response(translate(locale, "polls.keyMode.awaitingShares"), {
      status: 409,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const { tally, hash } = result;
  const pdf = await renderCountingMinutesPdf({
    locale,
    wardName: poll.ward_name,
    unitName: poll.unit_name,
    pollTitle: poll.title,
    kind: poll.kind,
    place: poll.place,
    openedAt: poll.opened_at,
    closedAt: poll.closed_at,
    countedAt: poll.counted_at ?? poll.closed_at ?? new Date(),
    committee: committee.map((m) => ({ fullName: m.full_name, role: m.role })),
    summoned: poll.summoned,
    present: poll.present,
    quorumMet: quorumMet(poll.summoned, poll.present, tally.rules.quorum),
    tally,
    complaints: poll.complaints,
    tallyHash: hash,
    keyMode: poll.key_mode,
  });
  return new Response(new Uint8Array(pdf), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="bien-ban-kiem-phieu-${poll.id}.pdf"`,
      "Content-Length": String(pdf.byteLength),
      "Cache-Control": "no-store, private, max-age=0",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
