import type { Database } from "bun:sqlite";

/** The last locations a user looked at (migration 007): at most `keep` per user, newest first. */

export interface RecentLocation {
  customerId: string;
  locationId: string;
  name: string | null;
}

export function createPlumeRecentRepo(db: Database, keep = 5) {
  const upsert = db.query<unknown, [number, string, string, string | null, number]>(
    "INSERT OR REPLACE INTO plume_recent (user_id, customer_id, location_id, name, used_at) VALUES (?, ?, ?, ?, ?)",
  );
  const trim = db.query<unknown, [number, number, number]>(
    `DELETE FROM plume_recent WHERE user_id = ? AND (customer_id, location_id) NOT IN
       (SELECT customer_id, location_id FROM plume_recent WHERE user_id = ? ORDER BY used_at DESC LIMIT ?)`,
  );
  const list = db.query<RecentLocation, [number, number]>(
    "SELECT customer_id AS customerId, location_id AS locationId, name FROM plume_recent WHERE user_id = ? ORDER BY used_at DESC LIMIT ?",
  );
  return {
    remember: db.transaction((userId: number, l: RecentLocation, now: number) => {
      upsert.run(userId, l.customerId, l.locationId, l.name, now);
      trim.run(userId, userId, keep);
    }),
    recent: (userId: number): RecentLocation[] => list.all(userId, keep),
  };
}

export type PlumeRecentRepo = ReturnType<typeof createPlumeRecentRepo>;
