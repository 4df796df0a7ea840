// The counting minutes (biên bản kiểm phiếu) as an A4 PDF laid out like an official Vietnamese record: national
// heading, title, numbered sections, one results table that repeats its header row on every page (then the
// ballots per residential group and each subject per group, with the tally's withheld cells as "< k"), and a
// signature block for each member of the counting committee. The font is embedded so that every diacritic prints
// and survives text extraction.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import PDFDocument from "pdfkit";
import { translate, TIME_ZONE, type Message, type MessageParams } from "~/i18n/i18n";
import type { Locale } from "~/i18n/define";
import { flagMessage, formatCount, formatFraction, formatPercent, percent, quorumMet } from "./rules";
import type { BreakdownColumn, CountingMinutes, Level, SubjectTally } from "./tally";

type Doc = PDFKit.PDFDocument;

const MM = 72 / 25.4;
const PAGE = { width: 595.28, height: 841.89 };
// Margins of Vietnamese administrative documents: 30 mm left for binding, 15 mm right, 20 mm top and bottom.
const MARGIN = { top: 20 * MM, bottom: 22 * MM, left: 30 * MM, right: 15 * MM };
const LEFT = MARGIN.left;
const WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const BOTTOM = PAGE.height - MARGIN.bottom;
const BODY_SIZE = 11;
const TABLE_SIZE = 8.5;
const CELL_PAD = 4;

let fonts: { regularPath: string; regular: Buffer; bold: Buffer } | null = null;
function loadFonts() {
  if (!fonts) {
    const require = createRequire(import.meta.url);
    const path = (weight: string) =>
      require.resolve(`@expo-google-fonts/be-vietnam-pro/${weight}/BeVietnamPro_${weight}.ttf`);
    const regularPath = path("400Regular");
    fonts = { regularPath, regular: readFileSync(regularPath), bold: readFileSync(path("700Bold")) };
  }
  return fonts;
}

export function renderCountingMinutesPdf(minutes: CountingMinutes): Promise<Buffer> {
  const { regularPath, regular, bold } = loadFonts();
  const doc = new PDFDocument({
    size: "A4",
    margins: MARGIN,
    bufferPages: true,
    // The default font too, so that pdfkit never loads Helvetica (which has no Vietnamese).
    font: regularPath,
    lang: minutes.locale === "vi" ? "vi-VN" : "en-GB",
    info: { Title: nfc(minutes.pollTitle), Creator: "Phiếu" },
  });
  doc.registerFont("Regular", regular);
  doc.registerFont("Bold", bold);

  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  new MinutesWriter(doc, minutes).write();
  doc.end();
  return done;
}

function nfc(value: string): string {
  return value.normalize("NFC");
}

class MinutesWriter {
  private readonly locale: Locale;
  private readonly hash: string;

  constructor(private readonly doc: Doc, private readonly minutes: CountingMinutes) {
    this.locale = minutes.locale;
    this.hash = shortHash(minutes.tallyHash);
  }

  private t(message: Message | string, params?: MessageParams): string {
    return nfc(translate(this.locale, message, params));
  }

  private count(value: number): string {
    return formatCount(this.locale, value);
  }

  write() {
    this.heading();
    this.timeAndPlace();
    this.committee();
    this.attendance();
    this.ballots();
    this.results();
    this.reconciliation();
    this.complaints();
    this.closing();
    this.signatures();
    this.footers();
  }

  // ---- layout helpers ----

  /** Starts a new page when the next block would not fit on this one. */
  private ensureSpace(height: number) {
    if (this.doc.y + height > BOTTOM) this.doc.addPage();
  }

  private paragraph(text: string, options: { bold?: boolean; size?: number; align?: "left" | "center" } = {}) {
    const { doc } = this;
    doc.font(options.bold ? "Bold" : "Regular").fontSize(options.size ?? BODY_SIZE);
    doc.text(text, LEFT, doc.y, { width: WIDTH, align: options.align ?? "left", lineGap: 1.5 });
    doc.moveDown(0.15);
  }

  private section(title: string) {
    const { doc } = this;
    // A heading never ends a page on its own.
    this.ensureSpace(60);
    doc.moveDown(0.5);
    this.paragraph(title, { bold: true });
  }

  private dateTime(value: Date | null): string {
    if (!value) return this.t("results.minutes.notRecorded");
    return this.t("results.minutes.dateTime", dateParts(value, this.locale));
  }

  // ---- the record ----

  private heading() {
    const { doc, minutes } = this;
    const top = MARGIN.top;
    const leftWidth = WIDTH * 0.42;
    const rightX = LEFT + leftWidth;
    const rightWidth = WIDTH - leftWidth;

    // Left: the organizing unit and the committee.
    const upper = (value: string) => nfc(value).toLocaleUpperCase(this.locale === "vi" ? "vi-VN" : "en-GB");
    doc.font("Regular").fontSize(10);
    let leftY = top;
    const units = [minutes.wardName];
    if (minutes.unitName && minutes.unitName !== minutes.wardName) units.push(minutes.unitName);
    for (const name of units) {
      doc.text(upper(name), LEFT, leftY, { width: leftWidth, align: "center" });
      leftY = doc.y;
    }
    doc.font("Bold").fontSize(10);
    doc.text(this.t("results.minutes.committeeHeading"), LEFT, leftY, { width: leftWidth, align: "center" });
    leftY = doc.y + 2;
    rule(doc, LEFT + leftWidth / 2 - 30, leftY, 60);

    // Right: the national heading, its motto underlined, then the place and date.
    doc.font("Bold").fontSize(10.5);
    doc.text(this.t("results.minutes.country"), rightX, top, { width: rightWidth, align: "center" });
    doc.font("Bold").fontSize(11);
    const motto = this.t("results.minutes.motto");
    doc.text(motto, rightX, doc.y, { width: rightWidth, align: "center" });
    const mottoWidth = doc.widthOfString(motto);
    rule(doc, rightX + (rightWidth - mottoWidth) / 2, doc.y + 2, mottoWidth);
    doc.font("Regular").fontSize(10.5);
    const { day, month, year } = dateParts(minutes.countedAt, this.locale);
    doc.text(
      this.t("results.minutes.placeDate", { place: nfc(minutes.wardName), day, month, year }),
      rightX,
      doc.y + 8,
      { width: rightWidth, align: "center" }
    );

    doc.y = Math.max(doc.y, leftY) + 24;
    this.paragraph(this.t("results.minutes.title"), { bold: true, size: 15, align: "center" });
    this.paragraph(
      this.t("results.minutes.subtitle", {
        kind: this.t(`results.kind.${minutes.kind}`),
        title: nfc(minutes.pollTitle),
      }),
      { bold: true, size: 12, align: "center" }
    );
    doc.moveDown(0.5);
  }

  private timeAndPlace() {
    const { minutes } = this;
    this.section(this.t("results.minutes.section.time"));
    this.paragraph(this.t("results.minutes.unit", { unit: nfc(minutes.unitName || minutes.wardName) }));
    this.paragraph(this.t("results.minutes.place", { place: nfc(minutes.place) }));
    this.paragraph(this.t("results.minutes.opened", { time: this.dateTime(minutes.openedAt) }));
    this.paragraph(this.t("results.minutes.closed", { time: this.dateTime(minutes.closedAt) }));
    this.paragraph(this.t("results.minutes.counted", { time: this.dateTime(minutes.countedAt) }));
  }

  private committee() {
    const { minutes } = this;
    this.section(this.t("results.minutes.section.committee"));
    if (minutes.committee.length === 0) this.paragraph(this.t("results.minutes.noCommittee"));
    minutes.committee.forEach((member, index) =>
      this.paragraph(
        this.t("results.minutes.member", { index: index + 1, name: nfc(member.fullName), role: nfc(member.role) })
      )
    );
  }

  private attendance() {
    const { minutes } = this;
    const { summoned, present } = minutes;
    const notRecorded = this.t("results.minutes.notRecorded");
    this.section(this.t("results.minutes.section.attendance"));
    this.paragraph(
      this.t("results.minutes.summoned", { count: summoned == null ? notRecorded : this.count(summoned) })
    );
    if (present != null && summoned != null && summoned > 0) {
      this.paragraph(
        this.t("results.minutes.presentShare", {
          count: this.count(present),
          percent: formatPercent(this.locale, percent(present, summoned)),
        })
      );
    } else {
      this.paragraph(this.t("results.minutes.present", { count: present == null ? notRecorded : this.count(present) }));
    }
    const met = minutes.quorumMet ?? quorumMet(summoned, present, minutes.tally.rules.quorum);
    const threshold = formatFraction(minutes.tally.rules.quorum);
    const key =
      met === null
        ? "results.minutes.quorum.unknown"
        : met
        ? "results.minutes.quorum.met"
        : "results.minutes.quorum.notMet";
    this.paragraph(this.t(key, { threshold }), { bold: met === false });
  }

  private ballots() {
    const { tally } = this.minutes;
    this.section(this.t("results.minutes.section.ballots"));
    this.paragraph(
      this.t("results.minutes.slips", {
        issued: this.count(tally.slips.issued),
        handedOut: this.count(tally.slips.handedOut),
        used: this.count(tally.slips.used),
        voided: this.count(tally.slips.voided),
      })
    );
    this.paragraph(
      this.t("results.minutes.ballots", {
        collected: this.count(tally.ballots.collected),
        valid: this.count(tally.ballots.valid),
        invalid: this.count(tally.ballots.invalid),
      })
    );
    this.paragraph(this.t("results.minutes.turnout", { percent: formatPercent(this.locale, tally.turnoutPercent) }));
  }

  private results() {
    const { tally } = this.minutes;
    this.section(this.t("results.minutes.section.results"));
    const over =
      // Ballots issued (phiếu phát ra) are the slips handed out to residents: the tally's own "issued" denominator.
      tally.rules.denominator === "issued"
        ? tally.slips.handedOut
        : tally.rules.denominator === "collected"
        ? tally.ballots.collected
        : 0;
    this.paragraph(this.t(`results.denominator.${tally.rules.denominator}`, { count: this.count(over) }));
    this.paragraph(this.t("results.minutes.cellHint"), { size: 9.5 });
    this.doc.moveDown(0.3);
    new ResultsTable(this.doc, this.minutes, (m, p) => this.t(m, p)).draw();
    this.groups();
  }

  /** "< k" for a withheld cell: the tally holds no figure for it. */
  private cell(value: number | null, suppressed: boolean): string {
    return suppressed || value === null
      ? this.t("results.belowK", { k: this.minutes.tally.rules.k })
      : this.count(value);
  }

  /** Ballots per residential group, then each subject per group, with the cells under k withheld. */
  private groups() {
    const { tally } = this.minutes;
    if (tally.groups.length === 0) return;
    const k = tally.rules.k;
    this.ensureSpace(80);
    this.paragraph(this.t("results.minutes.groups.title"), { bold: true });
    this.paragraph(this.t("results.groups.hint", { k }), { size: 9.5 });
    this.doc.moveDown(0.3);
    const index = 28;
    const figure = 62;
    new PdfTable(this.doc, [index, WIDTH - index - 4 * figure, figure, figure, figure, figure]).draw(
      [
        this.t("results.minutes.col.index"),
        this.t("results.groups.group"),
        this.t("results.groups.issued"),
        this.t("results.groups.handedOut"),
        this.t("results.groups.collected"),
        this.t("results.groups.turnout"),
      ].map((text) => ({ lines: [text] })),
      tally.groups.map((g, i) => [
        { lines: [String(i + 1)], align: "center" },
        { lines: [nfc(g.name)] },
        { lines: [this.count(g.slipsIssued)], align: "center" },
        { lines: [this.count(g.slipsHandedOut)], align: "center" },
        { lines: [this.cell(g.ballotsCollected, g.suppressed)], align: "center" },
        {
          lines: [
            g.suppressed || g.ballotsCollected === null || g.slipsHandedOut === 0
              ? "—"
              : formatPercent(this.locale, percent(g.ballotsCollected, g.slipsHandedOut)),
          ],
          align: "center",
        },
      ])
    );

    const subjects = tally.subjects.filter((s) => s.byGroup && s.byGroup.length > 0);
    if (subjects.length === 0) return;
    this.ensureSpace(80);
    this.doc.moveDown(0.3);
    this.paragraph(this.t("results.byGroup.title"), { bold: true });
    this.paragraph(this.t("results.byGroup.hint", { k }), { size: 9.5 });
    const columns: BreakdownColumn[] = [...tally.levels, "invalid"];
    const level = tally.levels.length > 2 ? 58 : 68;
    const widths = [WIDTH - level * columns.length, ...columns.map(() => level)];
    subjects.forEach((subject, i) => {
      this.ensureSpace(70);
      this.doc.moveDown(0.3);
      this.paragraph(
        this.t("results.byGroup.subject", { index: i + 1, name: nfc(subject.fullName), title: nfc(subject.title) }),
        { size: 10 }
      );
      new PdfTable(this.doc, widths).draw(
        [
          { lines: [this.t("results.groups.group")] },
          ...columns.map((column) => ({ lines: [this.t(`results.level.${column}`)] })),
        ],
        subject.byGroup!.map((row) => [
          { lines: [nfc(row.name)] },
          ...columns.map(
            (column): Cell => ({
              lines: [this.cell(row.cells[column]?.count ?? null, row.cells[column]?.suppressed ?? true)],
              align: "center",
            })
          ),
        ])
      );
    });
  }

  private reconciliation() {
    const { invariant } = this.minutes.tally;
    this.section(this.t("results.minutes.section.invariant"));
    this.paragraph(
      this.t("results.minutes.invariant", {
        receipts: this.count(invariant.receipts),
        used: this.count(invariant.credentialsUsed),
        counted: this.count(invariant.ballotsCounted),
      })
    );
    const holds =
      invariant.holds &&
      invariant.receipts === invariant.credentialsUsed &&
      invariant.credentialsUsed === invariant.ballotsCounted;
    this.paragraph(this.t(holds ? "results.minutes.invariant.holds" : "results.minutes.invariant.broken"), {
      bold: !holds,
    });
  }

  private complaints() {
    const complaints = this.minutes.complaints?.trim();
    this.section(this.t("results.minutes.section.complaints"));
    this.paragraph(complaints ? nfc(complaints) : this.t("results.minutes.noComplaints"));
  }

  private closing() {
    this.doc.moveDown(0.5);
    this.ensureSpace(40);
    this.paragraph(this.t("results.minutes.hash", { hash: this.hash || this.t("results.minutes.notRecorded") }));
    this.paragraph(this.t("results.minutes.closing", { time: this.dateTime(this.minutes.countedAt) }));
  }

  private signatures() {
    const { doc, minutes } = this;
    const perRow = 2;
    const blockWidth = WIDTH / perRow;
    const blockHeight = 110;
    doc.moveDown(1);
    for (let start = 0; start < minutes.committee.length; start += perRow) {
      this.ensureSpace(blockHeight);
      const y = doc.y;
      const row = minutes.committee.slice(start, start + perRow);
      row.forEach((member, column) => {
        // A member alone on the last row signs in the middle.
        const x = row.length === 1 && start > 0 ? LEFT + (WIDTH - blockWidth) / 2 : LEFT + column * blockWidth;
        const role = nfc(member.role).toLocaleUpperCase(this.locale === "vi" ? "vi-VN" : "en-GB");
        doc.font("Bold").fontSize(10.5).text(role, x, y, { width: blockWidth, align: "center" });
        doc.font("Regular").fontSize(9.5).text(this.t("results.minutes.sign"), x, doc.y, {
          width: blockWidth,
          align: "center",
        });
        doc
          .font("Bold")
          .fontSize(10.5)
          .text(nfc(member.fullName), x, y + blockHeight - 30, {
            width: blockWidth,
            align: "center",
          });
      });
      doc.x = LEFT;
      doc.y = y + blockHeight;
    }
  }

  private footers() {
    const { doc } = this;
    const range = doc.bufferedPageRange();
    for (let index = range.start; index < range.start + range.count; index++) {
      doc.switchToPage(index);
      // Writing inside the bottom margin would otherwise start a new page.
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc
        .font("Regular")
        .fontSize(8)
        .fillColor("#555555")
        .text(
          this.t("results.minutes.footer", {
            hash: this.hash || "—",
            page: index - range.start + 1,
            pages: range.count,
          }),
          LEFT,
          PAGE.height - MARGIN.bottom + 14,
          { width: WIDTH, align: "center", lineBreak: false }
        );
      doc.fillColor("black");
      doc.page.margins.bottom = bottom;
    }
  }
}

/** The results table: one row per subject, never split across pages, its header row repeated on each page. */
class ResultsTable {
  private readonly levels: Level[];
  private readonly widths: number[];

  constructor(
    private readonly doc: Doc,
    private readonly minutes: CountingMinutes,
    private readonly t: (message: Message | string, params?: MessageParams) => string
  ) {
    this.levels = minutes.tally.levels;
    // A level column holds its longest word ("Confidence") and "100,00%" on one line.
    const index = 28;
    const level = this.levels.length > 2 ? 58 : 68;
    const invalid = 56;
    const flags = 92;
    const subject = WIDTH - index - level * this.levels.length - invalid - flags;
    this.widths = [index, subject, ...this.levels.map(() => level), invalid, flags];
  }

  draw() {
    new PdfTable(this.doc, this.widths).draw(
      this.headerCells(),
      this.minutes.tally.subjects.map((subject, index) => this.rowCells(subject, index))
    );
  }

  private headerCells(): Cell[] {
    return [
      { lines: [this.t("results.minutes.col.index")] },
      { lines: [this.t("results.minutes.col.subject")] },
      ...this.levels.map((level) => ({ lines: [this.t(`results.level.${level}`)] })),
      { lines: [this.t("results.minutes.col.invalid")] },
      { lines: [this.t("results.minutes.col.flags")] },
    ];
  }

  private rowCells(subject: SubjectTally, index: number): Cell[] {
    const { locale, tally, wardName } = this.minutes;
    const position = [subject.title];
    if (subject.unitName && subject.unitName !== wardName && !subject.title.includes(subject.unitName)) {
      position.push(subject.unitName);
    }
    const subjectLines: Line[] = [{ text: nfc(subject.fullName), bold: true }, nfc(position.join(", "))];
    if (tally.rules.denominator === "valid") {
      subjectLines.push(this.t("results.minutes.validFor", { count: formatCount(locale, subject.denominator) }));
    }
    const flags = subject.flags.length
      ? subject.flags.map((flag) => ({ text: this.t(flagMessage(tally.kind, flag, tally.rules)), bold: true }))
      : [this.t("results.flag.none")];
    return [
      { lines: [String(index + 1)], align: "center" },
      { lines: subjectLines },
      ...this.levels.map(
        (level): Cell => ({
          lines: [
            formatCount(locale, subject.counts[level] ?? 0),
            formatPercent(locale, subject.percentages[level] ?? 0),
          ],
          align: "center",
        })
      ),
      { lines: [formatCount(locale, subject.invalid)], align: "center" },
      { lines: flags },
    ];
  }
}

/** A ruled table whose rows never split across pages, its header row repeated on each page. */
class PdfTable {
  constructor(private readonly doc: Doc, private readonly widths: number[]) {}

  draw(header: Cell[], rows: Cell[][]) {
    const { doc } = this;
    const headerHeight = this.heightOf(header, "Bold");
    // The header and the first row go together.
    const firstHeight = rows.length > 0 ? this.heightOf(rows[0], "Regular") : 0;
    if (doc.y + headerHeight + firstHeight > BOTTOM) doc.addPage();
    this.drawRow(header, headerHeight, "Bold", true);
    for (const cells of rows) {
      const height = this.heightOf(cells, "Regular");
      if (doc.y + height > BOTTOM) {
        doc.addPage();
        this.drawRow(header, headerHeight, "Bold", true);
      }
      this.drawRow(cells, height, "Regular", false);
    }
    doc.x = LEFT;
    doc.moveDown(0.5);
  }

  private heightOf(cells: Cell[], font: "Regular" | "Bold"): number {
    const { doc } = this;
    let tallest = 0;
    cells.forEach((cell, column) => {
      let height = 0;
      for (const line of cell.lines) {
        const { text, bold } = typeof line === "string" ? { text: line, bold: false } : line;
        doc.font(bold ? "Bold" : font).fontSize(TABLE_SIZE);
        height += doc.heightOfString(text, { width: this.widths[column] - 2 * CELL_PAD });
      }
      tallest = Math.max(tallest, height);
    });
    return tallest + 2 * CELL_PAD;
  }

  private drawRow(cells: Cell[], height: number, font: "Regular" | "Bold", isHeader: boolean) {
    const { doc } = this;
    const y = doc.y;
    let x = LEFT;
    cells.forEach((cell, column) => {
      const width = this.widths[column];
      if (isHeader) doc.rect(x, y, width, height).fillColor("#eeeeee").fill();
      doc.rect(x, y, width, height).lineWidth(0.5).strokeColor("#333333").stroke();
      doc.fillColor("black");
      let lineY = y + CELL_PAD;
      for (const line of cell.lines) {
        const { text, bold } = typeof line === "string" ? { text: line, bold: false } : line;
        doc.font(bold ? "Bold" : font).fontSize(TABLE_SIZE);
        doc.text(text, x + CELL_PAD, lineY, {
          width: width - 2 * CELL_PAD,
          align: isHeader ? "center" : cell.align ?? "left",
        });
        lineY = doc.y;
      }
      x += width;
    });
    doc.x = LEFT;
    doc.y = y + height;
  }
}

type Line = string | { text: string; bold: boolean };
interface Cell {
  lines: Line[];
  align?: "left" | "center";
}

function rule(doc: Doc, x: number, y: number, width: number) {
  doc
    .moveTo(x, y)
    .lineTo(x + width, y)
    .lineWidth(0.7)
    .strokeColor("black")
    .stroke();
}

/** The tally hash as people compare it aloud: its first 16 hex digits in groups of 4. */
function shortHash(hash: string): string {
  const hex = hash.replace(/[^0-9a-f]/gi, "").toLowerCase();
  return (hex.slice(0, 16).match(/.{1,4}/g) ?? []).join(" ");
}

/**
 * Date and time in Asia/Ho_Chi_Minh. Vietnamese records write the day with two digits below 10 and the months
 * January and February as 01 and 02 ("ngày 05 tháng 3 năm 2026"); English uses dd/mm/yyyy.
 */
function dateParts(value: Date, locale: Locale) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: TIME_ZONE,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(value);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((part) => part.type === type)?.value ?? "";
  const day = Number(get("day"));
  const month = Number(get("month"));
  const pad = (n: number) => String(n).padStart(2, "0");
  return {
    day: pad(day),
    month: locale === "vi" && month > 2 ? String(month) : pad(month),
    year: get("year"),
    hour: get("hour"),
    minute: get("minute"),
  };
}
