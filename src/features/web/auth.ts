import type { Clock } from "../../shared/clock.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import type { WebRepo, WebSessionRow } from "../../storage/web-repo.ts";
import type { Role } from "../../telegram/feature.ts";
import { readCookie, sessionCookie } from "./cookies.ts";
import { verifyInitData } from "./init-data.ts";
import { hashSecret, looksLikeSecret, newSecret } from "./secrets.ts";

/**
 * Who is logged in to the dashboard. A link from /web is good once, for LINK_MS; it becomes a
 * session whose cookie holds a fresh secret (the link's is spent). Every request looks its
 * session up and the user's role up again: a role removed from the config ends the session
 * there, a role changed applies at once. Only hashes are stored.
 */

export const LINK_MS = 60_000;
/** A Mini App's initData is accepted this long after Telegram signed it. */
export const INIT_DATA_MAX_AGE_MS = 10 * 60_000;

export interface WebUser {
  id: number;
  name: string;
  role: Role;
  session: number;
}

/** Where a login came from: what the chat is told. */
export interface ClientInfo {
  address: string;
  browser: string;
}

export type Refusal =
  | { kind: "link-unknown" }
  | { kind: "link-used" }
  | { kind: "link-expired" }
  | { kind: "no-role" }
  | { kind: "no-session" }
  | { kind: "session-unknown" }
  | { kind: "session-expired" }
  | { kind: "session-ended"; why: string }
  | { kind: "init-data"; reason: string };

export interface Login {
  user: WebUser;
  cookie: string;
  row: Pick<WebSessionRow, "via" | "address" | "agent" | "createdAt" | "expiresAt">;
}

export function createWebAuth(deps: {
  repo: WebRepo;
  clock: Clock;
  roleOf(userId: number): Role | undefined;
  sessionMs: number;
  botToken: string;
}) {
  const { repo, clock } = deps;

  function open(
    userId: number,
    userName: string,
    via: "link" | "miniapp",
    client: ClientInfo,
  ): Result<Login, Refusal> {
    const role = deps.roleOf(userId);
    if (!role) return err({ kind: "no-role" });
    const secret = newSecret();
    const now = clock.now();
    const row = {
      userId,
      userName,
      via,
      address: client.address.slice(0, 64),
      agent: client.browser.slice(0, 80),
      createdAt: now,
      expiresAt: now + deps.sessionMs,
    };
    const id = repo.addSession(hashSecret(secret), row);
    return ok({
      user: { id: userId, name: userName, role, session: id },
      cookie: sessionCookie(secret, deps.sessionMs / 1000),
      row,
    });
  }

  return {
    /** A new login link's secret for this user (only its hash is kept). */
    issueLink(userId: number, userName: string): { secret: string; expiresAt: number } {
      const secret = newSecret();
      const now = clock.now();
      repo.prune(now);
      repo.addLink(hashSecret(secret), userId, userName, now, now + LINK_MS);
      return { secret, expiresAt: now + LINK_MS };
    },

    /** What a link's page may say before it is used: whose it is, or why it is no good. */
    peekLink(secret: string | null): Result<{ userName: string }, Refusal> {
      if (!looksLikeSecret(secret)) return err({ kind: "link-unknown" });
      const row = repo.link(hashSecret(secret));
      if (!row) return err({ kind: "link-unknown" });
      if (row.usedAt !== null) return err({ kind: "link-used" });
      if (row.expiresAt <= clock.now()) return err({ kind: "link-expired" });
      return ok({ userName: row.userName });
    },

    /** Spends a link: a session, or why not (used, expired, forged, the user has no role now). */
    redeemLink(secret: string | null, client: ClientInfo): Result<Login, Refusal> {
      const peek = this.peekLink(secret);
      if (!peek.ok) return peek;
      const hash = hashSecret(secret as string);
      return repo.together(() => {
        const row = repo.link(hash);
        if (!row || !repo.useLink(hash, clock.now())) return err({ kind: "link-used" as const });
        return open(row.userId, row.userName, "link", client);
      });
    },

    /** A Mini App's signed initData: a session for the Telegram user it names. */
    miniApp(initData: string, client: ClientInfo): Result<Login, Refusal> {
      const checked = verifyInitData(initData, deps.botToken, clock.now(), INIT_DATA_MAX_AGE_MS);
      if (!checked.ok) return err({ kind: "init-data", reason: checked.error });
      return open(checked.value.id, checked.value.name, "miniapp", client);
    },

    /** The user a request's cookie belongs to, now. */
    resolve(cookieHeader: string | null): Result<WebUser, Refusal> {
      const secret = readCookie(cookieHeader);
      if (secret === undefined || secret === "") return err({ kind: "no-session" });
      if (!looksLikeSecret(secret)) return err({ kind: "session-unknown" });
      const row = repo.session(hashSecret(secret));
      if (!row) return err({ kind: "session-unknown" });
      const now = clock.now();
      if (row.revokedAt !== null) return err({ kind: "session-ended", why: row.revokedWhy ?? "ended" });
      if (row.expiresAt <= now) return err({ kind: "session-expired" });
      const role = deps.roleOf(row.userId);
      if (!role) {
        repo.revoke(row.id, "role removed", now);
        return err({ kind: "session-ended", why: "role removed" });
      }
      return ok({ id: row.userId, name: row.userName, role, session: row.id });
    },

    /** /web logout: every session of the user ends. */
    logout: (userId: number, why = "logged out") => repo.revokeUser(userId, why, clock.now()),

    /** Sessions of users who have no role now end (after a reload); returns their rows. */
    sweep(): WebSessionRow[] {
      const now = clock.now();
      const gone = repo.live(now).filter((s) => !deps.roleOf(s.userId));
      for (const s of gone) repo.revoke(s.id, "role removed", now);
      repo.prune(now);
      return gone;
    },

    sessionsOf: (userId: number) => repo.live(clock.now()).filter((s) => s.userId === userId),
  };
}

export type WebAuth = ReturnType<typeof createWebAuth>;
