import type { Database } from "bun:sqlite";
import type { Clock } from "../shared/clock.ts";

export interface InboxRow {
  updateId: number;
  payload: string;
}

/** The durable inbox of Telegram updates (see migration 002). */
export interface InboxRepo {
  /** Stores a fetched batch and the next offset in one transaction. */
  store(updates: { updateId: number; payload: string }[], nextOffset: number): void;
  /** The offset to ask Telegram for next (everything before it is stored or handled). */
  nextOffset(): number;
  pending(): InboxRow[];
  /** Called when handlers start: from then on a crash does not replay these updates. One transaction. */
  remove(updateIds: readonly number[]): void;
}

/** `botId` is the numeric prefix of the token: offsets and pending updates are per bot. */
export function createInboxRepo(db: Database, clock: Clock, botId: number): InboxRepo {
  const offsetKey = `telegram.offset.${botId}`;
  const insert = db.query<unknown, [number, string, number]>(
    `INSERT OR IGNORE INTO inbox (bot_id, update_id, payload, received_at) VALUES (${botId}, ?, ?, ?)`,
  );
  const setOffset = db.query<unknown, [string, number, string]>(
    "INSERT INTO meta (key, value, updated_at) VALUES (?3, ?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
  );
  const getOffset = db.query<{ value: string }, [string]>("SELECT value FROM meta WHERE key = ?");
  const selectPending = db.query<InboxRow, []>(
    `SELECT update_id AS updateId, payload FROM inbox WHERE bot_id = ${botId} ORDER BY update_id`,
  );
  const del = db.query<unknown, [number]>(`DELETE FROM inbox WHERE bot_id = ${botId} AND update_id = ?`);
  const removeAll = db.transaction((ids: readonly number[]) => {
    for (const id of ids) del.run(id);
  });
  const storeBatch = db.transaction((updates: { updateId: number; payload: string }[], next: number) => {
    for (const u of updates) insert.run(u.updateId, u.payload, clock.now());
    setOffset.run(String(next), clock.now(), offsetKey);
  });
  return {
    store: (updates, next) => storeBatch(updates, next),
    nextOffset: () => Number(getOffset.get(offsetKey)?.value ?? 0),
    pending: () => selectPending.all(),
    remove: (ids) => removeAll(ids),
  };
}
