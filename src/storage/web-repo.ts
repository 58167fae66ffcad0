import type { Database } from "bun:sqlite";

/** The web dashboard's login links and sessions (migration 012): hashes only, never a secret. */

export interface WebSessionRow {
  id: number;
  userId: number;
  userName: string;
  via: "link" | "miniapp";
  address: string;
  agent: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  revokedWhy: string | null;
}

export interface WebLinkRow {
  userId: number;
  userName: string;
  expiresAt: number;
  usedAt: number | null;
}

const SESSION = `id, user_id AS userId, user_name AS userName, via, address, agent, created_at AS createdAt,
  expires_at AS expiresAt, revoked_at AS revokedAt, revoked_why AS revokedWhy`;

export function createWebRepo(db: Database) {
  const addLink = db.query<unknown, [string, number, string, number, number]>(
    "INSERT INTO web_links (hash, user_id, user_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
  );
  const link = db.query<WebLinkRow, [string]>(
    "SELECT user_id AS userId, user_name AS userName, expires_at AS expiresAt, used_at AS usedAt FROM web_links WHERE hash = ?",
  );
  // Used once: the UPDATE only takes a row not used yet, so two tabs racing get one session.
  const useLink = db.query<unknown, [number, string]>(
    "UPDATE web_links SET used_at = ? WHERE hash = ? AND used_at IS NULL",
  );
  const addSession = db.query<
    { id: number },
    [string, number, string, string, string, string, number, number]
  >(
    `INSERT INTO web_sessions (hash, user_id, user_name, via, address, agent, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const session = db.query<WebSessionRow, [string]>(`SELECT ${SESSION} FROM web_sessions WHERE hash = ?`);
  const live = db.query<WebSessionRow, [number]>(
    `SELECT ${SESSION} FROM web_sessions WHERE revoked_at IS NULL AND expires_at > ? ORDER BY id`,
  );
  const revokeUser = db.query<unknown, [number, string, number, number]>(
    "UPDATE web_sessions SET revoked_at = ?, revoked_why = ? WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?",
  );
  const revokeOne = db.query<unknown, [number, string, number]>(
    "UPDATE web_sessions SET revoked_at = ?, revoked_why = ? WHERE id = ? AND revoked_at IS NULL",
  );
  const pruneLinks = db.query<unknown, [number]>("DELETE FROM web_links WHERE expires_at < ?");
  const pruneSessions = db.query<unknown, [number]>("DELETE FROM web_sessions WHERE expires_at < ?");

  return {
    /** `fn`'s writes together, or none of them (a link is never spent without its session). */
    together: <T>(fn: () => T): T => db.transaction(fn)(),
    addLink(hash: string, userId: number, userName: string, now: number, expiresAt: number) {
      addLink.run(hash, userId, userName, now, expiresAt);
    },
    link: (hash: string) => link.get(hash) ?? undefined,
    /** True when this call used the link (it existed and was not used before). */
    useLink: (hash: string, now: number) => useLink.run(now, hash).changes === 1,
    addSession(
      hash: string,
      s: Pick<WebSessionRow, "userId" | "userName" | "via" | "address" | "agent" | "createdAt" | "expiresAt">,
    ): number {
      const row = addSession.get(
        hash,
        s.userId,
        s.userName,
        s.via,
        s.address,
        s.agent,
        s.createdAt,
        s.expiresAt,
      );
      return (row as { id: number }).id;
    },
    session: (hash: string) => session.get(hash) ?? undefined,
    live: (now: number) => live.all(now),
    /** Ends every live session of a user; returns how many. */
    revokeUser: (userId: number, why: string, now: number) => revokeUser.run(now, why, userId, now).changes,
    revoke: (id: number, why: string, now: number) => revokeOne.run(now, why, id).changes === 1,
    /** Links and sessions past their end for a day are forgotten. */
    prune(now: number) {
      pruneLinks.run(now - 86_400_000);
      pruneSessions.run(now - 86_400_000);
    },
  };
}

export type WebRepo = ReturnType<typeof createWebRepo>;
