-- Pruning without scanning the history: the few runs that still have log files, and the
-- start time that bounds how long history rows are kept (runner.keep_history).
CREATE INDEX runs_with_log ON runs (id) WHERE log_path IS NOT NULL;

CREATE INDEX runs_started ON runs (started_at);
