// React 18.3's streaming renderer writes into 2 KB buffers and, when a multi-byte UTF-8 character does not fit at
// the end of one, flushes the whole buffer anyway: the unwritten bytes go out as NUL (0x00) before the character.
// Vietnamese text hits it on any page longer than 2 KB (react/react#31134, fixed only in React 19). A NUL byte
// never belongs in an HTML document (UTF-8 writes U+0000 as 0x00 alone, and the HTML parser rejects it), so the
// bytes are dropped on the way out, which leaves exactly the document React meant to write.
import { Transform } from "node:stream";

export function withoutNulBytes(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, chunk.includes(0) ? Buffer.from(chunk.filter((byte) => byte !== 0)) : chunk);
    },
  });
}
