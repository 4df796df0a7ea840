import { PassThrough, type Readable } from "node:stream";
import { Suspense } from "react";
import { renderToPipeableStream } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { withoutNulBytes } from "./html-stream.server";

const LINE = "Nguyễn Văn Thành: Tín nhiệm thấp — Phường Thanh Xuân. ";

/** A page much longer than React's 2 KB buffers, Vietnamese throughout, inside a Suspense boundary as Remix's is. */
function render(into: (body: PassThrough) => Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const { pipe } = renderToPipeableStream(
      <Suspense fallback={null}>
        <main>
          {Array.from({ length: 300 }, (_, i) => (
            <p key={i} aria-label={LINE.slice(0, 20 + (i % 17))}>
              {LINE.repeat(1 + (i % 3)).slice(i % 13)}
            </p>
          ))}
        </main>
      </Suspense>,
      {
        onAllReady() {
          const body = new PassThrough();
          const chunks: Buffer[] = [];
          const out = into(body);
          out.on("data", (chunk: Buffer) => chunks.push(chunk));
          out.on("end", () => resolve(Buffer.concat(chunks)));
          out.on("error", reject);
          pipe(body);
        },
        onShellError: reject,
      }
    );
  });
}

describe("the HTML stream", () => {
  it("loses React 18's stray NUL bytes and nothing else", async () => {
    // Straight from React, the bug shows: NUL bytes where a character met the end of a 2 KB buffer.
    const raw = await render((body) => body);
    expect(raw.filter((byte) => byte === 0).length).toBeGreaterThan(0);

    const clean = await render((body) => body.pipe(withoutNulBytes()));
    expect(clean.includes(0)).toBe(false);
    expect(clean.length).toBe(raw.length - raw.filter((byte) => byte === 0).length);
    const text = clean.toString("utf8");
    expect(text).not.toContain("\uFFFD");
    expect(text.split(LINE.slice(0, 20)).length - 1).toBeGreaterThan(300);
    expect(clean.equals(Buffer.from(text, "utf8"))).toBe(true);
  });
});
