import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createManualClock } from "../../src/shared/clock.ts";
import { createLogger } from "../../src/shared/log.ts";
import { createRedactor } from "../../src/shared/redact.ts";
import { openDb } from "../../src/storage/db.ts";
import { createStorageHealth } from "../../src/storage/health.ts";
import { BUSY_TIMEOUT_MS, watchWriteLock } from "../../src/storage/lock-watch.ts";

const busyTimeout = (db: Database) => (db.query("PRAGMA busy_timeout").get() as { timeout: number }).timeout;

const write = (db: Database) => db.run("INSERT INTO meta (key, value, updated_at) VALUES ('k', 'v', 1)");

test("another connection holding the write lock: writes fail at once, logged once; on release they wait again", () => {
  const dir = mkdtempSync(join(tmpdir(), "octopus-lock-"));
  const db = openDb(dir);
  const lines: string[] = [];
  const clock = createManualClock(1_000_000);
  const log = createLogger({
    level: "info",
    journal: false,
    sinks: [(l) => lines.push(l)],
    redactor: createRedactor(),
    clock,
  });
  const storage = createStorageHealth(log, clock);
  const watch = watchWriteLock({ db, storage, everyMs: 3_600_000 });
  try {
    expect(watch.probe()).toBe(false);
    expect(busyTimeout(db)).toBe(BUSY_TIMEOUT_MS);

    const other = new Database(join(dir, "octopus.db"));
    other.run("BEGIN IMMEDIATE");
    expect(watch.probe()).toBe(true);
    expect(watch.probe()).toBe(true);
    expect(busyTimeout(db)).toBe(0);
    expect(storage.failing().map((f) => f.area)).toEqual(["database"]);
    const started = performance.now();
    expect(() => write(db)).toThrow(/database is locked/);
    // Not the busy timeout: at once.
    expect(performance.now() - started).toBeLessThan(BUSY_TIMEOUT_MS / 2);
    expect(lines.filter((l) => l.includes("storage failing: database"))).toHaveLength(1);

    other.run("ROLLBACK");
    other.close();
    expect(watch.probe()).toBe(false);
    expect(busyTimeout(db)).toBe(BUSY_TIMEOUT_MS);
    expect(storage.failing()).toEqual([]);
    expect(lines.some((l) => l.includes("storage works again: database"))).toBe(true);
    write(db);
    expect(db.query("SELECT value FROM meta WHERE key = 'k'").get()).toEqual({ value: "v" });
  } finally {
    watch.stop();
    db.close();
  }
});
