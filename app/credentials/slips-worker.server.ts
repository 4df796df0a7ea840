// The drawing of QR slips, written so that it can run in a worker thread as well as in the calling thread.
//
// Why the worker receives this function's source instead of a file to load: the server runs TypeScript through tsx,
// tests run through vitest, and in production this module is bundled into build/index.js, where no path to a
// worker file next to it survives (`new Worker(new URL(..., import.meta.url))` points into build/). So
// `createSlipsRenderer` refers to nothing outside itself — the libraries come in as an argument, the slips arrive
// already formatted and translated — and the worker is started with `eval: true` on its source plus a short
// prelude that requires the libraries by the absolute paths the calling thread resolved. The one helper a
// transpiler adds to such a function is esbuild's `__name` (tsx compiles with keepNames): the prelude defines it.
// A build that both minified and kept names would rename that helper; Remix's server build does neither (it only
// minifies syntax). The tests run the worker under vitest and under tsx.
import type PDFDocument from "pdfkit";
import type { create as createQrCode } from "qrcode";
import type { strToU8, zipSync } from "fflate";

export interface SlipsLibraries {
  PDFDocument: typeof PDFDocument;
  QRCode: { create: typeof createQrCode };
  fflate: { zipSync: typeof zipSync; strToU8: typeof strToU8 };
}

/** Everything the drawing needs, already checked, translated and formatted: plain data that a worker can receive. */
export interface SlipsJob {
  wardName: string;
  pollTitle: string;
  groupName: string;
  /** "Phiếu số {seq}", with the batch label after it when there is one. */
  slipNumber: string;
  instruction: string;
  documentTitle: string;
  csvHeader: [string, string, string];
  slips: { seq: number; formattedCode: string; url: string }[];
  fonts: { regular: Uint8Array; bold: Uint8Array };
  createdAt: Date;
  /** The name of both files in the ZIP, without extension: "phieu-to-dan-pho-so-1". */
  fileBase: string;
}

export type SlipsRenderer = ReturnType<typeof createSlipsRenderer>;

export function createSlipsRenderer(lib: SlipsLibraries) {
  const MM = 72 / 25.4;
  const PAGE_WIDTH = 595.28; // A4 portrait, in points
  const PAGE_HEIGHT = 841.89;
  const COLUMNS = 2;
  const ROWS = 5;
  const SLIP_WIDTH = PAGE_WIDTH / COLUMNS;
  const SLIP_HEIGHT = PAGE_HEIGHT / ROWS;
  const PAD = 6 * MM;
  const QR_SIZE = 30 * MM;
  // Quiet zone beside the symbol: 4 modules of a version 4 code (33 modules over 30 mm) is 3.6 mm.
  const QR_GAP = 4.5 * MM;
  const TEXT_X = PAD + QR_SIZE + QR_GAP;
  const TEXT_WIDTH = SLIP_WIDTH - TEXT_X - PAD;
  const FULL_WIDTH = SLIP_WIDTH - 2 * PAD;
  // Courier Bold is one of the fonts every PDF reader has: the code needs no embedding, and is truly monospaced.
  const CODE_FONT = "Courier-Bold";
  const CODE_MAX_SIZE = 16;
  const INSTRUCTION_SIZE = 8;
  const INSTRUCTION_LEADING = 10;

  type Doc = InstanceType<typeof lib.PDFDocument>;

  /** Greedy word wrap into at most `maxLines` lines; the last line ends with "…" when the text does not fit. */
  function wrap(doc: Doc, text: string, width: number, maxLines: number): string[] {
    const lines: string[] = [];
    let line = "";
    for (let word of text.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (doc.widthOfString(candidate) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      // A word wider than the line is broken where it overflows.
      while (word.length > 1 && doc.widthOfString(word) > width) {
        let cut = word.length - 1;
        while (cut > 1 && doc.widthOfString(word.slice(0, cut)) > width) cut--;
        lines.push(word.slice(0, cut));
        word = word.slice(cut);
      }
      line = word;
    }
    if (line) lines.push(line);
    if (lines.length <= maxLines) return lines;
    let last = lines[maxLines - 1];
    while (last.length > 0 && doc.widthOfString(`${last}…`) > width) last = last.slice(0, -1).trimEnd();
    return [...lines.slice(0, maxLines - 1), `${last}…`];
  }

  // qrcode chooses the mask by applying each of the 8 to its matrix through per-module accessors: that was most of
  // a slip's time. The same choice, by the same penalty rules, is made here on flat arrays: the symbol is built
  // once with mask 0, and what another mask changes (its data bits and its format bits) is the difference between
  // the same content built with mask 0 and with that mask, which depends only on the symbol's size.
  const maskChanges = new Map<number, Uint8Array[]>();

  function maskChangesFor(
    segments: { data: Uint8Array; mode: "byte" }[],
    base: Uint8Array,
    size: number
  ): Uint8Array[] {
    let changes = maskChanges.get(size);
    if (!changes) {
      changes = [];
      for (const maskPattern of [0, 1, 2, 3, 4, 5, 6, 7] as const) {
        const other = lib.QRCode.create(segments, { errorCorrectionLevel: "M", maskPattern }).modules.data;
        const change = new Uint8Array(size * size);
        for (let i = 0; i < change.length; i++) change[i] = base[i] ^ other[i];
        changes.push(change);
      }
      maskChanges.set(size, changes);
    }
    return changes;
  }

  /**
   * qrcode's penalty (ISO 18004 N1 to N4, its reading of N3), over a flat size × size array of 0 and 1; it stops
   * counting once it reaches `limit`, the penalty to beat.
   */
  function maskPenalty(m: Uint8Array, size: number, limit: number): number {
    let points = 0;
    let dark = 0;
    for (let a = 0; a < size; a++) {
      let lastInRow = -1;
      let runInRow = 0;
      let bitsInRow = 0;
      let lastInColumn = -1;
      let runInColumn = 0;
      let bitsInColumn = 0;
      for (let b = 0; b < size; b++) {
        const inRow = m[a * size + b];
        const inColumn = m[b * size + a];
        dark += inRow;
        if (inRow === lastInRow) runInRow++;
        else {
          if (runInRow >= 5) points += runInRow - 2;
          lastInRow = inRow;
          runInRow = 1;
        }
        if (inColumn === lastInColumn) runInColumn++;
        else {
          if (runInColumn >= 5) points += runInColumn - 2;
          lastInColumn = inColumn;
          runInColumn = 1;
        }
        bitsInRow = ((bitsInRow << 1) & 0x7ff) | inRow;
        if (b >= 10 && (bitsInRow === 0x5d0 || bitsInRow === 0x05d)) points += 40;
        bitsInColumn = ((bitsInColumn << 1) & 0x7ff) | inColumn;
        if (b >= 10 && (bitsInColumn === 0x5d0 || bitsInColumn === 0x05d)) points += 40;
        if (a < size - 1 && b < size - 1) {
          const block = inRow + m[a * size + b + 1] + m[(a + 1) * size + b] + m[(a + 1) * size + b + 1];
          if (block === 0 || block === 4) points += 3;
        }
      }
      if (runInRow >= 5) points += runInRow - 2;
      if (runInColumn >= 5) points += runInColumn - 2;
      if (points >= limit) return points;
    }
    return points + Math.abs(Math.ceil((dark * 100) / (size * size) / 5) - 10) * 10;
  }

  /** The QR code of a URL (byte mode, level M, the mask of least penalty) as a flat array of 0 (light) and 1. */
  function qrMatrix(url: string): { modules: Uint8Array; size: number } {
    const segments = [{ data: new TextEncoder().encode(url), mode: "byte" as const }];
    const { modules } = lib.QRCode.create(segments, { errorCorrectionLevel: "M", maskPattern: 0 });
    const size = modules.size;
    const changes = maskChangesFor(segments, modules.data, size);
    let candidate = new Uint8Array(size * size);
    let best = new Uint8Array(size * size);
    let bestPenalty = Infinity;
    for (const change of changes) {
      for (let i = 0; i < candidate.length; i++) candidate[i] = modules.data[i] ^ change[i];
      const penalty = maskPenalty(candidate, size, bestPenalty);
      if (penalty < bestPenalty) {
        bestPenalty = penalty;
        [best, candidate] = [candidate, best];
      }
    }
    return { modules: best, size };
  }

  /** Dark modules as one path of rectangles in module units, each row's runs merged into one rectangle. */
  function qrPath(url: string): { path: string; size: number } {
    const { modules, size } = qrMatrix(url);
    const parts: string[] = [];
    for (let row = 0; row < size; row++) {
      let col = 0;
      while (col < size) {
        if (!modules[row * size + col]) {
          col++;
          continue;
        }
        const start = col;
        while (col < size && modules[row * size + col]) col++;
        parts.push(`${start} ${row} ${col - start} 1 re`);
      }
    }
    parts.push("f");
    return { path: parts.join("\n"), size };
  }

  function drawCutLines(doc: Doc, used: number) {
    doc.save();
    doc.lineWidth(0.5).strokeColor("#888888").dash(4, { space: 3 });
    for (let slot = 0; slot < used; slot++) {
      const x = (slot % COLUMNS) * SLIP_WIDTH;
      const y = Math.floor(slot / COLUMNS) * SLIP_HEIGHT;
      if (slot % COLUMNS < COLUMNS - 1) doc.moveTo(x + SLIP_WIDTH, y).lineTo(x + SLIP_WIDTH, y + SLIP_HEIGHT);
      if (Math.floor(slot / COLUMNS) < ROWS - 1) doc.moveTo(x, y + SLIP_HEIGHT).lineTo(x + SLIP_WIDTH, y + SLIP_HEIGHT);
    }
    doc.stroke();
    doc.restore();
  }

  function renderPdf(job: SlipsJob): Promise<Uint8Array> {
    const doc = new lib.PDFDocument({
      size: "A4",
      margin: 0,
      autoFirstPage: false,
      compress: true,
      info: {
        Title: job.documentTitle,
        Creator: "Phiếu",
        Producer: "Phiếu",
        CreationDate: job.createdAt,
      },
    });
    const chunks: Uint8Array[] = [];
    const done = new Promise<Uint8Array>((resolve, reject) => {
      doc.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      doc.on("end", () => {
        let total = 0;
        for (const chunk of chunks) total += chunk.length;
        const out = new Uint8Array(total);
        let offset = 0;
        for (const chunk of chunks) {
          out.set(chunk, offset);
          offset += chunk.length;
        }
        resolve(out);
      });
      doc.on("error", reject);
    });

    // Registered once: pdfkit embeds one subset of each font for the whole document.
    doc.registerFont("regular", job.fonts.regular);
    doc.registerFont("bold", job.fonts.bold);

    // Under the symbol: the code, then the instruction, on one line if a slightly smaller size allows it.
    doc.font(CODE_FONT).fontSize(1);
    // Every code has the same length, so one size fits them all.
    const codeSize = Math.min(CODE_MAX_SIZE, FULL_WIDTH / doc.widthOfString(job.slips[0].formattedCode));
    doc.font("regular");
    let instructionSize = INSTRUCTION_SIZE;
    while (instructionSize > 7 && doc.fontSize(instructionSize).widthOfString(job.instruction) > FULL_WIDTH) {
      instructionSize -= 0.5;
    }
    if (doc.widthOfString(job.instruction) > FULL_WIDTH) instructionSize = INSTRUCTION_SIZE;
    const instruction = wrap(doc.fontSize(instructionSize), job.instruction, FULL_WIDTH, 2);
    const codeY = QR_SIZE + QR_GAP;
    const instructionY = codeY + codeSize * 1.2 + 3;
    // The whole block is centred in the slip's height.
    const top = Math.max(PAD, (SLIP_HEIGHT - instructionY - instruction.length * INSTRUCTION_LEADING) / 2);

    // The lines every slip of the batch shares, laid out once, relative to the slip's top left corner.
    const shared: { font: string; size: number; x: number; y: number; text: string }[] = [];
    let lineY = top - 1;
    const beside = (text: string, font: string, size: number, maxLines: number, leading: number, after: number) => {
      for (const line of wrap(doc.font(font).fontSize(size), text, TEXT_WIDTH, maxLines)) {
        shared.push({ font, size, x: TEXT_X, y: lineY, text: line });
        lineY += leading;
      }
      lineY += after;
    };
    beside(job.wardName, "bold", 9, 1, 12, 1);
    beside(job.pollTitle, "regular", 9.5, 3, 12, 2);
    beside(job.groupName, "regular", 8.5, 1, 11, 0);
    const numberY = lineY;
    instruction.forEach((text, i) => {
      shared.push({
        font: "regular",
        size: instructionSize,
        x: PAD,
        y: top + instructionY + i * INSTRUCTION_LEADING,
        text,
      });
    });

    // pdfkit lays out and encodes a text on every call, and these lines are the same on every slip: they are
    // drawn once, into a form (a PDF XObject) that each slip places. What pdfkit would write for them on a slip at
    // the page's top left corner is taken as the form's content, with the fonts it uses as its resources.
    let slipForm: ReturnType<Doc["ref"]> | null = null;
    const makeSlipForm = () => {
      const operators: string[] = [];
      const addContent = doc.addContent;
      doc.addContent = (data: string) => {
        operators.push(data);
        return doc;
      };
      try {
        for (const line of shared) {
          doc.font(line.font).fontSize(line.size).text(line.text, line.x, line.y, { lineBreak: false });
        }
      } finally {
        doc.addContent = addContent;
      }
      const form = doc.ref({
        Type: "XObject",
        Subtype: "Form",
        BBox: [0, 0, SLIP_WIDTH, SLIP_HEIGHT],
        Resources: { Font: { ...doc.page.fonts } },
      });
      form.end(operators.join("\n"));
      return form;
    };

    for (let index = 0; index < job.slips.length; index++) {
      const slot = index % (COLUMNS * ROWS);
      if (slot === 0) {
        doc.addPage({ size: "A4", margin: 0 });
        drawCutLines(doc, Math.min(COLUMNS * ROWS, job.slips.length - index));
        slipForm ??= makeSlipForm();
        doc.page.xobjects.Slip = slipForm;
      }
      const slip = job.slips[index];
      const x = (slot % COLUMNS) * SLIP_WIDTH;
      const y = Math.floor(slot / COLUMNS) * SLIP_HEIGHT;

      const qr = qrPath(slip.url);
      const scale = QR_SIZE / qr.size;
      doc.save();
      doc.transform(scale, 0, 0, scale, x + PAD, y + top);
      doc.addContent(qr.path);
      doc.restore();

      doc.addContent(`q 1 0 0 1 ${x.toFixed(2)} ${y.toFixed(2)} cm /Slip Do Q`);

      doc.font("bold").fontSize(9);
      doc.text(job.slipNumber.replace("{seq}", String(slip.seq)), x + TEXT_X, y + numberY, { lineBreak: false });

      // The code on one line under the symbol, in a monospaced face so that its groups line up for copying.
      doc.font(CODE_FONT).fontSize(codeSize);
      doc.text(slip.formattedCode, x + PAD, y + top + codeY, { lineBreak: false });
    }
    doc.end();
    return done;
  }

  function csvField(value: string | number): string {
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  /** UTF-8 with a byte order mark so that Excel reads the Vietnamese header, CRLF line ends. */
  function csv(job: Pick<SlipsJob, "csvHeader" | "slips">): string {
    const lines = [job.csvHeader.map(csvField).join(",")];
    for (const slip of job.slips) lines.push([slip.seq, slip.formattedCode, slip.url].map(csvField).join(","));
    return `\uFEFF${lines.join("\r\n")}\r\n`;
  }

  async function zip(job: SlipsJob): Promise<Uint8Array> {
    const pdf = await renderPdf(job);
    const mtime = job.createdAt;
    return lib.fflate.zipSync({
      // The PDF's streams are already deflated: storing it saves the time of a second pass.
      [`${job.fileBase}.pdf`]: [pdf, { level: 0, mtime }],
      [`${job.fileBase}.csv`]: [lib.fflate.strToU8(csv(job)), { level: 6, mtime }],
    });
  }

  return { renderPdf, csv, zip, qrMatrix };
}

/**
 * The source a worker runs (with `eval: true`): it builds the renderer from the libraries at the paths in
 * `workerData.modules`, reads the fonts at `workerData.fonts`, and posts back the ZIP of `workerData.job`.
 */
export function slipsWorkerSource(): string {
  return `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const { readFileSync } = require("node:fs");
var __name = (target) => target;
const createSlipsRenderer = (${createSlipsRenderer.toString()});
const renderer = createSlipsRenderer({
  PDFDocument: require(workerData.modules.pdfkit),
  QRCode: require(workerData.modules.qrcode),
  fflate: require(workerData.modules.fflate),
});
const job = workerData.job;
job.fonts = { regular: readFileSync(workerData.fonts.regular), bold: readFileSync(workerData.fonts.bold) };
renderer.zip(job).then((zip) => parentPort.postMessage(zip, [zip.buffer]));
`;
}
