-- Every script run: who, where, when, how it ended. Logs live in <state>/runs/.
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  script TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('oneshot', 'long')),
  trigger TEXT NOT NULL CHECK (trigger IN ('user', 'schedule')),
  requested_by INTEGER,
  requested_by_name TEXT,
  chat_id INTEGER,
  message_id INTEGER,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  exit_code INTEGER,
  signal TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'timed_out', 'stopped', 'interrupted')),
  reason TEXT,
  output_bytes INTEGER NOT NULL DEFAULT 0,
  log_path TEXT,
  -- The process group leader and its start time (/proc/<pid>/stat field 22), so a restart
  -- after a crash can end a group the crash left running without hitting a reused pid.
  pid INTEGER,
  pid_start TEXT
) STRICT;

CREATE INDEX runs_status ON runs (status);

CREATE INDEX runs_script_started ON runs (script, started_at);
