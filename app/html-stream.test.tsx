import { PassThrough, type Writable } from "node:stream";
import { Suspense } from "react";
import { renderToPipeableStream } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { collectDocument } from "./html-stream.server";

const LINE = "Nguyễn Văn Thành: Tín nhiệm thấp — Phường Thanh Xuân. ";

/** A page much longer than React's 2 KB buffers, Vietnamese throughout, inside a Suspense boundary as Remix's is. */
function render(into: (pipe: (destination: Writable) => void) => Promise<Buffer>): Promise<Buffer> {
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
          into(pipe).then(resolve, reject);
        },
        onShellError: reject,
      }
    );
  });
}

describe("the HTML stream", () => {
  it("loses React 18's stray NUL bytes and nothing else", async () => {
    // Straight from React, the bug shows: NUL bytes where a character met the end of a 2 KB buffer.
    const raw = await render(
      (pipe) =>
        new Promise((resolve) => {
          const chunks: Buffer[] = [];
          const body = new PassThrough();
          body.on("data", (chunk: Buffer) => chunks.push(chunk));
          body.on("end", () => resolve(Buffer.concat(chunks)));
          pipe(body);
        })
    );
    expect(raw.filter((byte) => byte === 0).length).toBeGreaterThan(0);

    const clean = await render(collectDocument);
    expect(clean.includes(0)).toBe(false);
    expect(clean.length).toBe(raw.length - raw.filter((byte) => byte === 0).length);
    const text = clean.toString("utf8");
    expect(text).not.toContain("\uFFFD");
    expect(text.split(LINE.slice(0, 20)).length - 1).toBeGreaterThan(300);
    expect(clean.equals(Buffer.from(text, "utf8"))).toBe(true);
  });
});
