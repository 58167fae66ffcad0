-- The Alertmanager bridge: one row per alert group (Alertmanager's groupKey). Its messages go
-- through incidents / incident_messages / alert_outbox like local alerts (an incident per
-- firing episode, check_id 'Alertmanager <alertname>'); `digest` is what its message last showed (the same
-- notification again sends nothing); the silence a Mute button made, and who made it.
CREATE TABLE am_groups (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  group_key TEXT NOT NULL UNIQUE,
  incident_id INTEGER REFERENCES incidents (id),
  status TEXT NOT NULL,
  digest TEXT NOT NULL,
  payload TEXT NOT NULL,
  chats TEXT NOT NULL,
  silence_id TEXT,
  silenced_by TEXT,
  silenced_until INTEGER,
  updated_at INTEGER NOT NULL
) STRICT;
