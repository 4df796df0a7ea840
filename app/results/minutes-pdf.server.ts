// The counting minutes (biên bản kiểm phiếu) as an A4 PDF laid out like an official Vietnamese record: national
// heading, title, numbered sections, one results table that repeats its header row on every page (then the
// ballots per residential group and each subject per group, with the tally's withheld cells as "< k"), and a
// signature block for each member of the counting committee. The font is embedded so that every diacritic prints
// and survives text extraction. A poll with paper ballots beside the online ones also gets each meeting's paper
// count, online, paper and total rows for the ballots and for each subject, and the reconciliation warnings with
// the reasons they were accepted for; a poll without them reads exactly as before.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import PDFDocument from "pdfkit";
import { translate, TIME_ZONE, type Message, type MessageParams } from "~/i18n/i18n";
import type { Locale } from "~/i18n/define";
import { groupTotal, warningMessage } from "./reconcile";
import { flagMessage, formatCount, formatFraction, formatPercent, percent, quorumMet } from "./rules";
import type {
  BallotCounts,
  BreakdownColumn,
  ChannelCounts,
  CountingMinutes,
  Level,
  PollTally,
  SubjectTally,
} from "./tally";

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
    this.warnings();
    this.closing();
    this.signatures();
    this.footers();
  }

  // ---- layout helpers ----

  /** Starts a new page when the next block would not fit on this one. */
  private ensureSpace(height: number) {
    if (this.doc.y + height > BOTTOM) this.doc.addPage();
  }

  private paragraph(
    text: string,
    options: { bold?: boolean; size?: number; align?: "left" | "center"; indent?: number } = {}
  ) {
    const { doc } = this;
    const indent = options.indent ?? 0;
    doc.font(options.bold ? "Bold" : "Regular").fontSize(options.size ?? BODY_SIZE);
    doc.text(text, LEFT + indent, doc.y, { width: WIDTH - indent, align: options.align ?? "left", lineGap: 1.5 });
    doc.moveDown(0.15);
  }

  /** The height a paragraph will take, to keep it with the next one. */
  private heightOf(text: string, options: { bold?: boolean; indent?: number } = {}): number {
    const { doc } = this;
    doc.font(options.bold ? "Bold" : "Regular").fontSize(BODY_SIZE);
    return (
      doc.heightOfString(text, { width: WIDTH - (options.indent ?? 0), lineGap: 1.5 }) + doc.currentLineHeight() * 0.15
    );
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
    if (minutes.keyMode === "server") this.paragraph(this.t("results.minutes.serverKey"));
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
    this.paperEntries();
  }

  /** Each meeting's paper count as the committee entered it; an entry not confirmed is listed but not counted. */
  private paperEntries() {
    const entries = this.minutes.tally.paper ?? [];
    if (entries.length === 0) return;
    this.ensureSpace(80);
    this.doc.moveDown(0.3);
    this.paragraph(this.t("paper.results.entriesTitle"), { bold: true });
    this.doc.moveDown(0.3);
    const figures = [46, 40, 44, 46, 46, 40, 46];
    const status = 76;
    const scope = WIDTH - figures.reduce((sum, w) => sum + w, 0) - status;
    const center = (text: string): Cell => ({ lines: [text], align: "center" });
    new PdfTable(this.doc, [scope, ...figures, status]).draw(
      [
        "paper.col.scope",
        "paper.col.summoned",
        "paper.col.present",
        "paper.results.quorum",
        "paper.col.issued",
        "paper.col.collected",
        "paper.col.valid",
        "paper.col.invalid",
        "paper.col.status",
      ].map((key) => ({ lines: [this.t(key)] })),
      entries.map((entry) => [
        { lines: [entry.unitId === null ? this.t("paper.meeting") : nfc(entry.name)] },
        center(this.count(entry.summoned)),
        center(this.count(entry.present)),
        center(
          entry.quorumMet === null
            ? "—"
            : this.t(entry.quorumMet ? "paper.results.quorumYes" : "paper.results.quorumNo")
        ),
        center(this.count(entry.issued)),
        center(this.count(entry.collected)),
        center(this.count(entry.valid)),
        center(this.count(entry.invalid)),
        {
          lines: [
            entry.confirmed
              ? this.t("paper.results.confirmedYes")
              : { text: this.t("paper.results.confirmedNo"), bold: true },
          ],
        },
      ])
    );
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
    if (hasPaper(tally)) {
      this.ballotsByChannel();
    } else {
      this.paragraph(
        this.t("results.minutes.ballots", {
          collected: this.count(tally.ballots.collected),
          valid: this.count(tally.ballots.valid),
          invalid: this.count(tally.ballots.invalid),
        })
      );
    }
    this.paragraph(this.t("results.minutes.turnout", { percent: formatPercent(this.locale, tally.turnoutPercent) }));
  }

  /** Ballots issued, collected, valid and invalid: online, on paper (confirmed entries only) and in all. */
  private ballotsByChannel() {
    const { tally } = this.minutes;
    const { online, paper } = channelBallots(tally);
    const issued = paperIssued(tally);
    const row = (label: Line, values: number[]): Cell[] => [
      { lines: [label] },
      ...values.map((value): Cell => ({ lines: [this.count(value)], align: "center" })),
    ];
    this.doc.moveDown(0.2);
    const figure = 70;
    new PdfTable(this.doc, [WIDTH - 4 * figure, figure, figure, figure, figure]).draw(
      [
        "results.minutes.col.channel",
        "paper.col.issued",
        "paper.col.collected",
        "paper.col.valid",
        "paper.col.invalid",
      ].map((key) => ({ lines: [this.t(key)] })),
      [
        row(this.t("paper.results.channel.online"), [
          tally.slips.handedOut,
          online.collected,
          online.valid,
          online.invalid,
        ]),
        row(this.t("paper.results.channel.paper"), [issued, paper.collected, paper.valid, paper.invalid]),
        row({ text: this.t("paper.results.channel.total"), bold: true }, [
          tally.slips.handedOut + issued,
          tally.ballots.collected,
          tally.ballots.valid,
          tally.ballots.invalid,
        ]),
      ]
    );
  }

  private results() {
    const { tally } = this.minutes;
    this.section(this.t("results.minutes.section.results"));
    const over =
      // Ballots issued (phiếu phát ra) are the slips handed out to residents, and the paper ballots issued at the
      // meetings: the tally's own "issued" denominator.
      tally.rules.denominator === "issued"
        ? tally.slips.handedOut + paperIssued(tally)
        : tally.rules.denominator === "collected"
        ? tally.ballots.collected
        : 0;
    this.paragraph(this.t(`results.denominator.${tally.rules.denominator}`, { count: this.count(over) }));
    this.paragraph(this.t(hasPaper(tally) ? "results.minutes.channelHint" : "results.minutes.cellHint"), { size: 9.5 });
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
    const paper = hasPaper(tally);
    const figure = paper ? 50 : 62;
    const figures = paper ? 6 : 4;
    const center = (text: string): Cell => ({ lines: [text], align: "center" });
    new PdfTable(this.doc, [index, WIDTH - index - figures * figure, ...Array<number>(figures).fill(figure)]).draw(
      [
        this.t("results.minutes.col.index"),
        this.t("results.groups.group"),
        this.t("results.groups.issued"),
        this.t("results.groups.handedOut"),
        this.t(paper ? "results.minutes.groups.collectedOnline" : "results.groups.collected"),
        this.t("results.groups.turnout"),
        ...(paper ? [this.t("paper.results.groupPaper"), this.t("paper.results.groupTotal")] : []),
      ].map((text) => ({ lines: [text] })),
      tally.groups.map((g, i) => [
        center(String(i + 1)),
        { lines: [nfc(g.name)] },
        center(this.count(g.slipsIssued)),
        center(this.count(g.slipsHandedOut)),
        center(this.cell(g.ballotsCollected, g.suppressed)),
        center(
          g.suppressed || g.ballotsCollected === null || g.slipsHandedOut === 0
            ? "—"
            : formatPercent(this.locale, percent(g.ballotsCollected, g.slipsHandedOut))
        ),
        ...(paper ? this.groupPaperCells(g) : []),
      ])
    );
    if (paper) this.paragraph(this.t("results.minutes.groups.paperHint", { k }), { size: 9.5 });

    const subjects = tally.subjects.filter((s) => s.byGroup && s.byGroup.length > 0);
    if (subjects.length === 0) return;
    this.ensureSpace(80);
    this.doc.moveDown(0.3);
    this.paragraph(this.t("results.byGroup.title"), { bold: true });
    this.paragraph(this.t("results.byGroup.hint", { k }), { size: 9.5 });
    // The tally breaks down only the online ballots by group: a meeting's paper count has no per-group answers.
    if (hasPaper(tally)) this.paragraph(this.t("results.minutes.byGroup.onlineOnly"), { size: 9.5 });
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

  /**
   * A group's confirmed paper ballots ("—" where it has none: not entered, not confirmed, or counted with the whole
   * meeting), then its total, withheld as "< k" where its online figure is.
   */
  private groupPaperCells(group: PollTally["groups"][number]): Cell[] {
    const entries = (this.minutes.tally.paper ?? []).filter((e) => e.unitId === group.unitId && e.confirmed);
    const paper = entries.reduce((sum, e) => sum + e.collected, 0);
    const total = group.totalCollected !== undefined ? group.totalCollected : groupTotal(group, paper);
    return [
      { lines: [entries.length === 0 ? "—" : this.count(paper)], align: "center" },
      { lines: [this.cell(total, total === null)], align: "center" },
    ];
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
    if (hasPaper(this.minutes.tally)) this.paragraph(this.t("results.minutes.invariant.onlineOnly"));
  }

  private complaints() {
    const complaints = this.minutes.complaints?.trim();
    this.section(this.t("results.minutes.section.complaints"));
    this.paragraph(complaints ? nfc(complaints) : this.t("results.minutes.noComplaints"));
  }

  /**
   * Every reconciliation warning in words, with the reason it was accepted for, by whom and when; printed whenever
   * the poll has paper ballots or a warning (a poll with neither reads as it always has).
   */
  private warnings() {
    const { tally } = this.minutes;
    const warnings = tally.warnings ?? [];
    if (!hasPaper(tally) && warnings.length === 0) return;
    const meeting = this.t("paper.meeting");
    const indent = 14;
    const items = warnings.map((warning, index) => {
      const ack = warning.acknowledgement;
      const statement = this.t("results.minutes.warning", {
        index: index + 1,
        text: this.t(warningMessage(warning, tally.rules, meeting)),
      });
      const answer = ack
        ? this.t("results.minutes.warning.accepted", {
            reason: nfc(ack.reason.trim()),
            by: nfc(ack.by),
            time: this.dateTime(new Date(ack.at)),
          })
        : this.t("results.minutes.warning.open");
      const height = this.heightOf(statement) + this.heightOf(answer, { bold: !ack, indent }) + 8;
      return { statement, answer, bold: !ack, height };
    });
    // The heading goes with the first warning, and a warning with its answer.
    this.ensureSpace(40 + (items[0]?.height ?? 0));
    this.section(this.t("results.minutes.section.warnings"));
    if (items.length === 0) this.paragraph(this.t("paper.warnings.none"));
    for (const item of items) {
      this.ensureSpace(item.height);
      this.paragraph(item.statement);
      this.paragraph(item.answer, { bold: item.bold, indent });
    }
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

/**
 * The results table: one row per subject, never split across pages, its header row repeated on each page. With
 * paper ballots each subject's row holds three lines (online, paper, total), the percentages on the total only.
 */
class ResultsTable {
  private readonly levels: Level[];
  private readonly widths: number[];
  private readonly channels: boolean;

  constructor(
    private readonly doc: Doc,
    private readonly minutes: CountingMinutes,
    private readonly t: (message: Message | string, params?: MessageParams) => string
  ) {
    this.levels = minutes.tally.levels;
    this.channels = hasPaper(minutes.tally);
    // A level column holds its longest word ("Confidence") and "100,00%" on one line.
    const index = 28;
    const level = this.levels.length > 2 ? (this.channels ? 52 : 58) : 68;
    const invalid = this.channels ? 50 : 56;
    const flags = this.channels ? 80 : 92;
    const channel = this.channels ? 56 : 0;
    const subject = WIDTH - index - channel - level * this.levels.length - invalid - flags;
    this.widths = [
      index,
      subject,
      ...(this.channels ? [channel] : []),
      ...this.levels.map(() => level),
      invalid,
      flags,
    ];
  }

  draw() {
    const table = new PdfTable(this.doc, this.widths);
    const { subjects } = this.minutes.tally;
    if (!this.channels) {
      table.draw(
        this.headerCells(),
        subjects.map((subject, index) => this.rowCells(subject, index))
      );
      return;
    }
    table.drawBlocks(
      this.headerCells(),
      subjects.map((subject, index) => this.channelBlock(subject, index))
    );
  }

  private headerCells(): Cell[] {
    return [
      { lines: [this.t("results.minutes.col.index")] },
      { lines: [this.t("results.minutes.col.subject")] },
      ...(this.channels ? [{ lines: [this.t("results.minutes.col.channel")] }] : []),
      ...this.levels.map((level) => ({ lines: [this.t(`results.level.${level}`)] })),
      { lines: [this.t("results.minutes.col.invalid")] },
      { lines: [this.t("results.minutes.col.flags")] },
    ];
  }

  private subjectCell(subject: SubjectTally): Cell {
    const { locale, tally, wardName } = this.minutes;
    const position = [subject.title];
    if (subject.unitName && subject.unitName !== wardName && !subject.title.includes(subject.unitName)) {
      position.push(subject.unitName);
    }
    const lines: Line[] = [{ text: nfc(subject.fullName), bold: true }, nfc(position.join(", "))];
    if (tally.rules.denominator === "valid") {
      lines.push(this.t("results.minutes.validFor", { count: formatCount(locale, subject.denominator) }));
    }
    return { lines };
  }

  private flagsCell(subject: SubjectTally): Cell {
    const { tally } = this.minutes;
    return {
      lines: subject.flags.length
        ? subject.flags.map((flag) => ({ text: this.t(flagMessage(tally.kind, flag, tally.rules)), bold: true }))
        : [this.t("results.flag.none")],
    };
  }

  /** Each level's count over its percentage, then the ballots invalid for the subject. */
  private totalCells(subject: SubjectTally): Cell[] {
    const { locale } = this.minutes;
    return [
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
    ];
  }

  private rowCells(subject: SubjectTally, index: number): Cell[] {
    return [
      { lines: [String(index + 1)], align: "center" },
      this.subjectCell(subject),
      ...this.totalCells(subject),
      this.flagsCell(subject),
    ];
  }

  private channelBlock(subject: SubjectTally, index: number): Block {
    const { locale } = this.minutes;
    const { online, paper } = subjectChannels(subject, this.levels);
    const counts = (label: string, channel: ChannelCounts): Cell[] => [
      { lines: [label] },
      ...this.levels.map(
        (level): Cell => ({ lines: [formatCount(locale, channel.counts[level] ?? 0)], align: "center" })
      ),
      { lines: [formatCount(locale, channel.invalid)], align: "center" },
    ];
    return {
      lead: [{ lines: [String(index + 1)], align: "center" }, this.subjectCell(subject)],
      rows: [
        counts(this.t("paper.results.channel.online"), online),
        counts(this.t("paper.results.channel.paper"), paper),
        [{ lines: [{ text: this.t("paper.results.channel.total"), bold: true }] }, ...this.totalCells(subject)],
      ],
      trail: [this.flagsCell(subject)],
    };
  }
}

/**
 * A row of a table that holds lines of its own: `lead` cells span them on the left, `trail` cells on the right,
 * and each of `rows` fills the columns between. A plain row is a block with one row and nothing spanning.
 */
interface Block {
  lead: Cell[];
  rows: Cell[][];
  trail: Cell[];
}

/** A ruled table whose rows never split across pages, its header row repeated on each page. */
class PdfTable {
  constructor(private readonly doc: Doc, private readonly widths: number[]) {}

  draw(header: Cell[], rows: Cell[][]) {
    this.drawBlocks(
      header,
      rows.map((cells) => ({ lead: [], rows: [cells], trail: [] }))
    );
  }

  drawBlocks(header: Cell[], blocks: Block[]) {
    const { doc } = this;
    const headerHeight = this.heightOf(header, 0, "Bold");
    // The header and the first row go together.
    const firstHeight = blocks.length > 0 ? this.layout(blocks[0]).height : 0;
    const drawHeader = () => {
      const top = doc.y;
      this.drawRow(header, 0, top, headerHeight, "Bold", true);
      doc.x = LEFT;
      doc.y = top + headerHeight;
    };
    if (doc.y + headerHeight + firstHeight > BOTTOM) doc.addPage();
    drawHeader();
    for (const block of blocks) {
      const layout = this.layout(block);
      if (doc.y + layout.height > BOTTOM) {
        doc.addPage();
        drawHeader();
      }
      // Drawn left to right, line by line, so that the text reads (and extracts) in the order of the table.
      const top = doc.y;
      this.drawRow(block.lead, 0, top, layout.height, "Regular", false);
      let y = top;
      block.rows.forEach((cells, i) => {
        this.drawRow(cells, block.lead.length, y, layout.rows[i], "Regular", false);
        y += layout.rows[i];
      });
      this.drawRow(block.trail, this.widths.length - block.trail.length, top, layout.height, "Regular", false);
      doc.x = LEFT;
      doc.y = top + layout.height;
    }
    doc.x = LEFT;
    doc.moveDown(0.5);
  }

  /** The height of each of a block's lines; the last one grows when a spanning cell needs more room. */
  private layout(block: Block): { rows: number[]; height: number } {
    const rows = block.rows.map((cells) => this.heightOf(cells, block.lead.length, "Regular"));
    const spanning = Math.max(
      this.heightOf(block.lead, 0, "Regular"),
      this.heightOf(block.trail, this.widths.length - block.trail.length, "Regular")
    );
    const sum = rows.reduce((total, height) => total + height, 0);
    if (spanning > sum && rows.length > 0) rows[rows.length - 1] += spanning - sum;
    return { rows, height: Math.max(sum, spanning) };
  }

  /** The height of a line of cells starting at column `first`. */
  private heightOf(cells: Cell[], first: number, font: "Regular" | "Bold"): number {
    if (cells.length === 0) return 0;
    const { doc } = this;
    let tallest = 0;
    cells.forEach((cell, i) => {
      let height = 0;
      for (const line of cell.lines) {
        const { text, bold } = typeof line === "string" ? { text: line, bold: false } : line;
        doc.font(bold ? "Bold" : font).fontSize(TABLE_SIZE);
        height += doc.heightOfString(text, { width: this.widths[first + i] - 2 * CELL_PAD });
      }
      tallest = Math.max(tallest, height);
    });
    return tallest + 2 * CELL_PAD;
  }

  /** Cells side by side from column `first`, at `y`, each `height` tall. */
  private drawRow(
    cells: Cell[],
    first: number,
    y: number,
    height: number,
    font: "Regular" | "Bold",
    isHeader: boolean
  ) {
    const { doc } = this;
    let x = LEFT + this.widths.slice(0, first).reduce((sum, width) => sum + width, 0);
    cells.forEach((cell, i) => {
      const width = this.widths[first + i];
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
  }
}

type Line = string | { text: string; bold: boolean };
interface Cell {
  lines: Line[];
  align?: "left" | "center";
}

/** The tally has paper ballots: confirmed (the channels are apart) or only entered so far. */
function hasPaper(tally: PollTally): boolean {
  return Boolean(tally.ballots.byChannel) || (tally.paper?.length ?? 0) > 0;
}

/** Paper ballots issued at the meetings whose count is confirmed, the only ones the tally counts. */
function paperIssued(tally: PollTally): number {
  return (tally.paper ?? []).filter((e) => e.confirmed).reduce((sum, e) => sum + e.issued, 0);
}

/** The ballots per channel; with no confirmed paper entry yet, every ballot counted is online. */
function channelBallots(tally: PollTally): { online: BallotCounts; paper: BallotCounts } {
  const { collected, valid, invalid } = tally.ballots;
  return (
    tally.ballots.byChannel ?? { online: { collected, valid, invalid }, paper: { collected: 0, valid: 0, invalid: 0 } }
  );
}

/** A subject's counts per channel, in the same way. */
function subjectChannels(subject: SubjectTally, levels: Level[]): { online: ChannelCounts; paper: ChannelCounts } {
  return (
    subject.byChannel ?? {
      online: { counts: subject.counts, invalid: subject.invalid },
      paper: { counts: Object.fromEntries(levels.map((level) => [level, 0])), invalid: 0 },
    }
  );
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
