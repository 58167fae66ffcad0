-- The web dashboard. A login link sent by /web: only the SHA-256 of its secret is kept, it is
-- good once (used_at) and for a minute. A session: the SHA-256 of its cookie's secret, whose it
-- is, until when, from where (the address and browser the chat was told of) and whether it was
-- ended (/web logout, a role removed).
CREATE TABLE web_links (
  hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
) STRICT;

CREATE TABLE web_sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  hash TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  via TEXT NOT NULL,
  address TEXT NOT NULL,
  agent TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  revoked_why TEXT
) STRICT;

CREATE INDEX web_sessions_user ON web_sessions (user_id);
