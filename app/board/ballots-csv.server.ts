// The anonymized answers of a published poll as one CSV file anyone can recount (docs/recount.md,
// scripts/recount.ts): lines starting with "#" say what the columns and codes mean, then "STT,Người 1,…,Người n",
// then as many rows as ballots counted: a row number and one level code per subject.
// A row is not a ballot: each subject's column is shuffled on its own, so a column holds exactly that subject's
// answers (its counts are the published ones) while a row pairs answers from different ballots. A whole ballot
// would be an answer pattern, and someone who told a voter to mark an unusual pattern could look for it here.
// No residential group either, not even with each column shuffled within its group: the board publishes totals
// per subject (and per channel) only, so no per-group recount is promised, and a group column would tie answers
// to a group again and give per-group counts past the suppression of small cells (DESIGN.md, Anonymity model 6).
// No receipt, no ballot number, no time. The file is always in Vietnamese: it is the official record, and the
// recount script reads its labels.
import { shuffle } from "~/ballots/shuffle";
import { db } from "~/db.server";
import { translate, type Message, type MessageParams } from "~/i18n/i18n";
import type { BoardPoll } from "./board.server";

const vi = (message: Message, params?: MessageParams) => translate("vi", message, params);

/** One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function field(value: string): string {
  const line = value.replace(/[\r\n]+/g, " ");
  return /[",]/.test(line) ? `"${line.replace(/"/g, '""')}"` : line;
}

export async function ballotsCsv({ poll }: { poll: BoardPoll }): Promise<string> {
  const [subjects, ballots] = await Promise.all([
    db
      .selectFrom("poll_subjects")
      .select(["full_name", "title"])
      .where("poll_id", "=", poll.id)
      .orderBy("sort_order")
      .execute(),
    db.selectFrom("counted_ballots").select("levels").where("poll_id", "=", poll.id).execute(),
  ]);
  // Shuffled afresh for each download, from nothing stored or published (a shuffle seeded by, say, the tally hash
  // could be undone by anyone). Downloads taken together still show no more than each column's answers: every one
  // is an independent shuffle of the same columns.
  const columns = subjects.map((_, s) => shuffle(ballots.map((b) => Number(b.levels[s]))));
  const comments = [
    vi("board.csv.intro"),
    vi("board.csv.poll", { title: poll.title }),
    vi("board.csv.ward", { ward: poll.unitName ? `${poll.wardName}, ${poll.unitName}` : poll.wardName }),
    vi("board.csv.kind", { kind: vi(`results.kind.${poll.kind}`) }),
    vi("board.csv.hash", { hash: poll.tallyHash }),
    ...subjects.map((s, i) => vi("board.csv.subject", { index: i + 1, name: s.full_name, title: s.title })),
    vi("board.csv.level", { code: 0, level: vi("board.csv.blank") }),
    ...poll.tally.levels.map((level, i) => vi("board.csv.level", { code: i + 1, level: vi(`results.level.${level}`) })),
    vi("board.csv.howTo"),
  ];
  const header = [vi("board.csv.index"), ...subjects.map((_, i) => vi("board.csv.column", { index: i + 1 }))];
  const lines = [
    ...comments.map((text) => field(`# ${text}`)),
    header.map(field).join(","),
    ...ballots.map((_, i) => [i + 1, ...columns.map((column) => column[i])].join(",")),
  ];
  // The byte order mark lets spreadsheet programs read the Vietnamese text as UTF-8.
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

export function ballotsFileName(pollId: number): string {
  return `phieu-da-kiem-${pollId}.csv`;
}
