// The insider's attack on the keys: look for every private key and share in every form in every byte taken, try the
// server's secret on every blob under the old wrapping schemes and under keys derived from it in general, and try
// every 32-byte value found as a poll's private key on every sealed ballot and share. The test acted as every
// member and as the operator, so it knows the keys it looks for; the attack itself uses only what was taken.
import { createDecipheriv, createHash, createHmac, hkdfSync } from "node:crypto";
import * as nodeCrypto from "node:crypto";
import { createBatchOpener, openSealed } from "../../../app/ballots/seal.server";
import { encodeKeyCode, shareInfo } from "../../../app/polls/key-holders.server";

// ---------------------------------------------------------------------------------------------------------------
// (a) Every form a key could be written in.

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/**
 * The encodings of `key` that any text holding it must contain: raw, hex (both cases), base64 and base64url at each
 * of the three byte alignments it could sit at within a longer value (the characters that depend on the key's bytes
 * alone), base32 likewise at each of five alignments, and the key-code form members are shown (with and without its
 * dashes, its checksum included).
 */
export function encodingsOf(key: Buffer): { form: string; bytes: Buffer }[] {
  const forms: { form: string; bytes: Buffer }[] = [
    { form: "raw", bytes: key },
    { form: "hex", bytes: Buffer.from(key.toString("hex")) },
    { form: "HEX", bytes: Buffer.from(key.toString("hex").toUpperCase()) },
  ];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), key, Buffer.alloc(3)]);
    // Four characters encode three bytes: drop those that also depend on the bytes around the key.
    const b64 = padded.toString("base64").slice(4, -8);
    forms.push({ form: `base64+${shift}`, bytes: Buffer.from(b64) });
    forms.push({ form: `base64url+${shift}`, bytes: Buffer.from(b64.replace(/\+/g, "-").replace(/\//g, "_")) });
  }
  for (let shift = 0; shift < 5; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), key, Buffer.alloc(5)]);
    forms.push({ form: `base32+${shift}`, bytes: Buffer.from(base32(padded).slice(8, -16)) });
  }
  const code = encodeKeyCode(key);
  forms.push({ form: "key code", bytes: Buffer.from(code) });
  forms.push({ form: "key code without dashes", bytes: Buffer.from(code.replace(/-/g, "")) });
  return forms;
}

export interface Haystack {
  name: string;
  bytes: Buffer;
}

export interface Finding {
  secret: string;
  form: string;
  where: string;
  offset: number;
}

/** Every occurrence of every encoding of every secret in every haystack (the first per haystack and form). */
export function searchAll(secrets: { name: string; bytes: Buffer }[], haystacks: Haystack[]): Finding[] {
  const findings: Finding[] = [];
  for (const secret of secrets) {
    for (const { form, bytes } of encodingsOf(secret.bytes)) {
      for (const haystack of haystacks) {
        const offset = haystack.bytes.indexOf(bytes);
        if (offset >= 0) findings.push({ secret: secret.name, form, where: haystack.name, offset });
      }
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// (b) The server's secret against every blob.

const IV = 12;
const TAG = 16;

function gcmOpens(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, aad: Buffer | null): Buffer | null {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}

export interface WrapContext {
  pollIds: number[];
  /** poll_committee_members.id of every committee row (the old scheme bound a share to its member row). */
  members: { pollId: number; memberId: number }[];
  /** Accounts of key holders (the new scheme binds a share to the poll and the account). */
  holders: { pollId: number; userId: number }[];
}

/**
 * The keys that the old code derived from the server's secret, exactly (git show HEAD:app/ballots/seal.server.ts):
 * HKDF-SHA256(secret, salt `poll:<id>`, info "phieu-poll-key-wrap-v1") for a poll's key, with AAD `poll:<id>`;
 * HKDF-SHA256(secret, salt `poll:<id>:member:<memberId>`, info "phieu-poll-key-share-wrap-v1") for a share, with
 * that same AAD; both AES-256-GCM, iv ‖ tag ‖ ciphertext.
 */
export function oldSchemeKeys(secret: string, ctx: WrapContext) {
  const keys: { label: string; key: Buffer; aad: Buffer; size: number }[] = [];
  for (const pollId of ctx.pollIds) {
    const context = Buffer.from(`poll:${pollId}`);
    keys.push({
      label: `old poll-key wrap, poll ${pollId}`,
      key: Buffer.from(hkdfSync("sha256", Buffer.from(secret), context, Buffer.from("phieu-poll-key-wrap-v1"), 32)),
      aad: context,
      size: IV + TAG + 32,
    });
  }
  for (const { pollId, memberId } of ctx.members) {
    const context = Buffer.from(`poll:${pollId}:member:${memberId}`);
    keys.push({
      label: `old share wrap, poll ${pollId} member ${memberId}`,
      key: Buffer.from(
        hkdfSync("sha256", Buffer.from(secret), context, Buffer.from("phieu-poll-key-share-wrap-v1"), 32)
      ),
      aad: context,
      // A share of a 32-byte key is 33 bytes (shamir-secret-sharing appends its x coordinate).
      size: IV + TAG + 33,
    });
  }
  return keys;
}

/**
 * 32-byte keys derived from the secret in general, each with the AADs worth trying: its bytes as they are, decoded
 * (the generated secret is base64url of 32 random bytes), hashed (no AAD, or any context); HMAC'd over each context,
 * and HKDF'd with each context as salt and each info string the old code used (no AAD, or that context); HKDF'd with
 * the info that binds a share to its holder now.
 */
export function derivedKeys(
  secret: string,
  ctx: WrapContext
): { label: string; key: Buffer; aads: (Buffer | null)[] }[] {
  const ikm = Buffer.from(secret);
  const contexts = [
    ...ctx.pollIds.map((p) => `poll:${p}`),
    ...ctx.members.map((m) => `poll:${m.pollId}:member:${m.memberId}`),
  ];
  const anyContext = [null, ...contexts.map((c) => Buffer.from(c))];
  const keys: { label: string; key: Buffer; aads: (Buffer | null)[] }[] = [];
  const add = (label: string, key: Buffer, aads: (Buffer | null)[]) => {
    if (key.length === 32) keys.push({ label, key, aads });
  };
  add("secret bytes", ikm.subarray(0, 32), anyContext);
  add("secret base64url-decoded", Buffer.from(secret, "base64url"), anyContext);
  if (/^[0-9a-f]{64}$/i.test(secret)) add("secret hex-decoded", Buffer.from(secret, "hex"), anyContext);
  add("sha256(secret)", createHash("sha256").update(ikm).digest(), anyContext);
  add("sha512(secret)[0..32]", createHash("sha512").update(ikm).digest().subarray(0, 32), anyContext);
  for (const info of ["", "phieu-poll-key-wrap-v1", "phieu-poll-key-share-wrap-v1", "phieu-ballot-v1"]) {
    add(
      `hkdf(secret, no salt, info "${info}")`,
      Buffer.from(hkdfSync("sha256", ikm, Buffer.alloc(0), Buffer.from(info), 32)),
      anyContext
    );
  }
  for (const context of contexts) {
    const own = [null, Buffer.from(context)];
    add(`hmac-sha256(secret, "${context}")`, createHmac("sha256", ikm).update(context).digest(), own);
    for (const info of ["", "phieu-poll-key-wrap-v1", "phieu-poll-key-share-wrap-v1"]) {
      add(
        `hkdf(secret, salt "${context}", info "${info}")`,
        Buffer.from(hkdfSync("sha256", ikm, Buffer.from(context), Buffer.from(info), 32)),
        own
      );
    }
  }
  for (const h of ctx.holders) {
    const info = shareInfo(h.pollId, h.userId);
    add(`hkdf(secret, no salt, info "${info}")`, Buffer.from(hkdfSync("sha256", ikm, Buffer.alloc(0), info, 32)), [
      null,
    ]);
  }
  return keys;
}

export interface Blob {
  where: string;
  bytes: Buffer;
  /**
   * Tried under the old schemes only: the sealed ballots of a box after its first few. A key derived from the secret
   * is one key per poll, so the first rows of a box stand for the others under it; the old schemes see every value.
   */
  oldSchemesOnly?: boolean;
}

export interface Unwrapped {
  where: string;
  how: string;
  plaintext: Buffer;
}

/**
 * Tries every blob under the old schemes (only where the size fits: iv ‖ tag ‖ 32 or 33 bytes) and, unless it is
 * marked `oldSchemesOnly`, under every derived key with its AADs, as iv ‖ tag ‖ ciphertext and as iv ‖ ciphertext
 * ‖ tag. Values found by scanning (their names start with "scan:") get the old schemes only. Returns what opened (a
 * GCM tag that checks out by chance has probability 2^-128 per try).
 */
export function unwrapAll(secret: string, ctx: WrapContext, blobs: Blob[]): { tries: number; opened: Unwrapped[] } {
  const old = oldSchemeKeys(secret, ctx);
  const derived = derivedKeys(secret, ctx);
  let tries = 0;
  const opened: Unwrapped[] = [];
  for (const blob of blobs) {
    const b = blob.bytes;
    if (b.length < IV + TAG + 1) continue;
    for (const k of old) {
      if (b.length !== k.size) continue;
      tries++;
      const plain = gcmOpens(k.key, b.subarray(0, IV), b.subarray(IV, IV + TAG), b.subarray(IV + TAG), k.aad);
      if (plain) opened.push({ where: blob.where, how: k.label, plaintext: plain });
    }
    if (!blob.where.startsWith("scan:") && !blob.oldSchemesOnly) {
      for (const k of derived) {
        for (const aad of k.aads) {
          tries += 2;
          const a = gcmOpens(k.key, b.subarray(0, IV), b.subarray(IV, IV + TAG), b.subarray(IV + TAG), aad);
          if (a) opened.push({ where: blob.where, how: `${k.label}, iv‖tag‖ct, aad ${aad}`, plaintext: a });
          const c = gcmOpens(k.key, b.subarray(0, IV), b.subarray(b.length - TAG), b.subarray(IV, b.length - TAG), aad);
          if (c) opened.push({ where: blob.where, how: `${k.label}, iv‖ct‖tag, aad ${aad}`, plaintext: c });
        }
      }
    }
  }
  return { tries, opened };
}

/**
 * Values of the old wrapped sizes (60 and 61 bytes) as a bytea is stored in a page or a WAL record: a one-byte
 * varlena header ((size + 1) << 1 | 1) followed by the bytes. Bounded to plausible ciphertext: 60 random bytes have
 * on average 53 distinct values and fewer than 40 with probability below 10^-12, while page and catalog bytes
 * (zeros, text, small integers) rarely do.
 */
export function scanForWrappedSizes(where: string, bytes: Buffer): Blob[] {
  const found: Blob[] = [];
  const headers = new Map([
    [((IV + TAG + 32 + 1) << 1) | 1, IV + TAG + 32],
    [((IV + TAG + 33 + 1) << 1) | 1, IV + TAG + 33],
  ]);
  const seen = new Uint8Array(256);
  for (let i = 0; i + 1 < bytes.length; i++) {
    const size = headers.get(bytes[i]);
    if (size === undefined || i + 1 + size > bytes.length) continue;
    const value = bytes.subarray(i + 1, i + 1 + size);
    seen.fill(0);
    let distinct = 0;
    for (const v of value) if (!seen[v]++) distinct++;
    if (distinct >= 40) found.push({ where: `scan:${where}@${i + 1}`, bytes: value });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// (c) Every 32-byte value found, as a private key, against every sealed ballot and share.

/** 32-byte values hidden in text: hex (64 digits) and base64/base64url (43 or 44 characters) tokens. */
export function keysInText(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(/[0-9a-fA-F]{64}/g)) out.push(Buffer.from(m[0], "hex"));
  for (const m of text.matchAll(/[A-Za-z0-9+/_-]{43}=?/g)) {
    const bytes = Buffer.from(m[0].replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (bytes.length === 32) out.push(bytes);
  }
  return out;
}

export interface SealedItem {
  where: string;
  sealed: Buffer;
  /** The public key it is sealed to, and what it is: a poll's ballot, or a holder's share. */
  publicKey: Buffer;
  info: { kind: "ballot" } | { kind: "share"; pollId: number; userId: number };
}

/**
 * Tries every candidate as the private key of every public key that sealed items are sealed to: on the first sealed
 * ballot of each poll and on every sealed share. Every ballot of a poll is sealed to the poll's one public key, each
 * with a fresh ephemeral key: a candidate opens one exactly when its X25519 public key is the poll's, and then opens
 * them all, so one try per poll stands for all of its ballots (`candidatesMatchingPublicKeys` asks the same question
 * directly, for every public key in the database). Returns how many tries were made and what opened.
 */
export function openAll(candidates: { where: string; key: Buffer }[], items: SealedItem[]) {
  let tries = 0;
  const opened: { item: string; candidate: string }[] = [];
  const firstBallots = new Map<string, SealedItem>();
  for (const item of items) {
    if (item.info.kind === "ballot" && !firstBallots.has(item.publicKey.toString("hex"))) {
      firstBallots.set(item.publicKey.toString("hex"), item);
    }
  }
  for (const candidate of candidates) {
    for (const item of firstBallots.values()) {
      tries++;
      try {
        createBatchOpener(nodeCrypto, { publicKey: item.publicKey, privateKey: candidate.key })(item.sealed);
        opened.push({ item: item.where, candidate: candidate.where });
      } catch {
        // Not a usable X25519 scalar, or the tag does not check out: not this poll's key.
      }
    }
    for (const item of items) {
      if (item.info.kind !== "share") continue;
      tries++;
      try {
        openSealed(
          item.sealed,
          { publicKey: item.publicKey, privateKey: candidate.key },
          shareInfo(item.info.pollId, item.info.userId)
        );
        opened.push({ item: item.where, candidate: candidate.where });
      } catch {
        // Not this member's key.
      }
    }
  }
  return { tries, opened };
}

const BASE_POINT = (() => {
  const u = Buffer.alloc(32);
  u[0] = 9;
  return nodeCrypto.createPublicKey({ key: { kty: "OKP", crv: "X25519", x: u.toString("base64url") }, format: "jwk" });
})();

/**
 * The X25519 public key of a 32-byte private key: the exchange with the base point (u = 9), which is what deriving
 * the public key is; about five times cheaper than `publicKeyOf`'s DER import and export (the test checks they agree).
 */
export function x25519Public(privateKey: Buffer): Buffer {
  const key = nodeCrypto.createPrivateKey({
    // The x of a private JWK is not used by the exchange: only d is.
    key: { kty: "OKP", crv: "X25519", d: privateKey.toString("base64url"), x: privateKey.toString("base64url") },
    format: "jwk",
  });
  return nodeCrypto.diffieHellman({ privateKey: key, publicKey: BASE_POINT });
}

/** Which candidates are the private half of a public key that the database holds (the same question, asked directly). */
export function candidatesMatchingPublicKeys(candidates: { where: string; key: Buffer }[], publicKeys: Buffer[]) {
  const wanted = new Set(publicKeys.map((k) => k.toString("hex")));
  return candidates.filter((c) => wanted.has(x25519Public(c.key).toString("hex")));
}

/**
 * A key wrapped the way the old code wrapped it (iv ‖ tag ‖ AES-256-GCM under HKDF(secret, `poll:<id>`, info
 * "phieu-poll-key-wrap-v1"), AAD `poll:<id>`), stored as a page or a WAL record stores a short bytea: the control
 * that shows `scanForWrappedSizes` and `unwrapAll` would find and open what the old code left behind.
 */
export function oldWrappedAsStored(privateKey: Buffer, secret: string, pollId: number): Buffer {
  const context = Buffer.from(`poll:${pollId}`);
  const key = Buffer.from(hkdfSync("sha256", Buffer.from(secret), context, Buffer.from("phieu-poll-key-wrap-v1"), 32));
  const iv = nodeCrypto.randomBytes(IV);
  const cipher = nodeCrypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(context);
  const ciphertext = Buffer.concat([cipher.update(privateKey), cipher.final()]);
  const wrapped = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
  return Buffer.concat([
    nodeCrypto.randomBytes(100),
    Buffer.from([((wrapped.length + 1) << 1) | 1]),
    wrapped,
    nodeCrypto.randomBytes(100),
  ]);
}
