-- Typed runbooks: the values a run was started with (secrets masked) and who approved it.
ALTER TABLE runs ADD COLUMN params TEXT;
ALTER TABLE runs ADD COLUMN approved_by TEXT;

-- A run waiting for approval (the two-person rule): frozen when asked, run exactly as frozen
-- on the last approval. `launch` is the argv and environment additions, sealed (AES-GCM with
-- the secret key) since values may be secret; `token` is the random half of its buttons.
CREATE TABLE run_requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token TEXT NOT NULL,
  script TEXT NOT NULL,
  revision TEXT NOT NULL,
  launch TEXT NOT NULL,
  shown TEXT NOT NULL,
  requested_by INTEGER NOT NULL,
  requested_by_name TEXT NOT NULL,
  chat_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  needed INTEGER NOT NULL,
  -- JSON: [{ "id": 1001, "name": "Ada", "at": 1765000000000 }]
  approvals TEXT NOT NULL DEFAULT '[]',
  -- JSON: [{ "chatId": 1001, "messageId": 42 }]: the messages that show it, edited as it moves.
  messages TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'withdrawn', 'refused')),
  decided_by TEXT,
  decided_at INTEGER,
  run_id INTEGER
) STRICT;

CREATE INDEX run_requests_pending ON run_requests (status, expires_at);
