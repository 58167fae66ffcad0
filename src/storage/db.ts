import { Database } from "bun:sqlite";
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { getDatabaseVersion, getMaximumVersion, type Migration, migrate } from "bun-sqlite-migrations";
import { StorageError } from "../shared/errors.ts";
import { BUSY_TIMEOUT_MS } from "./lock-watch.ts";
import { allMigrations } from "./migrations/index.ts";

export const DB_FILE = "octopus.db";

function configure(db: Database): void {
  db.run("PRAGMA journal_mode = WAL");
  // Bounded: a longer hold by another process is the lock watch's (lock-watch.ts).
  db.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.run("PRAGMA foreign_keys = ON");
  db.run("PRAGMA synchronous = NORMAL");
  // Deleted rows are overwritten, not left in free pages: a credential that passed through the
  // inbox (the /auth header) must not be recoverable from the file.
  db.run("PRAGMA secure_delete = ON");
}

/**
 * Brings the schema up to date. A database written by a newer binary is refused instead
 * of being opened (bun-sqlite-migrations would silently accept it).
 */
export function applyMigrations(db: Database, migrations: Migration[] = allMigrations()): void {
  const current = getDatabaseVersion(db);
  const known = getMaximumVersion(migrations);
  if (current > known) {
    throw new StorageError(
      `the database schema is version ${current}, newer than this binary knows (${known}): run the newer octopus, or restore a backup`,
    );
  }
  try {
    migrate(db, migrations);
  } catch (cause) {
    throw new StorageError(`migration failed: ${(cause as Error).message}`, { cause });
  }
}

/** An in-memory database with the real migrations: for tests and one-off tools. */
export function openMemoryDb(): Database {
  const db = new Database(":memory:", { strict: true });
  db.run("PRAGMA foreign_keys = ON");
  db.run("PRAGMA secure_delete = ON");
  applyMigrations(db);
  return db;
}

/**
 * Why the database cannot be used and what to do, in one line: SQLite's own words (never data)
 * and, for a damaged file, the two ways out.
 */
export function unusableText(file: string, error: unknown): string {
  const reason = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const damaged =
    /not a database|malformed|corrupt/i.test(reason) || code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT";
  const advice = damaged
    ? `; restore it from a backup, or move it aside (mv ${file} ${file}.broken) and start again with empty state`
    : "";
  return `cannot use ${file}: ${reason}${advice}`;
}

/**
 * Opens (creating if needed) `octopus.db` in the state directory: folder 0700, file 0600,
 * WAL, busy timeout, foreign keys; migrations applied.
 */
export function openDb(stateDir: string): Database {
  const file = join(stateDir, DB_FILE);
  let db: Database;
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    // Create the file ourselves so it is never world-readable, not even for a moment.
    closeSync(openSync(file, "a", 0o600));
    chmodSync(file, 0o600);
    db = new Database(file, { create: true, strict: true });
  } catch (cause) {
    throw new StorageError(`cannot open ${file}: ${(cause as Error).message}`, { cause });
  }
  try {
    configure(db);
    applyMigrations(db);
  } catch (error) {
    db.close();
    throw error instanceof StorageError
      ? error
      : new StorageError(unusableText(file, error), { cause: error });
  }
  return db;
}

/**
 * Makes sure no deleted secret survives in the files: with secure_delete the main file is
 * clean; the WAL may still hold old page images until a checkpoint truncates it.
 */
export function scrubDb(db: Database): void {
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
}
