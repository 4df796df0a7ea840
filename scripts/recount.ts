// Recounts the anonymized ballots of a published poll, downloaded from its public board (/p/<id>/ballots.csv).
// Stand-alone on purpose: it uses nothing but Node.js, so anyone can read all of it before trusting its answer.
// The file holds the online ballots only. Where the poll had paper ballots too, the board shows per subject the
// online line, the paper line (the counting committee's confirmed count of each meeting) and their total: this
// recount is to equal the online line, and its percentages are of the online ballots, not the board's.
//   npx tsx scripts/recount.ts ballots.csv          the counts and percentages, per subject
//   npx tsx scripts/recount.ts ballots.csv --json   the same, as JSON
// The file: lines starting with "#" describe it ("# Người 1: name", "# Mức 1: level"); then a header row
// "STT,Người 1,…,Người n"; then as many rows as ballots counted: a row number, then one code per subject (0 = blank).
// Each subject's column is shuffled on its own, so a row is not a ballot: it pairs answers from different ballots.
// A column still holds exactly one answer from every ballot to its subject, so the count of each code in a column
// is that subject's published count, and that is all this script counts; it never reads a row as a whole.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

export interface SubjectRecount {
  column: string;
  name: string | null;
  /** counts[code]: the ballots that gave this subject that code (0 = blank). */
  counts: number[];
  /** percentages[code]: over all ballots of the file, rounded half up to 2 decimals. */
  percentages: number[];
}

export interface Recount {
  /** What the file holds and so what is recounted: the online ballots, never the paper ones. */
  channel: "online";
  /** The rows of the file: as many as ballots counted, though no row is a ballot. */
  ballots: number;
  /** levels[code]: the name the file gives each code, or null. */
  levels: (string | null)[];
  subjects: SubjectRecount[];
}

/** Splits CSV text into rows of fields (RFC 4180: a field in double quotes may hold commas, and "" stands for "). */
function parseCsv(text: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  const endRow = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== "") rows.push({ line, fields });
    fields = [];
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted) {
      field += c;
    } else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n") {
      endRow();
      line++;
    } else if (c !== "\r") {
      field += c;
    }
  }
  endRow();
  return rows;
}

/** The same rounding as the published results: count / total × 100, half up, 2 decimals, in exact integers. */
export function percent(count: number, total: number): number {
  return total > 0 ? Math.floor((count * 20_000 + total) / (2 * total)) / 100 : 0;
}

export function recount(text: string): Recount {
  const names = new Map<number, string>();
  const levels: (string | null)[] = [];
  let header: string[] | null = null;
  const columns: number[][] = [];
  for (const { line, fields: row } of parseCsv(text.replace(/^\uFEFF/, "").normalize("NFC"))) {
    if (row[0].startsWith("#")) {
      const described = /^#\s*(Người|Mức)\s+(\d+):\s*(.*)$/u.exec(row[0]);
      if (described?.[1] === "Người") names.set(Number(described[2]), described[3]);
      if (described?.[1] === "Mức") levels[Number(described[2])] = described[3];
      continue;
    }
    if (!header) {
      header = row;
      for (let s = 1; s < header.length; s++) columns.push([]);
      continue;
    }
    if (row.length !== header.length) throw new Error(`Dòng ${line}: cần ${header.length} cột, có ${row.length}.`);
    for (let s = 1; s < row.length; s++) {
      const code = row[s].trim();
      const known = levels.length === 0 || Number(code) < levels.length;
      if (!/^\d+$/.test(code) || !known) throw new Error(`Dòng ${line}, cột ${header[s]}: mã "${code}" không hợp lệ.`);
      columns[s - 1].push(Number(code));
    }
  }
  if (!header) throw new Error("Tệp không có dòng tiêu đề (STT,Người 1,…).");
  const ballots = columns[0]?.length ?? 0;
  let codes = Math.max(levels.length, 1);
  for (const answers of columns) for (const code of answers) codes = Math.max(codes, code + 1);
  for (let code = 0; code < codes; code++) levels[code] ??= null;
  const subjects = columns.map((answers, s) => {
    const counts: number[] = Array.from({ length: codes }, () => 0);
    for (const code of answers) counts[code]++;
    const column = header![s + 1];
    const name = names.get(Number(/\d+/.exec(column)?.[0])) ?? null;
    return { column, name, counts, percentages: counts.map((n) => percent(n, ballots)) };
  });
  return { channel: "online", ballots, levels, subjects };
}

function print(result: Recount) {
  console.log(`Số phiếu trực tuyến (online ballots): ${result.ballots}`);
  console.log(
    "Tệp chỉ gồm phiếu trực tuyến. Nếu cuộc lấy phiếu có cả phiếu giấy, hãy so các số dưới đây với dòng " +
      "“Trực tuyến” trên bảng công khai; tỷ lệ ở đây tính trên số phiếu trực tuyến."
  );
  console.log("Mỗi cột được trộn riêng: một dòng không phải là một lá phiếu, nên chỉ đếm theo từng cột.");
  for (const subject of result.subjects) {
    console.log(`\n${subject.column}${subject.name ? `: ${subject.name}` : ""}`);
    for (let code = 1; code <= subject.counts.length; code++) {
      const c = code % subject.counts.length; // the levels first, blanks (code 0) last
      const label = result.levels[c] ?? (c === 0 ? "Để trống" : `Mức ${c}`);
      const share = String(subject.percentages[c]).replace(".", ","); // 33,33%, as the results are written
      console.log(`  ${c}  ${label}: ${subject.counts[c]} (${share}%)`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, flag] = process.argv.slice(2);
  if (!file) {
    console.error("Cách dùng: npx tsx scripts/recount.ts <tệp phiếu .csv> [--json]");
    process.exit(2);
  }
  try {
    const result = recount(readFileSync(file, "utf8"));
    if (flag === "--json") console.log(JSON.stringify(result, null, 2));
    else print(result);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
