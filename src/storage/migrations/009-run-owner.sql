-- The process that runs a script (the bot, or `serve-ssh run` for a hub) and its start time:
-- a restart ends only the runs whose owner is gone, never a live run of another process.
ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
ALTER TABLE runs ADD COLUMN owner_start TEXT;
