-- Small facts the bot keeps between runs: the last heartbeat, the Telegram update offset.
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
