/**
 * Pure: the session cookie. `__Host-` makes the browser refuse it unless it is Secure, has
 * Path=/ and no Domain: it cannot be set by a sibling host nor read over plain http elsewhere.
 * HttpOnly keeps it from scripts, SameSite=Strict from every request another site starts.
 */

export const SESSION_COOKIE = "__Host-octopus";

export function sessionCookie(secret: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${secret}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeSeconds)}`;
}

export const clearedCookie = (): string =>
  `${SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`;

/** The value of one cookie in a Cookie header, or undefined (bounded: a header past 8 KiB is ignored). */
export function readCookie(header: string | null, name = SESSION_COOKIE): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    if (part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
