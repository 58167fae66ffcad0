import type { Database } from "bun:sqlite";
import type { StorageHealth } from "./health.ts";

/**
 * How long one write waits for another process's write lock (the bot and a fleet server's
 * `serve-ssh` runs share a state; their transactions last milliseconds). bun:sqlite is
 * synchronous: the wait blocks the whole process, so it must stay short.
 */
export const BUSY_TIMEOUT_MS = 1000;

const isBusy = (error: unknown) =>
  /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown })?.code ?? ""));

/**
 * Watches for another process holding octopus.db's write lock for long (an operator's sqlite3
 * in a transaction, a backup tool): once a second it tries to take the lock, waiting at most
 * `probeMs`. While someone else holds it, writes fail at once instead of each blocking the
 * process for the busy timeout: they go the full-disk way (handled from memory, logged once,
 * /healthz shows "database"), and the bot keeps answering. When the lock is free again, writes
 * wait the usual bounded time again.
 */
export function watchWriteLock(deps: {
  db: Database;
  storage: StorageHealth;
  everyMs?: number;
  probeMs?: number;
}) {
  const { db, storage } = deps;
  const probeMs = deps.probeMs ?? 50;
  let locked = false;
  const wait = (ms: number) => db.run(`PRAGMA busy_timeout = ${ms}`);
  function probe(): boolean {
    try {
      wait(probeMs);
      db.run("BEGIN IMMEDIATE");
      db.run("ROLLBACK");
      wait(BUSY_TIMEOUT_MS);
      if (locked) storage.ok("database");
      locked = false;
    } catch (error) {
      if (!isBusy(error)) {
        // Not a lock (a closed database, a read-only file): the writes themselves find it.
        try {
          wait(BUSY_TIMEOUT_MS);
        } catch {}
        return locked;
      }
      wait(0);
      if (!locked)
        storage.failed(
          "database",
          error,
          "another process holds its write lock: writes fail at once and are handled from memory until it lets go",
        );
      locked = true;
    }
    return locked;
  }
  const timer = setInterval(probe, deps.everyMs ?? 1000);
  timer.unref?.();
  return {
    /** One check now: whether another process holds the write lock. */
    probe,
    stop: () => clearInterval(timer),
  };
}
