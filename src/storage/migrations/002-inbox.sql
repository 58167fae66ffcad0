-- Updates fetched from Telegram but not yet handled. They are stored before the next
-- getUpdates confirms them, so a crash loses none. A row is deleted when its handler
-- starts, so after a crash an update is never handled twice (at most once, never lost
-- unless the crash hit mid-handler). Keyed by bot id: the console's local Bot API and
-- real Telegram share one database.
CREATE TABLE inbox (
  bot_id INTEGER NOT NULL,
  update_id INTEGER NOT NULL,
  payload TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (bot_id, update_id)
) STRICT;
