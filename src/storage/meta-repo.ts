import type { Database } from "bun:sqlite";
import type { Clock } from "../shared/clock.ts";

/** Key/value facts that outlive a restart (heartbeat, update offset). */
export interface MetaRepo {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  /** Every key starting with `prefix`, with its value. */
  entries(prefix: string): [string, string][];
}

export function createMetaRepo(db: Database, clock: Clock): MetaRepo {
  const select = db.query<{ value: string }, [string]>("SELECT value FROM meta WHERE key = ?");
  const upsert = db.query<unknown, [string, string, number]>(
    "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
  );
  const byPrefix = db.query<{ key: string; value: string }, [string]>(
    "SELECT key, value FROM meta WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key",
  );
  return {
    entries: (prefix) => byPrefix.all(prefix).map((r) => [r.key, r.value]),
    get: (key) => select.get(key)?.value,
    set: (key, value) => {
      upsert.run(key, value, clock.now());
    },
  };
}
