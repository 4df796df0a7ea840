// React 18.3's streaming renderer writes into 2 KB buffers and, when a multi-byte UTF-8 character does not fit at
// the end of one, flushes the whole buffer anyway: the unwritten bytes go out as NUL (0x00) before the character.
// Vietnamese text hits it on any page longer than 2 KB (react/react#31134, fixed only in React 19). A NUL byte
// never belongs in an HTML document (UTF-8 writes U+0000 as 0x00 alone, and the HTML parser rejects it), so the
// bytes are dropped on the way out, which leaves exactly the document React meant to write.
import { Writable } from "node:stream";

/** `bytes` without NUL bytes (the same buffer when it has none). */
function withoutNulBytes(bytes: Buffer): Buffer {
  return bytes.includes(0) ? Buffer.from(bytes.filter((byte) => byte !== 0)) : bytes;
}

/**
 * The whole document React writes through `pipe`, in one buffer and without NUL bytes. One buffer, not a stream of
 * React's 2 KB pieces: the response then goes out (and through gzip) in one write instead of a write per piece.
 */
export function collectDocument(pipe: (destination: Writable) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
      final(callback) {
        resolve(withoutNulBytes(Buffer.concat(chunks)));
        callback();
      },
    });
    sink.on("error", reject);
    pipe(sink);
  });
}
