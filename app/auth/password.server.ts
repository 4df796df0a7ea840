import argon2 from "argon2";

// argon2id with the library's defaults (64 MiB, 3 passes): about 50-100 ms on this machine's cores.
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password.normalize("NFC"), { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password.normalize("NFC"));
  } catch {
    return false;
  }
}

/** Verifying against this keeps a wrong username as slow as a wrong password. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  return (dummyHash ??= hashPassword("phieu-no-such-user"));
}
