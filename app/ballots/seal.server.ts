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
const WRAP_INFO = Buffer.from("phieu-poll-key-wrap-v1");
const RAW_KEY = 32;
const IV = 12;
const TAG = 16;

export interface PollKeyPair {
  publicKey: Buffer; // 32 raw bytes
  privateKey: Buffer; // 32 raw bytes; never stored in the clear
}

export function generatePollKeyPair(): PollKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("x25519");
  return { publicKey: rawPublic(publicKey), privateKey: rawPrivate(privateKey) };
}

function rawPublic(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: "jwk" }).x!, "base64url");
}
function rawPrivate(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: "jwk" }).d!, "base64url");
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

function ballotKey(shared: Buffer, ephemeralPublic: Buffer, recipientPublic: Buffer): Buffer {
  return Buffer.from(
    hkdfSync("sha256", shared, Buffer.concat([ephemeralPublic, recipientPublic]), BALLOT_INFO, RAW_KEY)
  );
}

/** ephemeral public key (32) ‖ iv (12) ‖ tag (16) ‖ ciphertext */
export function sealBallot(plaintext: Buffer, recipientPublicKey: Uint8Array): Buffer {
  const recipientPublic = Buffer.from(recipientPublicKey);
  const ephemeral = generateKeyPairSync("x25519");
  const ephemeralPublic = rawPublic(ephemeral.publicKey);
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: publicKeyObject(recipientPublic) });
  const key = ballotKey(shared, ephemeralPublic, recipientPublic);
  const iv = randomBytes(IV);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([ephemeralPublic, iv, cipher.getAuthTag(), ciphertext]);
}

/** An opener for one poll: the private key object is built once, not per ballot. */
export function ballotOpener(pair: { publicKey: Uint8Array; privateKey: Uint8Array }) {
  const keys = { publicKey: Buffer.from(pair.publicKey), privateKey: Buffer.from(pair.privateKey) };
  const privateKey = privateKeyObject(keys.privateKey, keys.publicKey);
  return (sealedBytes: Uint8Array): Buffer => {
    const sealed = Buffer.from(sealedBytes.buffer, sealedBytes.byteOffset, sealedBytes.byteLength);
    const ephemeralPublic = sealed.subarray(0, RAW_KEY);
    const iv = sealed.subarray(RAW_KEY, RAW_KEY + IV);
    const tag = sealed.subarray(RAW_KEY + IV, RAW_KEY + IV + TAG);
    const ciphertext = sealed.subarray(RAW_KEY + IV + TAG);
    const shared = diffieHellman({ privateKey, publicKey: publicKeyObject(Buffer.from(ephemeralPublic)) });
    const key = ballotKey(shared, Buffer.from(ephemeralPublic), keys.publicKey);
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  };
}

function wrapKey(secret: string, pollId: number): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(secret), Buffer.from(`poll:${pollId}`), WRAP_INFO, 32));
}

/** The poll's private key, wrapped with the server's secret (which is not in the database): iv ‖ tag ‖ ciphertext. */
export function wrapPrivateKey(privateKey: Buffer, { secret, pollId }: { secret: string; pollId: number }): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv("aes-256-gcm", wrapKey(secret, pollId), iv);
  cipher.setAAD(Buffer.from(`poll:${pollId}`));
  const ciphertext = Buffer.concat([cipher.update(privateKey), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

export function unwrapPrivateKey(
  wrappedBytes: Uint8Array,
  { secret, pollId }: { secret: string; pollId: number }
): Buffer {
  const wrapped = Buffer.from(wrappedBytes);
  const decipher = createDecipheriv("aes-256-gcm", wrapKey(secret, pollId), wrapped.subarray(0, IV));
  decipher.setAAD(Buffer.from(`poll:${pollId}`));
  decipher.setAuthTag(wrapped.subarray(IV, IV + TAG));
  return Buffer.concat([decipher.update(wrapped.subarray(IV + TAG)), decipher.final()]);
}

const SHARE_INFO = Buffer.from("phieu-poll-key-share-wrap-v1");

function shareContext(pollId: number, memberId: number): Buffer {
  return Buffer.from(`poll:${pollId}:member:${memberId}`);
}

function shareKey(secret: string, pollId: number, memberId: number): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(secret), shareContext(pollId, memberId), SHARE_INFO, 32));
}

/**
 * A committee member's key share, wrapped with the server's secret and bound to the poll and the member (a share
 * moved to another member's row does not open): iv ‖ tag ‖ ciphertext. Kept only until the member claims it.
 */
export function wrapShare(
  share: Uint8Array,
  { secret, pollId, memberId }: { secret: string; pollId: number; memberId: number }
): Buffer {
  const iv = randomBytes(IV);
  const cipher = createCipheriv("aes-256-gcm", shareKey(secret, pollId, memberId), iv);
  cipher.setAAD(shareContext(pollId, memberId));
  const ciphertext = Buffer.concat([cipher.update(share), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

export function unwrapShare(
  wrappedBytes: Uint8Array,
  { secret, pollId, memberId }: { secret: string; pollId: number; memberId: number }
): Buffer {
  const wrapped = Buffer.from(wrappedBytes);
  const decipher = createDecipheriv("aes-256-gcm", shareKey(secret, pollId, memberId), wrapped.subarray(0, IV));
  decipher.setAAD(shareContext(pollId, memberId));
  decipher.setAuthTag(wrapped.subarray(IV, IV + TAG));
  return Buffer.concat([decipher.update(wrapped.subarray(IV + TAG)), decipher.final()]);
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
