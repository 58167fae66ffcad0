import { describe, expect, test } from "bun:test";
import { clearedCookie, readCookie, sessionCookie } from "../../../src/features/web/cookies.ts";
import { hashSecret, looksLikeSecret, newSecret, sameSecret } from "../../../src/features/web/secrets.ts";

describe("session cookie", () => {
  test("__Host-, Secure, HttpOnly, SameSite=Strict, Path=/, bounded", () => {
    expect(sessionCookie("s3cr3t", 43200)).toBe(
      "__Host-octopus=s3cr3t; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=43200",
    );
    expect(clearedCookie()).toContain("Max-Age=0");
  });

  test("read from a Cookie header among others; absent, oversized or other names give nothing", () => {
    expect(readCookie("a=1; __Host-octopus=abc; b=2")).toBe("abc");
    expect(readCookie("octopus=abc")).toBeUndefined();
    expect(readCookie(null)).toBeUndefined();
    expect(readCookie(`__Host-octopus=abc; x=${"y".repeat(9000)}`)).toBeUndefined();
  });
});

describe("secrets", () => {
  test("43 URL-safe characters, never the same twice; the hash is what is stored", () => {
    const a = newSecret();
    expect(looksLikeSecret(a)).toBe(true);
    expect(newSecret()).not.toBe(a);
    expect(hashSecret(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(looksLikeSecret("short")).toBe(false);
    expect(looksLikeSecret(`${a.slice(0, 42)}!`)).toBe(false);
    expect(sameSecret(a, a)).toBe(true);
    expect(sameSecret(a, newSecret())).toBe(false);
  });
});
