import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Pure helpers for the dashboard's secrets: links and cookies carry one, SQLite keeps its hash. */

/** 32 random bytes, URL-safe: a link's or a session's secret. */
export const newSecret = (): string => randomBytes(32).toString("base64url");

/** What is stored of a secret: its SHA-256 (hex). A secret of the wrong shape hashes too, to nothing stored. */
export const hashSecret = (secret: string): string => createHash("sha256").update(secret).digest("hex");

/** A secret as it may appear: 43 base64url characters (bounded before anything is hashed). */
export const looksLikeSecret = (s: string | null | undefined): s is string =>
  typeof s === "string" && /^[A-Za-z0-9_-]{43}$/.test(s);

/** Equal strings, compared in constant time (over their digests, so lengths do not leak). */
export function sameSecret(a: string, b: string): boolean {
  const d = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(d(a), d(b));
}
