import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createManualClock } from "../../src/shared/clock.ts";
import { StorageError } from "../../src/shared/errors.ts";
import { applyMigrations, openDb, openMemoryDb } from "../../src/storage/db.ts";
import { createMetaRepo } from "../../src/storage/meta-repo.ts";
import { allMigrations } from "../../src/storage/migrations/index.ts";

const tempDir = () => mkdtempSync(join(tmpdir(), "octopus-db-"));
const version = (db: Database) =>
  (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;

describe("openDb", () => {
  test("a file that is not a database says so and what to do, and is left as it was", () => {
    const dir = tempDir();
    const file = join(dir, "octopus.db");
    const junk = "this is not sqlite, it was overwritten by a log rotation gone wrong\n".repeat(100);
    writeFileSync(file, junk);
    let message = "";
    try {
      openDb(dir);
    } catch (error) {
      expect(error).toBeInstanceOf(StorageError);
      message = (error as Error).message;
    }
    expect(message).toContain(`cannot use ${file}: file is not a database`);
    expect(message).toContain("restore it from a backup, or move it aside");
    expect(readFileSync(file, "utf8")).toBe(junk);
  });

  test("creates the state folder 0700 and octopus.db 0600 in WAL mode, fully migrated", () => {
    const dir = join(tempDir(), "state");
    const db = openDb(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "octopus.db")).mode & 0o777).toBe(0o600);
    expect((db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
    expect((db.query("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys).toBe(1);
    expect(version(db)).toBe(allMigrations().length);
    db.close();
  });

  test("reopens an existing file and keeps its data", () => {
    const dir = tempDir();
    const clock = createManualClock(1);
    const first = openDb(dir);
    createMetaRepo(first, clock).set("offset", "42");
    first.close();
    const second = openDb(dir);
    expect(createMetaRepo(second, clock).get("offset")).toBe("42");
    expect(version(second)).toBe(allMigrations().length);
    second.close();
  });

  test("migrates an older file forward", () => {
    const db = new Database(":memory:");
    applyMigrations(db, allMigrations().slice(0, 1));
    expect(version(db)).toBe(1);
    applyMigrations(db);
    expect(version(db)).toBe(allMigrations().length);
  });

  test("refuses a database written by a newer binary", () => {
    const dir = tempDir();
    const db = openDb(dir);
    db.run(`PRAGMA user_version = ${allMigrations().length + 1}`);
    db.close();
    expect(() => openDb(dir)).toThrow(StorageError);
    expect(() => openDb(dir)).toThrow(/newer than this binary knows/);
  });
});

describe("meta repo", () => {
  test("upserts values", () => {
    const repo = createMetaRepo(openMemoryDb(), createManualClock(5));
    expect(repo.get("k")).toBeUndefined();
    repo.set("k", "1");
    repo.set("k", "2");
    expect(repo.get("k")).toBe("2");
  });
});
