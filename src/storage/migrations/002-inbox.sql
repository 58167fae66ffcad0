-- Updates fetched from Telegram but not yet handled. They are stored before the next
-- getUpdates confirms them, so a crash loses none; a row is deleted once handled.
-- Keyed by bot id: the console's local Bot API and real Telegram share one database.
CREATE TABLE inbox (
  bot_id INTEGER NOT NULL,
  update_id INTEGER NOT NULL,
  payload TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  -- Set when a handler starts: after a crash such an update is not handled twice.
  started_at INTEGER,
  PRIMARY KEY (bot_id, update_id)
) STRICT;
