-- Per-check alert state (the rule engine's CheckState as JSON): a restart neither
-- re-alerts an incident already notified nor forgets one.
CREATE TABLE alert_state (
  check_id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

-- One row per incident: its number is what buttons carry (callback data stays short).
CREATE TABLE incidents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  check_id TEXT NOT NULL,
  level TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  peak REAL
) STRICT;

CREATE INDEX incidents_open ON incidents (check_id, ended_at);

-- The incident message in each alert chat, so later changes edit it.
CREATE TABLE incident_messages (
  incident_id INTEGER NOT NULL REFERENCES incidents (id),
  chat_id INTEGER NOT NULL,
  message_id INTEGER NOT NULL,
  PRIMARY KEY (incident_id, chat_id)
) STRICT;

-- Alert messages waiting for Telegram: delivered in order, deleted once sent, kept across
-- restarts, so an outage delays alerts but never loses them.
CREATE TABLE alert_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  chat_id INTEGER NOT NULL,
  incident_id INTEGER,
  kind TEXT NOT NULL CHECK (kind IN ('incident', 'edit', 'reply', 'notice')),
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
