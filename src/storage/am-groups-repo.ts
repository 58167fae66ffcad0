import type { Database } from "bun:sqlite";

/** Alertmanager alert groups (migration 011): what the bridge last showed of each, and its silence. */

export interface AmGroupRow {
  id: number;
  groupKey: string;
  incidentId: number | null;
  status: "firing" | "resolved";
  digest: string;
  /** The last notification as received (JSON): what the message and /alerts show. */
  payload: string;
  chats: number[];
  silenceId: string | null;
  silencedBy: string | null;
  silencedUntil: number | null;
  updatedAt: number;
}

const COLUMNS = `id, group_key AS groupKey, incident_id AS incidentId, status, digest, payload, chats,
  silence_id AS silenceId, silenced_by AS silencedBy, silenced_until AS silencedUntil, updated_at AS updatedAt`;

type Raw = Omit<AmGroupRow, "chats"> & { chats: string };
const rowOf = (r: Raw | null): AmGroupRow | undefined =>
  r ? { ...r, chats: JSON.parse(r.chats) as number[] } : undefined;

export function createAmGroupsRepo(db: Database) {
  const byKey = db.query<Raw, [string]>(`SELECT ${COLUMNS} FROM am_groups WHERE group_key = ?`);
  const byId = db.query<Raw, [number]>(`SELECT ${COLUMNS} FROM am_groups WHERE id = ?`);
  const firing = db.query<Raw, []>(`SELECT ${COLUMNS} FROM am_groups WHERE status = 'firing' ORDER BY id`);
  const insert = db.query<{ id: number }, [string, string, string, string, string, number]>(
    "INSERT INTO am_groups (group_key, status, digest, payload, chats, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
  );
  const update = db.query<unknown, [number | null, string, string, string, string, number, number]>(
    "UPDATE am_groups SET incident_id = ?, status = ?, digest = ?, payload = ?, chats = ?, updated_at = ? WHERE id = ?",
  );
  const silence = db.query<unknown, [string | null, string | null, number | null, number]>(
    "UPDATE am_groups SET silence_id = ?, silenced_by = ?, silenced_until = ? WHERE id = ?",
  );
  const prune = db.query<unknown, [number]>(
    "DELETE FROM am_groups WHERE status = 'resolved' AND updated_at < ?",
  );
  return {
    byKey: (key: string) => rowOf(byKey.get(key)),
    get: (id: number) => rowOf(byId.get(id)),
    firing: () => firing.all().map((r) => rowOf(r) as AmGroupRow),
    insert: (g: Pick<AmGroupRow, "groupKey" | "status" | "digest" | "payload" | "chats" | "updatedAt">) =>
      (
        insert.get(g.groupKey, g.status, g.digest, g.payload, JSON.stringify(g.chats), g.updatedAt) as {
          id: number;
        }
      ).id,
    update: (
      g: Pick<AmGroupRow, "id" | "incidentId" | "status" | "digest" | "payload" | "chats" | "updatedAt">,
    ) =>
      void update.run(
        g.incidentId,
        g.status,
        g.digest,
        g.payload,
        JSON.stringify(g.chats),
        g.updatedAt,
        g.id,
      ),
    setSilence: (id: number, s: { id: string; by: string; until: number } | undefined) =>
      void silence.run(s?.id ?? null, s?.by ?? null, s?.until ?? null, id),
    /** Resolved groups not heard of since `before`: forgotten. */
    prune: (before: number) => void prune.run(before),
  };
}

export type AmGroupsRepo = ReturnType<typeof createAmGroupsRepo>;
