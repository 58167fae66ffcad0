import { chmodSync, closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { StorageError } from "../shared/errors.ts";

/**
 * Secrets at rest (Plume authorization headers, access tokens) are sealed with AES-256-GCM
 * (Web Crypto): a random 96-bit nonce per value, stored as `v1:<base64 nonce>:<base64 ct>`.
 * The key comes from OCTOPUS_SECRET_KEY (base64, 32 bytes), else `secret.key` in the state
 * directory, created 0600 on first use.
 */
export interface SecretBox {
  seal(plain: string): Promise<string>;
  open(sealed: string): Promise<string>;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const unb64 = (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(text, "base64"));

export async function createSecretBox(rawKey: Uint8Array<ArrayBuffer>): Promise<SecretBox> {
  if (rawKey.byteLength !== 32)
    throw new StorageError("the secret key must be 32 bytes (base64 of 32 random bytes)");
  const key = await crypto.subtle.importKey("raw", rawKey, { name: "AES-GCM" }, false, [
    "encrypt",
    "decrypt",
  ]);
  return {
    async seal(plain) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = new Uint8Array(
        await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(plain)),
      );
      return `v1:${b64(iv)}:${b64(ct)}`;
    },
    async open(sealed) {
      const [version, iv, ct] = sealed.split(":");
      if (version !== "v1" || !iv || !ct) throw new StorageError("a stored secret has an unknown format");
      try {
        const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(iv) }, key, unb64(ct));
        return new TextDecoder().decode(plain);
      } catch (cause) {
        throw new StorageError("a stored secret cannot be decrypted: was the secret key changed?", { cause });
      }
    },
  };
}

/** The key bytes from OCTOPUS_SECRET_KEY, else `<stateDir>/secret.key` (created 0600 if missing). */
export function loadSecretKey(envValue: string | undefined, stateDir: string): Uint8Array<ArrayBuffer> {
  if (envValue) {
    const key = unb64(envValue.trim());
    if (key.byteLength !== 32)
      throw new StorageError("OCTOPUS_SECRET_KEY must be base64 of 32 bytes (openssl rand -base64 32)");
    return key;
  }
  const file = join(stateDir, "secret.key");
  if (!existsSync(file)) {
    const fd = openSync(file, "wx", 0o600);
    writeSync(fd, b64(crypto.getRandomValues(new Uint8Array(32))));
    closeSync(fd);
  }
  chmodSync(file, 0o600);
  const key = unb64(readFileSync(file, "utf8").trim());
  if (key.byteLength !== 32) throw new StorageError(`${file} does not hold a 32-byte base64 key`);
  return key;
}
