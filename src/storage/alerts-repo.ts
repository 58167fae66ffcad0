import type { Database } from "bun:sqlite";

/** Alert state, incidents, incident messages and the durable alert outbox (migration 004). */

export type OutboxKind = "incident" | "edit" | "reply" | "notice";

export interface AlertOutboxRow {
  id: number;
  chatId: number;
  incidentId: number | null;
  kind: OutboxKind;
  payload: string;
  createdAt: number;
}

export interface IncidentRow {
  id: number;
  checkId: string;
  level: string;
  startedAt: number;
  endedAt: number | null;
  peak: number | null;
}

/** `State` is the rule engine's per-check state, stored as JSON (the engine owns its shape). */
export function createAlertsRepo<State>(db: Database) {
  const allStates = db.query<{ check_id: string; state: string }, []>(
    "SELECT check_id, state FROM alert_state",
  );
  const upsertState = db.query<unknown, [string, string, number]>(
    "INSERT INTO alert_state (check_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(check_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
  );
  const openIncident = db.query<{ id: number }, [string, string, number]>(
    "INSERT INTO incidents (check_id, level, started_at) VALUES (?, ?, ?) RETURNING id",
  );
  const currentIncident = db.query<IncidentRow, [string]>(
    "SELECT id, check_id AS checkId, level, started_at AS startedAt, ended_at AS endedAt, peak FROM incidents WHERE check_id = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1",
  );
  const incidentById = db.query<IncidentRow, [number]>(
    "SELECT id, check_id AS checkId, level, started_at AS startedAt, ended_at AS endedAt, peak FROM incidents WHERE id = ?",
  );
  const updateIncident = db.query<unknown, [string, number | null, number]>(
    "UPDATE incidents SET level = ?, peak = ? WHERE id = ?",
  );
  const closeIncident = db.query<unknown, [number, number | null, number]>(
    "UPDATE incidents SET ended_at = ?, peak = ? WHERE id = ?",
  );
  const since = db.query<IncidentRow, [number]>(
    "SELECT id, check_id AS checkId, level, started_at AS startedAt, ended_at AS endedAt, peak FROM incidents WHERE started_at >= ? OR ended_at IS NULL ORDER BY id",
  );
  const setMessage = db.query<unknown, [number, number, number]>(
    "INSERT OR REPLACE INTO incident_messages (incident_id, chat_id, message_id) VALUES (?, ?, ?)",
  );
  const getMessage = db.query<{ message_id: number }, [number, number]>(
    "SELECT message_id FROM incident_messages WHERE incident_id = ? AND chat_id = ?",
  );
  const enqueue = db.query<unknown, [number, number | null, string, string, number]>(
    "INSERT INTO alert_outbox (chat_id, incident_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
  );
  const nextRow = db.query<AlertOutboxRow, [number]>(
    "SELECT id, chat_id AS chatId, incident_id AS incidentId, kind, payload, created_at AS createdAt FROM alert_outbox WHERE id > ? ORDER BY id LIMIT 1",
  );
  const countRows = db.query<{ n: number }, []>("SELECT count(*) AS n FROM alert_outbox");
  const deleteRow = db.query<unknown, [number]>("DELETE FROM alert_outbox WHERE id = ?");

  return {
    states(): Map<string, State> {
      return new Map(allStates.all().map((r) => [r.check_id, JSON.parse(r.state) as State]));
    },
    /** Saves every state in one transaction. */
    saveStates: db.transaction((states: Map<string, State>, now: number) => {
      for (const [id, state] of states) upsertState.run(id, JSON.stringify(state), now);
    }),
    openIncident: (checkId: string, level: string, at: number) =>
      (openIncident.get(checkId, level, at) as { id: number }).id,
    currentIncident: (checkId: string) => currentIncident.get(checkId) ?? undefined,
    incident: (id: number) => incidentById.get(id) ?? undefined,
    updateIncident: (id: number, level: string, peak: number | undefined) =>
      void updateIncident.run(level, peak ?? null, id),
    closeIncident: (id: number, at: number, peak: number | undefined) =>
      void closeIncident.run(at, peak ?? null, id),
    /** Incidents that started at or after `at`, and every open one. */
    incidentsSince: (at: number) => since.all(at),
    setMessage: (incidentId: number, chatId: number, messageId: number) =>
      void setMessage.run(incidentId, chatId, messageId),
    message: (incidentId: number, chatId: number) => getMessage.get(incidentId, chatId)?.message_id,
    /** Queues rows in one transaction: all of them or (on a write error) none. */
    enqueue: db.transaction((rows: readonly Omit<AlertOutboxRow, "id">[]) => {
      for (const row of rows) enqueue.run(row.chatId, row.incidentId, row.kind, row.payload, row.createdAt);
    }),
    /** The oldest queued row after `afterId` (0: the oldest of all). */
    nextOutbox: (afterId = 0) => nextRow.get(afterId) ?? undefined,
    outboxDepth: () => countRows.get()?.n ?? 0,
    deleteOutbox: (id: number) => void deleteRow.run(id),
  };
}

export type AlertsRepo<State> = ReturnType<typeof createAlertsRepo<State>>;
