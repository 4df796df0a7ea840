import { describe, expect, it } from "vitest";
import { CODE_ALPHABET, CODE_LENGTH, formatCode, generateCode, normalizeCode } from "./code";

describe("credential codes", () => {
  it("carry at least 100 bits in groups of 4 of a keyboard-safe alphabet", () => {
    expect(CODE_LENGTH * Math.log2(CODE_ALPHABET.length)).toBeGreaterThanOrEqual(100);
    for (const forbidden of "AEIOUYDWL") expect(CODE_ALPHABET).not.toContain(forbidden);
    const code = generateCode();
    expect(code).toHaveLength(CODE_LENGTH);
    expect(formatCode(code)).toMatch(/^([0-9A-Z]{4}-){5}[0-9A-Z]{4}$/);
  });

  it("reads a code back however it was typed", () => {
    const code = "7BCF-GH2J-KMN3-PQRS-TV4X-Z5B6".replace(/-/g, "");
    expect(normalizeCode("7BCF-GH2J-KMN3-PQRS-TV4X-Z5B6")).toBe(code);
    expect(normalizeCode("7bcf gh2j kmn3 pqrs tv4x z5b6")).toBe(code);
    expect(normalizeCode("7bcfgh2jkmn3pqrstv4xz5b6")).toBe(code);
    // Decomposed marks a keyboard might leave (NFD), full-width dashes, stray spaces.
    expect(normalizeCode(" 7BCF–GH2J—KMN3 PQRS-TV4X-Z5B6 ".normalize("NFD"))).toBe(code);
  });

  it("refuses what cannot be a code", () => {
    expect(normalizeCode("")).toBeNull();
    expect(normalizeCode("7BCF-GH2J")).toBeNull();
    expect(normalizeCode("ĐBCF-GH2J-KMN3-PQRS-TV4X-Z5B6")).toBeNull();
    expect(normalizeCode("ABCF-GH2J-KMN3-PQRS-TV4X-Z5B6")).toBeNull();
  });
});
