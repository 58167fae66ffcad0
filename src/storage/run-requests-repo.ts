import type { Database } from "bun:sqlite";

/** Requests to run a script that needs approval (see migration 010). */

export type RequestStatus = "pending" | "approved" | "denied" | "expired" | "withdrawn" | "refused";

export interface Approval {
  id: number;
  name: string;
  at: number;
}

export interface RequestMessage {
  chatId: number;
  messageId: number;
  /** Sent to an approver (Approve/Deny); else the requester's own (Withdraw). */
  approver: boolean;
}

export interface RunRequestRow {
  id: number;
  token: string;
  script: string;
  revision: string;
  /** The frozen argv and environment, sealed. */
  launch: string;
  /** The values as shown (secrets masked). */
  shown: string;
  requestedBy: number;
  requestedByName: string;
  chatId: number;
  createdAt: number;
  expiresAt: number;
  needed: number;
  approvals: Approval[];
  messages: RequestMessage[];
  status: RequestStatus;
  decidedBy: string | null;
  decidedAt: number | null;
  runId: number | null;
}

export type NewRequest = Pick<
  RunRequestRow,
  | "token"
  | "script"
  | "revision"
  | "launch"
  | "shown"
  | "requestedBy"
  | "requestedByName"
  | "chatId"
  | "createdAt"
  | "expiresAt"
  | "needed"
>;

type Stored = Omit<RunRequestRow, "approvals" | "messages"> & { approvals: string; messages: string };

const COLUMNS = `id, token, script, revision, launch, shown, requested_by AS requestedBy,
  requested_by_name AS requestedByName, chat_id AS chatId, created_at AS createdAt,
  expires_at AS expiresAt, needed, approvals, messages, status, decided_by AS decidedBy,
  decided_at AS decidedAt, run_id AS runId`;

function parseList<T>(json: string): T[] {
  try {
    const list = JSON.parse(json) as unknown;
    return Array.isArray(list) ? (list as T[]) : [];
  } catch {
    return [];
  }
}

const fromStored = (row: Stored): RunRequestRow => ({
  ...row,
  approvals: parseList<Approval>(row.approvals),
  messages: parseList<RequestMessage>(row.messages),
});

export function createRunRequestsRepo(db: Database) {
  const insert = db.query<{ id: number }, (string | number)[]>(
    `INSERT INTO run_requests (token, script, revision, launch, shown, requested_by, requested_by_name,
       chat_id, created_at, expires_at, needed, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending') RETURNING id`,
  );
  const byId = db.query<Stored, [number]>(`SELECT ${COLUMNS} FROM run_requests WHERE id = ?`);
  const due = db.query<Stored, [number]>(
    `SELECT ${COLUMNS} FROM run_requests WHERE status = 'pending' AND expires_at <= ? ORDER BY id`,
  );
  const pending = db.query<Stored, []>(
    `SELECT ${COLUMNS} FROM run_requests WHERE status = 'pending' ORDER BY id`,
  );
  const setApprovals = db.query<unknown, [string, number]>(
    "UPDATE run_requests SET approvals = ? WHERE id = ? AND status = 'pending'",
  );
  const setMessages = db.query<unknown, [string, number]>(
    "UPDATE run_requests SET messages = ? WHERE id = ?",
  );
  const decide = db.query<unknown, [string, string | null, number, number]>(
    `UPDATE run_requests SET status = ?, decided_by = ?, decided_at = ?, launch = ''
     WHERE id = ? AND status = 'pending'`,
  );
  const unrun = db.query<unknown, [number]>(
    "UPDATE run_requests SET status = 'refused' WHERE id = ? AND status = 'approved'",
  );
  const setRun = db.query<unknown, [number, number]>("UPDATE run_requests SET run_id = ? WHERE id = ?");
  const prune = db.query<unknown, [number]>(
    "DELETE FROM run_requests WHERE status != 'pending' AND decided_at < ?",
  );

  return {
    create(request: NewRequest): number {
      const r = request;
      const row = insert.get(
        r.token,
        r.script,
        r.revision,
        r.launch,
        r.shown,
        r.requestedBy,
        r.requestedByName,
        r.chatId,
        r.createdAt,
        r.expiresAt,
        r.needed,
      );
      return (row as { id: number }).id;
    },
    get(id: number): RunRequestRow | undefined {
      const row = byId.get(id);
      return row ? fromStored(row) : undefined;
    },
    pending: (): RunRequestRow[] => pending.all().map(fromStored),
    /** Pending requests whose time is up at `now`. */
    due: (now: number): RunRequestRow[] => due.all(now).map(fromStored),
    setApprovals: (id: number, approvals: Approval[]) => void setApprovals.run(JSON.stringify(approvals), id),
    setMessages: (id: number, messages: RequestMessage[]) =>
      void setMessages.run(JSON.stringify(messages), id),
    /**
     * Ends a pending request; false when it had ended already (two presses at once: one wins).
     * The sealed launch is erased with it: nothing of a decided request can run any more.
     */
    decide(id: number, status: Exclude<RequestStatus, "pending">, by: string | null, at: number): boolean {
      return decide.run(status, by, at, id).changes === 1;
    },
    setRunId: (id: number, runId: number) => void setRun.run(runId, id),
    /** Approved, but the run could not start (already running, the limit): recorded as refused. */
    notStarted: (id: number) => void unrun.run(id),
    /** Deletes requests decided before `before`. */
    prune: (before: number) => void prune.run(before),
  };
}

export type RunRequestsRepo = ReturnType<typeof createRunRequestsRepo>;
