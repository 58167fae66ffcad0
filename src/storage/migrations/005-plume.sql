-- Plume credentials per Telegram user (the /auth conversation). The authorization header
-- is sealed with AES-256-GCM (storage/crypto.ts); nothing secret is stored in clear.
CREATE TABLE plume_credentials (
  user_id INTEGER PRIMARY KEY,
  sso_url TEXT NOT NULL,
  auth_header_sealed TEXT NOT NULL,
  partner_id TEXT NOT NULL,
  api_base TEXT,
  created_at INTEGER NOT NULL
) STRICT;

-- Access tokens, per owner ('server' or a user id), sealed.
CREATE TABLE plume_tokens (
  owner TEXT PRIMARY KEY,
  token_sealed TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;

-- An /auth conversation in progress: it survives a restart and expires after 10 minutes.
CREATE TABLE plume_conversations (
  user_id INTEGER PRIMARY KEY,
  chat_id INTEGER NOT NULL,
  step TEXT NOT NULL,
  data_sealed TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- Who did what with Plume credentials; never a secret.
CREATE TABLE plume_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER,
  at INTEGER NOT NULL,
  event TEXT NOT NULL,
  outcome TEXT NOT NULL
) STRICT;
