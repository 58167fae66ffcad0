import { describe, expect, test } from "bun:test";
import { createWebAuth, LINK_MS } from "../../../src/features/web/auth.ts";
import { openMemoryDb } from "../../../src/storage/db.ts";
import { createWebRepo } from "../../../src/storage/web-repo.ts";
import type { Role } from "../../../src/telegram/feature.ts";

const client = { address: "203.0.113.9", browser: "Firefox 133 on Linux" };

function setUp() {
  const db = openMemoryDb();
  const clock = { t: 1_800_000_000_000, now: () => clock.t, timeZone: "UTC" };
  const roles = new Map<number, Role>([
    [1, "admin"],
    [2, "viewer"],
  ]);
  const auth = createWebAuth({
    repo: createWebRepo(db),
    clock,
    roleOf: (id) => roles.get(id),
    sessionMs: 3_600_000,
    botToken: "1:x",
  });
  const cookieOf = (c: string) => /^(__Host-octopus=[^;]+)/.exec(c)?.[1] ?? "";
  return { db, clock, roles, auth, cookieOf };
}

describe("web logins", () => {
  test("a link works once and until its minute is over, not a millisecond more", () => {
    const { clock, auth } = setUp();
    const a = auth.issueLink(1, "Ada");
    clock.t += LINK_MS - 1;
    expect(auth.redeemLink(a.secret, client).ok).toBe(true);
    expect(auth.redeemLink(a.secret, client)).toEqual({ ok: false, error: { kind: "link-used" } });
    const b = auth.issueLink(1, "Ada");
    clock.t += LINK_MS;
    expect(auth.redeemLink(b.secret, client)).toEqual({ ok: false, error: { kind: "link-expired" } });
    expect(auth.redeemLink("x".repeat(43), client)).toEqual({ ok: false, error: { kind: "link-unknown" } });
    expect(auth.redeemLink(null, client)).toEqual({ ok: false, error: { kind: "link-unknown" } });
  });

  test("a session lasts its bounded time; its role is read on every request", () => {
    const { clock, roles, auth, cookieOf } = setUp();
    const login = auth.redeemLink(auth.issueLink(2, "Vic").secret, client);
    if (!login.ok) throw new Error();
    const cookie = cookieOf(login.value.cookie);
    expect(auth.resolve(cookie)).toMatchObject({ ok: true, value: { id: 2, role: "viewer" } });
    roles.set(2, "admin");
    expect(auth.resolve(cookie)).toMatchObject({ ok: true, value: { role: "admin" } });
    roles.delete(2);
    expect(auth.resolve(cookie)).toEqual({
      ok: false,
      error: { kind: "session-ended", why: "role removed" },
    });
    roles.set(2, "viewer");
    // Ended stays ended, even with the role back.
    expect(auth.resolve(cookie)).toEqual({
      ok: false,
      error: { kind: "session-ended", why: "role removed" },
    });
    const again = auth.redeemLink(auth.issueLink(2, "Vic").secret, client);
    if (!again.ok) throw new Error();
    clock.t += 3_600_000;
    expect(auth.resolve(cookieOf(again.value.cookie))).toEqual({
      ok: false,
      error: { kind: "session-expired" },
    });
  });

  test("a user without a role gets no session; sweep ends the sessions of roles removed", () => {
    const { roles, auth, cookieOf } = setUp();
    expect(auth.redeemLink(auth.issueLink(9, "Eve").secret, client)).toEqual({
      ok: false,
      error: { kind: "no-role" },
    });
    const login = auth.redeemLink(auth.issueLink(1, "Ada").secret, client);
    if (!login.ok) throw new Error();
    roles.delete(1);
    expect(auth.sweep().map((s) => s.userId)).toEqual([1]);
    roles.set(1, "admin");
    expect(auth.resolve(cookieOf(login.value.cookie)).ok).toBe(false);
  });

  test("logout ends every session of that user only", () => {
    const { auth, cookieOf } = setUp();
    const ada = [1, 2].map(() => auth.redeemLink(auth.issueLink(1, "Ada").secret, client));
    const vic = auth.redeemLink(auth.issueLink(2, "Vic").secret, client);
    expect(auth.logout(1)).toBe(2);
    for (const l of ada) expect(l.ok && auth.resolve(cookieOf(l.value.cookie)).ok).toBe(false);
    expect(vic.ok && auth.resolve(cookieOf(vic.value.cookie)).ok).toBe(true);
  });

  test("a session that cannot be written leaves its link unused (one transaction)", () => {
    const { db, auth } = setUp();
    const link = auth.issueLink(1, "Ada");
    db.exec(
      "CREATE TRIGGER full BEFORE INSERT ON web_sessions BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END",
    );
    expect(() => auth.redeemLink(link.secret, client)).toThrow("disk is full");
    db.exec("DROP TRIGGER full");
    expect(auth.redeemLink(link.secret, client).ok).toBe(true);
  });
});
