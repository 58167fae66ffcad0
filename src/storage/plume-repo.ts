import type { Database } from "bun:sqlite";
import type { SecretBox } from "./crypto.ts";
import { scrubDb } from "./db.ts";

/** Plume credentials, tokens, conversations and audit (migration 005). Secrets are sealed here. */

export interface PlumeCredentials {
  ssoUrl: string;
  authHeader: string;
  partnerId: string;
  apiBase?: string;
}

export interface Conversation {
  userId: number;
  chatId: number;
  step: string;
  data: Record<string, string>;
  updatedAt: number;
}

export function createPlumeRepo(db: Database, box: SecretBox) {
  const getCred = db.query<
    { sso_url: string; auth_header_sealed: string; partner_id: string; api_base: string | null },
    [number]
  >("SELECT sso_url, auth_header_sealed, partner_id, api_base FROM plume_credentials WHERE user_id = ?");
  const putCred = db.query<unknown, [number, string, string, string, string | null, number]>(
    "INSERT OR REPLACE INTO plume_credentials (user_id, sso_url, auth_header_sealed, partner_id, api_base, created_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const delCred = db.query<unknown, [number]>("DELETE FROM plume_credentials WHERE user_id = ?");
  const getToken = db.query<{ token_sealed: string; expires_at: number }, [string]>(
    "SELECT token_sealed, expires_at FROM plume_tokens WHERE owner = ?",
  );
  const putToken = db.query<unknown, [string, string, number]>(
    "INSERT OR REPLACE INTO plume_tokens (owner, token_sealed, expires_at) VALUES (?, ?, ?)",
  );
  const delToken = db.query<unknown, [string]>("DELETE FROM plume_tokens WHERE owner = ?");
  const getConv = db.query<
    { chat_id: number; step: string; data_sealed: string; updated_at: number },
    [number]
  >("SELECT chat_id, step, data_sealed, updated_at FROM plume_conversations WHERE user_id = ?");
  const putConv = db.query<unknown, [number, number, string, string, number]>(
    "INSERT OR REPLACE INTO plume_conversations (user_id, chat_id, step, data_sealed, updated_at) VALUES (?, ?, ?, ?, ?)",
  );
  const delConv = db.query<unknown, [number]>("DELETE FROM plume_conversations WHERE user_id = ?");
  const audit = db.query<unknown, [number | null, number, string, string]>(
    "INSERT INTO plume_audit (user_id, at, event, outcome) VALUES (?, ?, ?, ?)",
  );
  const auditRows = db.query<{ user_id: number | null; event: string; outcome: string }, []>(
    "SELECT user_id, event, outcome FROM plume_audit ORDER BY id",
  );

  return {
    async credentials(userId: number): Promise<PlumeCredentials | undefined> {
      const row = getCred.get(userId);
      if (!row) return undefined;
      return {
        ssoUrl: row.sso_url,
        authHeader: await box.open(row.auth_header_sealed),
        partnerId: row.partner_id,
        ...(row.api_base ? { apiBase: row.api_base } : {}),
      };
    },
    async saveCredentials(userId: number, c: PlumeCredentials, now: number) {
      putCred.run(userId, c.ssoUrl, await box.seal(c.authHeader), c.partnerId, c.apiBase ?? null, now);
    },
    deleteCredentials: (userId: number) => void delCred.run(userId),
    async token(owner: string): Promise<{ token: string; expiresAt: number } | undefined> {
      const row = getToken.get(owner);
      return row ? { token: await box.open(row.token_sealed), expiresAt: row.expires_at } : undefined;
    },
    async saveToken(owner: string, token: string, expiresAt: number) {
      putToken.run(owner, await box.seal(token), expiresAt);
    },
    deleteToken: (owner: string) => void delToken.run(owner),
    async conversation(userId: number): Promise<Conversation | undefined> {
      const row = getConv.get(userId);
      if (!row) return undefined;
      return {
        userId,
        chatId: row.chat_id,
        step: row.step,
        data: JSON.parse(await box.open(row.data_sealed)),
        updatedAt: row.updated_at,
      };
    },
    async saveConversation(c: Conversation) {
      putConv.run(c.userId, c.chatId, c.step, await box.seal(JSON.stringify(c.data)), c.updatedAt);
    },
    deleteConversation: (userId: number) => void delConv.run(userId),
    audit: (userId: number | null, at: number, event: string, outcome: string) =>
      void audit.run(userId, at, event, outcome),
    auditLog: () => auditRows.all(),
    /** Leaves no deleted secret in the database files (see storage/db.ts). */
    scrub: () => scrubDb(db),
  };
}

export type PlumeRepo = ReturnType<typeof createPlumeRepo>;
