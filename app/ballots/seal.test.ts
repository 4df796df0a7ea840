import { describe, expect, it } from "vitest";
import { ballotOpener, generatePollKeyPair, sealBallot, unwrapPrivateKey, wrapPrivateKey } from "./seal.server";

describe("sealed ballots", () => {
  it("open with the poll's private key only", () => {
    const keys = generatePollKeyPair();
    const other = generatePollKeyPair();
    const ballot = Buffer.from(JSON.stringify({ answers: [1, 2, 0] }));
    const sealed = sealBallot(ballot, keys.publicKey);
    expect(sealed.includes(ballot)).toBe(false);
    expect(ballotOpener(keys)(sealed).toString()).toBe(ballot.toString());
    expect(() => ballotOpener({ publicKey: keys.publicKey, privateKey: other.privateKey })(sealed)).toThrow();
  });

  it("seal the same answers differently each time", () => {
    const keys = generatePollKeyPair();
    const a = sealBallot(Buffer.from("same"), keys.publicKey);
    const b = sealBallot(Buffer.from("same"), keys.publicKey);
    expect(a.equals(b)).toBe(false);
  });

  it("refuse a tampered ballot", () => {
    const keys = generatePollKeyPair();
    const sealed = sealBallot(Buffer.from("answers"), keys.publicKey);
    sealed[sealed.length - 1] ^= 1;
    expect(() => ballotOpener(keys)(sealed)).toThrow();
  });

  it("keep the private key wrapped with the server secret, bound to its poll", () => {
    const keys = generatePollKeyPair();
    const secret = "s".repeat(40);
    const wrapped = wrapPrivateKey(keys.privateKey, { secret, pollId: 7 });
    expect(wrapped.includes(keys.privateKey)).toBe(false);
    expect(unwrapPrivateKey(wrapped, { secret, pollId: 7 }).equals(keys.privateKey)).toBe(true);
    expect(() => unwrapPrivateKey(wrapped, { secret, pollId: 8 })).toThrow();
    expect(() => unwrapPrivateKey(wrapped, { secret: "t".repeat(40), pollId: 7 })).toThrow();
  });
});
