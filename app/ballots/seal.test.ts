import { describe, expect, it } from "vitest";
import { ballotOpener, generatePollKeyPair, openSealed, sealBallot, sealTo } from "./seal.server";

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

  it("seal a share to a member's key, bound to what it is for: a ballot opener or another binding opens nothing", () => {
    const member = generatePollKeyPair();
    const share = Buffer.from("a share of the poll's key, 33 by");
    const info = Buffer.from("phieu-key-share-v2|poll:7|user:3");
    const sealed = sealTo(share, member.publicKey, info);
    expect(sealed.includes(share)).toBe(false);
    expect(openSealed(sealed, member, info).equals(share)).toBe(true);
    expect(() => openSealed(sealed, member, Buffer.from("phieu-key-share-v2|poll:8|user:3"))).toThrow();
    expect(() => ballotOpener(member)(sealed)).toThrow();
    expect(() => openSealed(sealBallot(share, member.publicKey), member, info)).toThrow();
  });
});
