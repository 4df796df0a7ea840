// The slips are read back as a person and a phone would: the PDF's text with poppler's pdftotext, its QR codes
// with zbar on the pages rasterized at 200 dpi, the CSV with csv-parse, the ZIP with fflate.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import { describe, expect, it } from "vitest";
import { formatCode, generateCode } from "./code";
import {
  asciiSlug,
  buildSlipsZip,
  generateSlipsZipInWorker,
  renderSlipsPdf,
  slipsCsv,
  slipsFileBase,
  type SlipsInput,
} from "./slips.server";
import { createSlipsRenderer } from "./slips-worker.server";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BASE_URL = "https://phieu.example.vn";
const TITLE = "Lấy phiếu tín nhiệm đối với người giữ chức vụ chủ chốt của phường năm 2026";

function batch(count: number, overrides: Partial<SlipsInput> = {}): SlipsInput {
  return {
    wardName: "Phường Thanh Xuân",
    pollTitle: TITLE,
    groupName: "Tổ dân phố số 1",
    baseUrl: BASE_URL,
    slips: Array.from({ length: count }, (_, i) => ({ code: generateCode(), seq: i + 1 })),
    createdAt: new Date("2026-11-28T09:00:00Z"),
    ...overrides,
  };
}

/** Runs a command with `input` on its standard input; resolves with its standard output. */
function tool(command: string, args: string[], input?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else reject(new Error(`${command} exited with ${code}: ${Buffer.concat(err).toString("utf8")}`));
    });
    child.stdin.end(input);
  });
}

const pdfText = (pdf: Buffer) => tool("pdftotext", ["-enc", "UTF-8", "fd://0", "-"], pdf);

/** Every QR code on every page, decoded by zbar from the pages rasterized at 200 dpi. */
async function decodeQrCodes(pdf: Buffer): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "phieu-slips-test-"));
  try {
    await tool("pdftoppm", ["-r", "200", "-png", "fd://0", path.join(dir, "page")], pdf);
    const pages = (await readdir(dir)).filter((name) => name.endsWith(".png")).sort();
    const out = await tool("zbarimg", [
      "--raw",
      "-q",
      "-Sdisable",
      "-Sqrcode.enable",
      ...pages.map((name) => path.join(dir, name)),
    ]);
    return out.split("\n").filter(Boolean);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe("the slips PDF", () => {
  it("prints 12 slips on two A4 pages, with the ward, the poll title, the slip numbers and every code", async () => {
    const input = batch(12);
    const pdf = await renderSlipsPdf(input);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");

    const info = await tool("pdfinfo", ["fd://0"], pdf);
    expect(info).toMatch(/^Pages:\s+2$/m);
    expect(info).toMatch(/^Page size:\s+595\.28 x 841\.89 pts \(A4\)$/m);

    const text = await pdfText(pdf);
    expect(occurrences(text, "Phường Thanh Xuân")).toBe(12);
    expect(text).toContain("Lấy phiếu tín nhiệm");
    expect(occurrences(text, "Tổ dân phố số 1")).toBe(12);
    expect(text).toContain("Phiếu số 1\n");
    expect(text).toContain("Phiếu số 12");
    expect(occurrences(text, "Quét mã QR bằng điện thoại, hoặc vào phieu.example.vn/v và nhập mã")).toBe(12);
    for (const { code } of input.slips) expect(text).toContain(formatCode(code));
    // No code is printed in the clear except in its groups of 4 (the QR codes are drawn, not written).
    for (const { code } of input.slips) expect(text).not.toContain(code);
  });

  it("embeds Be Vietnam Pro for the Vietnamese text", async () => {
    const fonts = await tool("pdffonts", ["fd://0"], await renderSlipsPdf(batch(1)));
    expect(fonts).toMatch(/BeVietnamPro-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(fonts).toMatch(/BeVietnamPro-Bold\s+CID TrueType\s+Identity-H\s+yes yes yes/);
  });

  it("has QR codes that decode to exactly the 12 ballot URLs, on both pages", async () => {
    const input = batch(12);
    const decoded = await decodeQrCodes(await renderSlipsPdf(input));
    expect(decoded.sort()).toEqual(input.slips.map(({ code }) => `${BASE_URL}/v/${code}`).sort());
  });

  it("cuts a poll title too long for the slip with an ellipsis, and still prints the code", async () => {
    const input = batch(2, {
      pollTitle: `${TITLE} ${"và lấy ý kiến nhận xét của nhân dân về cán bộ chủ chốt ".repeat(6)}KẾTTHÚC`,
      groupName: "Tổ dân phố số 12 khu tập thể Thanh Xuân Bắc, nhà A1 đến A12 và các hộ ven đường Nguyễn Trãi",
    });
    const text = await pdfText(await renderSlipsPdf(input));
    expect(text).toContain("…");
    expect(text).not.toContain("KẾTTHÚC");
    expect(text).not.toContain("Nguyễn Trãi");
    for (const { code } of input.slips) expect(text).toContain(formatCode(code));
  });

  it("speaks English when asked, and gives the address under the base URL's path", async () => {
    const input = batch(3, { locale: "en", baseUrl: "http://localhost:3000/phieu/", batchLabel: "Đợt 2" });
    const pdf = await renderSlipsPdf(input);
    // The English instruction is longer: it takes two lines.
    const text = (await pdfText(pdf)).replace(/\s+/g, " ");
    expect(text).toContain("Slip no. 3 · Đợt 2");
    expect(text).toContain("Scan the QR code with your phone, or go to localhost:3000/phieu/v and enter the code");
    const decoded = await decodeQrCodes(pdf);
    expect(decoded.sort()).toEqual(input.slips.map(({ code }) => `http://localhost:3000/phieu/v/${code}`).sort());
  });

  it("picks each QR code's mask exactly as qrcode does (the drawing only does it faster)", () => {
    const renderer = createSlipsRenderer({ PDFDocument, QRCode, fflate: { zipSync, strToU8 } });
    const masks = new Set<number | undefined>();
    // Random codes until every one of the 8 masks has been met (some are rare), and at least 300 of them.
    for (let i = 0; i < 300 || (masks.size < 8 && i < 20_000); i++) {
      const url = `${i % 2 ? BASE_URL : "http://localhost:3000"}/v/${generateCode()}`;
      const reference = QRCode.create([{ data: new TextEncoder().encode(url), mode: "byte" }], {
        errorCorrectionLevel: "M",
      });
      masks.add(reference.maskPattern);
      const drawn = renderer.qrMatrix(url);
      expect(drawn.size).toBe(reference.modules.size);
      expect(Buffer.from(drawn.modules).equals(Buffer.from(reference.modules.data))).toBe(true);
    }
    expect(masks.size).toBe(8);
  });

  it("gives the same bytes for the same batch and date", async () => {
    const input = batch(3);
    expect((await renderSlipsPdf(input)).equals(await renderSlipsPdf(input))).toBe(true);
  });

  it("refuses a code that is not canonical, an empty batch and a base URL that is not http, without echoing codes", async () => {
    const code = generateCode();
    for (const wrong of [formatCode(code), code.toLowerCase(), code.slice(1)]) {
      const refusal = renderSlipsPdf(batch(1, { slips: [{ code: wrong, seq: 1 }] }));
      await expect(refusal).rejects.toThrow("Slip 1 does not carry a canonical code.");
    }
    await expect(renderSlipsPdf(batch(0))).rejects.toThrow("at least one code");
    await expect(renderSlipsPdf(batch(1, { baseUrl: "ftp://phieu.example.vn" }))).rejects.toThrow("http or https");
    await expect(renderSlipsPdf(batch(1, { baseUrl: "phieu.example.vn" }))).rejects.toThrow("not a URL");
    expect(() => slipsCsv(batch(1, { slips: [{ code, seq: 0 }] }))).toThrow("positive integers");
  });
});

describe("the slips CSV", () => {
  it("has a BOM, the Vietnamese header and one row per slip with its code in groups of 4 and its URL", () => {
    const input = batch(12, { baseUrl: `${BASE_URL}/` });
    const csv = slipsCsv(input);
    expect(csv.startsWith("\uFEFFSTT,Mã phiếu,Đường dẫn\r\n")).toBe(true);
    const rows: string[][] = parse(csv, { bom: true });
    expect(rows).toHaveLength(13);
    expect(rows[0]).toEqual(["STT", "Mã phiếu", "Đường dẫn"]);
    expect(rows.slice(1)).toEqual(
      input.slips.map(({ code, seq }) => [String(seq), formatCode(code), `${BASE_URL}/v/${code}`])
    );
  });

  it("has an English header in English", () => {
    expect(slipsCsv(batch(1, { locale: "en" })).split("\r\n")[0]).toBe("\uFEFFNo.,Code,Link");
  });
});

describe("the slips ZIP", () => {
  it("names its files after the group in ASCII", () => {
    expect(asciiSlug("Tổ dân phố số 1")).toBe("to-dan-pho-so-1");
    expect(asciiSlug("  Khu phố Đông Hưng / Ấp 3  ")).toBe("khu-pho-dong-hung-ap-3");
    expect(slipsFileBase({ groupName: "Tổ dân phố số 1" })).toBe("phieu-to-dan-pho-so-1");
    expect(slipsFileBase({ groupName: "—" })).toBe("phieu");
  });

  it("holds exactly the PDF and the CSV, as renderSlipsPdf and slipsCsv give them", async () => {
    const input = batch(12);
    const files = unzipSync(new Uint8Array(await buildSlipsZip(input)));
    expect(Object.keys(files).sort()).toEqual(["phieu-to-dan-pho-so-1.csv", "phieu-to-dan-pho-so-1.pdf"]);
    expect(Buffer.from(files["phieu-to-dan-pho-so-1.pdf"]).equals(await renderSlipsPdf(input))).toBe(true);
    expect(Buffer.from(files["phieu-to-dan-pho-so-1.csv"]).toString("utf8")).toBe(slipsCsv(input));
  });
});

describe("the slips worker", () => {
  it("builds the same ZIP in a worker thread", async () => {
    const input = batch(12);
    const [inWorker, inThread] = await Promise.all([generateSlipsZipInWorker(input), buildSlipsZip(input)]);
    expect(inWorker.equals(inThread)).toBe(true);
  });

  it("keeps the event loop running while it builds 2,000 slips", async () => {
    const input = batch(2000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = performance.now();
    let zip: Buffer;
    try {
      zip = await generateSlipsZipInWorker(input);
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - started;
    // Drawn in this thread, the timer could not fire at all until the ZIP was done.
    expect(ticks).toBeGreaterThanOrEqual(Math.min(20, elapsed / 10 / 4));
    const files = unzipSync(new Uint8Array(zip));
    const pdf = Buffer.from(files["phieu-to-dan-pho-so-1.pdf"]);
    expect(await tool("pdfinfo", ["fd://0"], pdf)).toMatch(/^Pages:\s+200$/m);
    expect(strFromU8(files["phieu-to-dan-pho-so-1.csv"]).split("\r\n")).toHaveLength(2002);
  });

  it("lets several downloads wait their turn", async () => {
    const zips = await Promise.all([1, 2, 3].map(() => generateSlipsZipInWorker(batch(2))));
    for (const zip of zips) expect(Object.keys(unzipSync(new Uint8Array(zip)))).toHaveLength(2);
  });

  it("works the same when the server runs the TypeScript through tsx", async () => {
    // tsx compiles with esbuild's keepNames, which is what the worker's prelude has to cope with.
    const script = `
      import { unzipSync } from "fflate";
      import { generateCode } from "./app/credentials/code.ts";
      import { generateSlipsZipInWorker } from "./app/credentials/slips.server.ts";
      const slips = [1, 2, 3].map((seq) => ({ seq, code: generateCode() }));
      generateSlipsZipInWorker({ wardName: "Phường Thanh Xuân", pollTitle: "Lấy phiếu tín nhiệm", groupName: "Tổ dân phố số 2",
        baseUrl: "http://localhost:3000", slips }).then((zip) => {
        const files = unzipSync(new Uint8Array(zip));
        console.log(JSON.stringify(Object.entries(files).map(([name, bytes]) => [name, bytes.length])));
      });`;
    const out = await tool(path.join(ROOT, "node_modules/.bin/tsx"), ["-e", script]);
    const files = new Map<string, number>(JSON.parse(out));
    expect([...files.keys()].sort()).toEqual(["phieu-to-dan-pho-so-2.csv", "phieu-to-dan-pho-so-2.pdf"]);
    expect(files.get("phieu-to-dan-pho-so-2.pdf")).toBeGreaterThan(10_000);
  }, 60_000);
});
