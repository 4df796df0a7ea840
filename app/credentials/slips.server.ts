// Printable QR slips for a freshly issued batch of credentials: an A4 PDF of cut-out slips, a CSV of the ballot
// URLs, and one ZIP holding both. The plain codes live only in memory here and in the bytes returned: nothing is
// written to disk or to a log.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import PDFDocument from "pdfkit";
import { create as createQrCode } from "qrcode";
import { strToU8, zipSync } from "fflate";
import { DEFAULT_LOCALE, type Locale } from "~/i18n/define";
import { translate } from "~/i18n/i18n";
import { formatCode, normalizeCode } from "./code";
import { createSlipsRenderer, slipsWorkerSource, type SlipsJob } from "./slips-worker.server";

export interface SlipsInput {
  locale?: Locale;
  wardName: string;
  pollTitle: string;
  groupName: string;
  /** Where residents reach Phiếu, e.g. "https://phieu.example.vn"; each slip opens `${baseUrl}/v/<code>`. */
  baseUrl: string;
  /** Canonical codes (24 characters of the code alphabet) with their number in the batch. */
  slips: { code: string; seq: number }[];
  /** Printed after the slip number, to tell batches apart when slips are handed out. */
  batchLabel?: string;
  /** The PDF's creation date and the ZIP entries' time; the same date gives the same bytes. */
  createdAt?: Date;
}

const require = createRequire(import.meta.url);
const FONT_PATHS = {
  regular: require.resolve("@expo-google-fonts/be-vietnam-pro/400Regular/BeVietnamPro_400Regular.ttf"),
  bold: require.resolve("@expo-google-fonts/be-vietnam-pro/700Bold/BeVietnamPro_700Bold.ttf"),
};

// Resolved here, where the bundler or tsx left a real module URL: an `eval` worker has no location of its own.
const LIBRARY_PATHS = {
  pdfkit: require.resolve("pdfkit"),
  qrcode: require.resolve("qrcode"),
  fflate: require.resolve("fflate"),
};

let fonts: Promise<SlipsJob["fonts"]> | null = null;
function loadFonts() {
  fonts ??= Promise.all([readFile(FONT_PATHS.regular), readFile(FONT_PATHS.bold)]).then(([regular, bold]) => ({
    regular,
    bold,
  }));
  return fonts;
}

const renderer = createSlipsRenderer({
  PDFDocument,
  QRCode: { create: createQrCode },
  fflate: { zipSync, strToU8 },
});

/** "Tổ dân phố số 1" → "to-dan-pho-so-1": file names that survive any system and any mail client. */
export function asciiSlug(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
}

function clean(text: string): string {
  return text.normalize("NFC").replace(/\s+/g, " ").trim();
}

/** Checks the input and turns it into the plain data the drawing needs (without the fonts). */
function prepareJob(input: SlipsInput): Omit<SlipsJob, "fonts"> {
  const locale = input.locale ?? DEFAULT_LOCALE;
  if (input.slips.length === 0) throw new Error("A batch of slips needs at least one code.");
  let base: URL;
  try {
    base = new URL(input.baseUrl);
  } catch {
    throw new Error("The base URL of the slips is not a URL.");
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") {
    throw new Error("The base URL of the slips must be http or https.");
  }
  const root = `${base.origin}${base.pathname.replace(/\/+$/, "")}`;
  const host = `${base.host}${base.pathname.replace(/\/+$/, "")}`;
  const slips = input.slips.map(({ code, seq }) => {
    // The message names the position, never the code: errors end up in logs.
    if (normalizeCode(code) !== code) throw new Error(`Slip ${seq} does not carry a canonical code.`);
    if (!Number.isSafeInteger(seq) || seq < 1) throw new Error("Slip numbers must be positive integers.");
    return { seq, formattedCode: formatCode(code), url: `${root}/v/${code}` };
  });
  const wardName = clean(input.wardName);
  const pollTitle = clean(input.pollTitle);
  const groupName = clean(input.groupName);
  const batchLabel = input.batchLabel ? clean(input.batchLabel) : "";
  const slipNumber = translate(locale, "credentials.slip.number");
  return {
    wardName,
    pollTitle,
    groupName,
    // "{seq}" is left for the drawing to fill in, slip by slip.
    slipNumber: batchLabel ? `${slipNumber} · ${batchLabel}` : slipNumber,
    instruction: translate(locale, "credentials.slip.instruction", { host }),
    documentTitle: translate(locale, "credentials.slip.documentTitle", { pollTitle, groupName }),
    csvHeader: [
      translate(locale, "credentials.slip.csvSeq"),
      translate(locale, "credentials.slip.csvCode"),
      translate(locale, "credentials.slip.csvUrl"),
    ],
    slips,
    createdAt: input.createdAt ?? new Date(),
    fileBase: slipsFileBase({ groupName }),
  };
}

/** The A4 PDF: 10 slips a page (2 × 5) with dashed cut lines; each QR code opens the slip's ballot. */
export async function renderSlipsPdf(input: SlipsInput): Promise<Buffer> {
  const job = { ...prepareJob(input), fonts: await loadFonts() };
  return toBuffer(await renderer.renderPdf(job));
}

/** The CSV of ballot URLs (UTF-8 with BOM for Excel): number, code in groups of 4, URL. */
export function slipsCsv(input: SlipsInput): string {
  return renderer.csv(prepareJob(input));
}

/** The file names inside the ZIP, from the group's name: `phieu-<slug>.pdf` and `phieu-<slug>.csv`. */
export function slipsFileBase(input: Pick<SlipsInput, "groupName">): string {
  const slug = asciiSlug(clean(input.groupName));
  return slug ? `phieu-${slug}` : "phieu";
}

/** One ZIP with the PDF and the CSV, built in the calling thread. */
export async function buildSlipsZip(input: SlipsInput): Promise<Buffer> {
  const job = { ...prepareJob(input), fonts: await loadFonts() };
  return toBuffer(await renderer.zip(job));
}

// One core stays free for the server: a burst of downloads waits in line instead of starving the requests.
const MAX_WORKERS = Math.max(1, availableParallelism() - 1);
let running = 0;
const waiting: (() => void)[] = [];

async function withWorkerSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_WORKERS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

let workerSource: string | null = null;

/** The same ZIP as buildSlipsZip, built in a worker thread so that the event loop keeps serving requests. */
export async function generateSlipsZipInWorker(input: SlipsInput): Promise<Buffer> {
  const job = prepareJob(input);
  workerSource ??= slipsWorkerSource();
  const source = workerSource;
  return withWorkerSlot(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        const worker = new Worker(source, {
          eval: true,
          workerData: { job, fonts: FONT_PATHS, modules: LIBRARY_PATHS },
          // The worker prints nothing; should a library write to stdout, it stays out of the server's log.
          stdout: true,
          stderr: true,
        });
        worker.stdout.resume();
        worker.stderr.resume();
        let settled = false;
        worker.once("message", (zip: Uint8Array) => {
          settled = true;
          resolve(toBuffer(zip));
          void worker.terminate();
        });
        worker.once("error", (error) => {
          if (settled) return;
          settled = true;
          reject(error);
        });
        worker.once("exit", (code) => {
          if (settled) return;
          settled = true;
          reject(new Error(`The slips worker stopped (exit code ${code}) before sending the ZIP.`));
        });
      })
  );
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
