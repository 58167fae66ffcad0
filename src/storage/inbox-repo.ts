import type { Database } from "bun:sqlite";
import type { Clock } from "../shared/clock.ts";
import { createMetaRepo } from "./meta-repo.ts";

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
  // The offset is a meta row; written in the same transaction as the batch it follows.
  const meta = createMetaRepo(db, clock);
  const selectPending = db.query<InboxRow, []>(
    `SELECT update_id AS updateId, payload FROM inbox WHERE bot_id = ${botId} ORDER BY update_id`,
  );
  const del = db.query<unknown, [number]>(`DELETE FROM inbox WHERE bot_id = ${botId} AND update_id = ?`);
  const removeAll = db.transaction((ids: readonly number[]) => {
    for (const id of ids) del.run(id);
  });
  const storeBatch = db.transaction((updates: { updateId: number; payload: string }[], next: number) => {
    for (const u of updates) insert.run(u.updateId, u.payload, clock.now());
    meta.set(offsetKey, String(next));
  });
  return {
    store: (updates, next) => storeBatch(updates, next),
    nextOffset: () => Number(meta.get(offsetKey) ?? 0),
    pending: () => selectPending.all(),
    remove: (ids) => removeAll(ids),
  };
}
