// Credential codes: typed by residents on phones with Vietnamese keyboards. Telex and VNI turn vowel + key into
// accented letters ("AS" → "Á", "DD" → "Đ", "W" → "Ư", a digit after a vowel → a tone), so the alphabet has digits
// and consonants only, without D, W and Y (a vowel in Vietnamese) and without L (read as 1).
import { randomInt } from "node:crypto";

export const CODE_ALPHABET = "0123456789BCFGHJKMNPQRSTVXZ";
export const CODE_LENGTH = 24; // 24 × log2(27) ≈ 114 bits
const GROUP = 4;

export function generateCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** "ABCD-EFGH-…": how a code is printed and shown. */
export function formatCode(code: string): string {
  return code.match(new RegExp(`.{1,${GROUP}}`, "g"))!.join("-");
}

/**
 * What a resident typed, back to the canonical code: upper case, no spaces or hyphens, and any accent or stroke a
 * keyboard added removed ("đ" → "D" is then refused as not in the alphabet). Null when it cannot be a code.
 */
export function normalizeCode(input: string): string | null {
  return readTyped(input, CODE_LENGTH);
}

/**
 * Reads `length` characters of the code alphabet out of what someone typed: upper case, without spaces, hyphens or
 * any mark a keyboard added. Null when it cannot be that. Shared by credential codes and receipts.
 */
export function readTyped(input: string, length: number): string | null {
  const stripped = input
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "D")
    .toUpperCase()
    .replace(/[\s\-_.·–—]/g, "");
  if (stripped.length !== length) return null;
  for (const ch of stripped) if (!CODE_ALPHABET.includes(ch)) return null;
  return stripped;
}
