// Sealed ballots: each ballot is encrypted to its poll's X25519 public key (a fresh ephemeral key pair per ballot,
// Diffie-Hellman, HKDF-SHA256, AES-256-GCM), so the ballot box holds only ciphertext until the count.
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from "node:crypto";

const BALLOT_INFO = Buffer.from("phieu-ballot-v1");
const RAW_KEY = 32;
const IV = 12;
const TAG = 16;

export interface PollKeyPair {
  publicKey: Buffer; // 32 raw bytes
  privateKey: Buffer; // 32 raw bytes; never stored in the clear
}

/**
 * A fresh X25519 pair, generated already encoded as JWK. Exporting a key object just generated can deadlock Node
 * 20's thread: a garbage collection during the export frees the key-generation job, whose destructor waits for a
 * lock the export holds (seen in gdb, three times in about 2.5 million seals). Never exported, never stuck.
 */
function freshPair(): { publicKey: { x: string }; privateKey: { kty: string; crv: string; x: string; d: string } } {
  return generateKeyPairSync("x25519", {
    publicKeyEncoding: { format: "jwk" },
    privateKeyEncoding: { format: "jwk" },
  } as never) as never;
}

export function generatePollKeyPair(): PollKeyPair {
  const { publicKey, privateKey } = freshPair();
  return { publicKey: Buffer.from(publicKey.x, "base64url"), privateKey: Buffer.from(privateKey.d, "base64url") };
}
/** The raw bytes of an imported (never a freshly generated) public key. */
function rawPublic(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: "jwk" }).x!, "base64url");
}
function publicKeyObject(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: raw.toString("base64url") }, format: "jwk" });
}
function privateKeyObject(raw: Buffer, publicRaw: Buffer): KeyObject {
  return createPrivateKey({
    key: { kty: "OKP", crv: "X25519", x: publicRaw.toString("base64url"), d: raw.toString("base64url") },
    format: "jwk",
  });
}

function sealingKey(shared: Buffer, ephemeralPublic: Buffer, recipientPublic: Buffer, info: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", shared, Buffer.concat([ephemeralPublic, recipientPublic]), info, RAW_KEY));
}

/** ephemeral public key (32) ‖ iv (12) ‖ tag (16) ‖ ciphertext */
export function sealBallot(plaintext: Buffer, recipientPublicKey: Uint8Array): Buffer {
  return sealTo(plaintext, recipientPublicKey, BALLOT_INFO);
}

/**
 * Seals `plaintext` to an X25519 public key, in the ballots' format; `info` separates what is sealed (a ballot, a
 * committee member's key share bound to its poll and member), so that one kind never opens as another.
 */
export function sealTo(plaintext: Uint8Array, recipientPublicKey: Uint8Array, info: Buffer): Buffer {
  const recipientPublic = Buffer.from(recipientPublicKey);
  const ephemeral = freshPair();
  const ephemeralPublic = Buffer.from(ephemeral.publicKey.x, "base64url");
  const shared = diffieHellman({
    privateKey: createPrivateKey({ key: ephemeral.privateKey, format: "jwk" }),
    publicKey: publicKeyObject(recipientPublic),
  });
  const key = sealingKey(shared, ephemeralPublic, recipientPublic, info);
  shared.fill(0);
  const iv = randomBytes(IV);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  key.fill(0);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([ephemeralPublic, iv, cipher.getAuthTag(), ciphertext]);
}

/** Opens what `sealTo` sealed with the same `info`; throws when the key or the info is not the one sealed to. */
export function openSealed(
  sealedBytes: Uint8Array,
  pair: { publicKey: Uint8Array; privateKey: Uint8Array },
  info: Buffer
): Buffer {
  return openerFor(pair, info)(sealedBytes);
}

/** An opener for one poll: the private key object is built once, not per ballot. */
export function ballotOpener(pair: { publicKey: Uint8Array; privateKey: Uint8Array }) {
  return openerFor(pair, BALLOT_INFO);
}

function openerFor(pair: { publicKey: Uint8Array; privateKey: Uint8Array }, info: Buffer) {
  const keys = { publicKey: Buffer.from(pair.publicKey), privateKey: Buffer.from(pair.privateKey) };
  const privateKey = privateKeyObject(keys.privateKey, keys.publicKey);
  keys.privateKey.fill(0);
  return (sealedBytes: Uint8Array): Buffer => {
    const sealed = Buffer.from(sealedBytes.buffer, sealedBytes.byteOffset, sealedBytes.byteLength);
    const ephemeralPublic = sealed.subarray(0, RAW_KEY);
    const iv = sealed.subarray(RAW_KEY, RAW_KEY + IV);
    const tag = sealed.subarray(RAW_KEY + IV, RAW_KEY + IV + TAG);
    const ciphertext = sealed.subarray(RAW_KEY + IV + TAG);
    const shared = diffieHellman({ privateKey, publicKey: publicKeyObject(Buffer.from(ephemeralPublic)) });
    const key = sealingKey(shared, Buffer.from(ephemeralPublic), keys.publicKey, info);
    shared.fill(0);
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    key.fill(0);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  };
}

/** The parts of node:crypto that opening needs: what a worker thread hands to `createBatchOpener`. */
export type OpeningCrypto = Pick<
  typeof import("node:crypto"),
  "createDecipheriv" | "createHmac" | "createPrivateKey" | "createPublicKey" | "diffieHellman"
>;

/**
 * An opener for the count: the same ballots as `ballotOpener`, for less CPU a ballot (some 42 µs, opened and
 * decoded, on the benchmark's machine, against 48 for `ballotOpener`; of those, the X25519 exchange through
 * `diffieHellman` is about 27, the peer's key object from JWK 4, the two HMACs 3, AES-GCM 3). The key derivation
 * is HKDF-SHA256 (RFC 5869) written out as its two HMACs — for one 32-byte block that is the whole of it, and
 * `hkdfSync` costs more per call than both. Digests by hand (one-shot `hash`) save nothing measurable; the peer's
 * key from DER instead of JWK costs 15 times more (OpenSSL 3's decoders).
 *
 * Refers to nothing outside itself (node:crypto comes in as an argument, the format's sizes are spelled out here),
 * so that the count's worker threads run its source: see open-pool-worker.server.ts. The tests check it against
 * `sealBallot` and `ballotOpener`.
 */
export function createBatchOpener(
  crypto: OpeningCrypto,
  pair: { publicKey: Uint8Array; privateKey: Uint8Array }
): (sealed: Uint8Array) => Buffer {
  const RAW = 32;
  const NONCE = 12;
  const AUTH_TAG = 16;
  // HKDF-Expand's first block: info ‖ 0x01, where info is "phieu-ballot-v1".
  const infoBlock = Buffer.concat([Buffer.from("phieu-ballot-v1"), Buffer.from([1])]);
  const recipientPublic = Buffer.from(pair.publicKey);
  const privateKey = crypto.createPrivateKey({
    key: {
      kty: "OKP",
      crv: "X25519",
      x: recipientPublic.toString("base64url"),
      d: Buffer.from(pair.privateKey).toString("base64url"),
    },
    format: "jwk",
  });
  // HKDF's salt is the ephemeral public key ‖ the poll's public key: only the first half changes with each ballot.
  const salt = Buffer.alloc(2 * RAW);
  recipientPublic.copy(salt, RAW);
  const peer = { key: { kty: "OKP", crv: "X25519", x: "" }, format: "jwk" as const };
  return (sealedBytes) => {
    const sealed = Buffer.isBuffer(sealedBytes)
      ? sealedBytes
      : Buffer.from(sealedBytes.buffer, sealedBytes.byteOffset, sealedBytes.byteLength);
    if (sealed.length < RAW + NONCE + AUTH_TAG) throw new Error("sealed ballot too short");
    sealed.copy(salt, 0, 0, RAW);
    peer.key.x = sealed.toString("base64url", 0, RAW);
    const shared = crypto.diffieHellman({ privateKey, publicKey: crypto.createPublicKey(peer) });
    const pseudoRandomKey = crypto.createHmac("sha256", salt).update(shared).digest();
    const key = crypto.createHmac("sha256", pseudoRandomKey).update(infoBlock).digest();
    shared.fill(0);
    pseudoRandomKey.fill(0);
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, sealed.subarray(RAW, RAW + NONCE));
    key.fill(0);
    decipher.setAuthTag(sealed.subarray(RAW + NONCE, RAW + NONCE + AUTH_TAG));
    const plain = decipher.update(sealed.subarray(RAW + NONCE + AUTH_TAG));
    // GCM hands over the whole plaintext on update; final checks the tag (it throws if the tag does not match).
    const rest = decipher.final();
    return rest.length === 0 ? plain : Buffer.concat([plain, rest]);
  };
}

/** The parts of node:crypto that sealing needs. */
export type SealingCrypto = Pick<
  typeof import("node:crypto"),
  | "createCipheriv"
  | "createHmac"
  | "createPrivateKey"
  | "createPublicKey"
  | "diffieHellman"
  | "generateKeyPairSync"
  | "randomBytes"
>;

/**
 * A sealer for many ballots to one poll's public key, in `sealBallot`'s format (a fresh ephemeral key pair for
 * each ballot). For the benchmark, which seals a million ballots in worker threads.
 *
 * The ephemeral pair is generated already encoded as JWK, never exported from its KeyObject afterwards: on Node 20,
 * `generateKeyPairSync` followed by `export()` of the new key deadlocked a thread about once in a few hundred
 * thousand ballots (a garbage collection during the export finalizes the key generation job, whose destructor
 * waits for the key's lock, which the export holds). Refers to nothing outside itself, like `createBatchOpener`.
 */
export function createBatchSealer(
  crypto: SealingCrypto,
  recipientPublicKey: Uint8Array
): (plaintext: Uint8Array) => Buffer {
  const RAW = 32;
  const NONCE = 12;
  const infoBlock = Buffer.concat([Buffer.from("phieu-ballot-v1"), Buffer.from([1])]);
  const recipientPublic = Buffer.from(recipientPublicKey);
  const recipient = crypto.createPublicKey({
    key: { kty: "OKP", crv: "X25519", x: recipientPublic.toString("base64url") },
    format: "jwk",
  });
  const salt = Buffer.alloc(2 * RAW);
  recipientPublic.copy(salt, RAW);
  return (plaintext) => {
    const pair = crypto.generateKeyPairSync("x25519", {
      publicKeyEncoding: { format: "jwk" },
      privateKeyEncoding: { format: "jwk" },
    }) as unknown as { publicKey: { x: string }; privateKey: { kty: string; crv: string; x: string; d: string } };
    const ephemeralPublic = Buffer.from(pair.publicKey.x, "base64url");
    const shared = crypto.diffieHellman({
      privateKey: crypto.createPrivateKey({ key: pair.privateKey, format: "jwk" }),
      publicKey: recipient,
    });
    ephemeralPublic.copy(salt, 0);
    const pseudoRandomKey = crypto.createHmac("sha256", salt).update(shared).digest();
    const key = crypto.createHmac("sha256", pseudoRandomKey).update(infoBlock).digest();
    shared.fill(0);
    pseudoRandomKey.fill(0);
    const iv = crypto.randomBytes(NONCE);
    const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
    key.fill(0);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([ephemeralPublic, iv, cipher.getAuthTag(), ciphertext]);
  };
}

/** The raw public key of a raw X25519 private key: checks that recovered shares rebuilt the poll's own key. */
export function publicKeyOf(privateKey: Uint8Array): Buffer | null {
  if (privateKey.length !== RAW_KEY) return null;
  try {
    const key = createPrivateKey({
      key: Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), Buffer.from(privateKey)]),
      format: "der",
      type: "pkcs8",
    });
    return rawPublic(createPublicKey(key));
  } catch {
    return null;
  }
}
