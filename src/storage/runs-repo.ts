import type { Database } from "bun:sqlite";

export type RunStatus = "running" | "succeeded" | "failed" | "timed_out" | "stopped" | "interrupted";

export interface RunRow {
  id: number;
  script: string;
  kind: "oneshot" | "long";
  trigger: "user" | "schedule";
  requestedBy: number | null;
  requestedByName: string | null;
  chatId: number | null;
  messageId: number | null;
  startedAt: number;
  endedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  status: RunStatus;
  reason: string | null;
  outputBytes: number;
  logPath: string | null;
  pid: number | null;
  pidStart: string | null;
  /** The process running it (the bot, or a server's `serve-ssh run`) and its start time. */
  ownerPid: number | null;
  ownerStart: string | null;
  /** The parameter values it ran with (`service=nginx, password=••••`), or null for none. */
  params: string | null;
  /** Who approved it (names, comma-separated), for a script with `approval`. */
  approvedBy: string | null;
}

export type NewRun = Pick<
  RunRow,
  "script" | "kind" | "trigger" | "requestedBy" | "requestedByName" | "chatId" | "startedAt"
> &
  Partial<Pick<RunRow, "ownerPid" | "ownerStart" | "params" | "approvedBy">>;
export type RunEnd = Pick<RunRow, "endedAt" | "exitCode" | "signal" | "status" | "reason" | "outputBytes">;

const COLUMNS = `id, script, kind, trigger, requested_by AS requestedBy, requested_by_name AS requestedByName,
  chat_id AS chatId, message_id AS messageId, started_at AS startedAt, ended_at AS endedAt,
  exit_code AS exitCode, signal, status, reason, output_bytes AS outputBytes, log_path AS logPath,
  pid, pid_start AS pidStart, owner_pid AS ownerPid, owner_start AS ownerStart, params,
  approved_by AS approvedBy`;

/** Run history (see migration 003). */
export function createRunsRepo(db: Database) {
  const insert = db.query<
    { id: number },
    [
      number | null,
      string,
      string,
      string,
      number | null,
      string | null,
      number | null,
      number,
      number | null,
      string | null,
      string | null,
      string | null,
    ]
  >(
    `INSERT INTO runs (id, script, kind, trigger, requested_by, requested_by_name, chat_id, started_at,
                       owner_pid, owner_start, params, approved_by, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running') RETURNING id`,
  );
  const maxId = db.query<{ id: number | null }, []>("SELECT max(id) AS id FROM runs");
  const oldRows = db.query<{ id: number }, [number, number]>(
    "SELECT id FROM runs WHERE started_at < ? AND status != 'running' ORDER BY started_at LIMIT ?",
  );
  const deleteRow = db.query<unknown, [number]>("DELETE FROM runs WHERE id = ?");
  const setLog = db.query<unknown, [string, number]>("UPDATE runs SET log_path = ? WHERE id = ?");
  const setPid = db.query<unknown, [number, string | null, number]>(
    "UPDATE runs SET pid = ?, pid_start = ? WHERE id = ?",
  );
  const setMessage = db.query<unknown, [number, number]>("UPDATE runs SET message_id = ? WHERE id = ?");
  const finish = db.query<
    unknown,
    [number | null, number | null, string | null, string, string | null, number, number]
  >(
    `UPDATE runs SET ended_at = ?, exit_code = ?, signal = ?, status = ?, reason = ?, output_bytes = ?
     WHERE id = ? AND status = 'running'`,
  );
  const byId = db.query<RunRow, [number]>(`SELECT ${COLUMNS} FROM runs WHERE id = ?`);
  const recent = db.query<RunRow, [number]>(`SELECT ${COLUMNS} FROM runs ORDER BY id DESC LIMIT ?`);
  const running = db.query<RunRow, []>(`SELECT ${COLUMNS} FROM runs WHERE status = 'running' ORDER BY id`);
  const beyond = db.query<{ id: number; logPath: string | null }, [number]>(
    // Walks the partial index runs_with_log: only the runs whose files still exist.
    "SELECT id, log_path AS logPath FROM runs INDEXED BY runs_with_log WHERE log_path IS NOT NULL ORDER BY id DESC LIMIT -1 OFFSET ?",
  );
  const clearLog = db.query<unknown, [number]>("UPDATE runs SET log_path = NULL WHERE id = ?");

  /** Inserts a `running` row and returns its id (`id`: this one, not the next free one). */
  const start = (run: NewRun, id?: number): number => {
    const row = insert.get(
      id ?? null,
      run.script,
      run.kind,
      run.trigger,
      run.requestedBy,
      run.requestedByName,
      run.chatId,
      run.startedAt,
      run.ownerPid ?? null,
      run.ownerStart ?? null,
      run.params ?? null,
      run.approvedBy ?? null,
    );
    return (row as { id: number }).id;
  };

  return {
    start,
    /**
     * Inserts a `running` row only if `admit`, shown the running rows in the same immediate
     * (write-locked) transaction, refuses nothing: two processes on one state (the bot and a
     * hub's `serve-ssh run`s) cannot both pass a limit they check at once.
     */
    startIf<R>(
      run: NewRun,
      id: number | undefined,
      admit: (running: RunRow[]) => R | undefined,
    ): number | { refused: R } {
      return db
        .transaction(() => {
          const refused = admit(running.all());
          if (refused !== undefined) return { refused };
          return start(run, id);
        })
        .immediate();
    },
    setLogPath: (id: number, path: string) => void setLog.run(path, id),
    setMessageId: (id: number, messageId: number) => void setMessage.run(messageId, id),
    setPid: (id: number, pid: number, pidStart: string | null) => void setPid.run(pid, pidStart, id),
    /** Ends a running run; a run already ended is left as it is. */
    finish(id: number, end: RunEnd): void {
      finish.run(end.endedAt, end.exitCode, end.signal, end.status, end.reason, end.outputBytes, id);
    },
    get: (id: number): RunRow | undefined => byId.get(id) ?? undefined,
    /** The newest runs; with `scripts`, only runs of those scripts. */
    recent(limit: number, scripts?: readonly string[]): RunRow[] {
      if (!scripts) return recent.all(limit);
      if (!scripts.length) return [];
      const marks = scripts.map(() => "?").join(",");
      return db
        .query<RunRow, (string | number)[]>(
          `SELECT ${COLUMNS} FROM runs WHERE script IN (${marks}) ORDER BY id DESC LIMIT ?`,
        )
        .all(...scripts, limit);
    },
    /** How many runs from `sinceId` on are of scripts not in `scripts`. */
    hiddenSince(sinceId: number, scripts: readonly string[]): number {
      const marks = scripts.map(() => "?").join(",");
      const where = scripts.length ? `AND script NOT IN (${marks})` : "";
      return (
        db
          .query<{ n: number }, (string | number)[]>(`SELECT count(*) AS n FROM runs WHERE id >= ? ${where}`)
          .get(sinceId, ...scripts)?.n ?? 0
      );
    },
    running: (): RunRow[] => running.all(),
    /** Runs whose logs fall outside the newest `keep`: their files can be deleted. */
    logsBeyond: (keep: number) => beyond.all(keep),
    clearLogPath: (id: number) => void clearLog.run(id),
    /** The highest run id so far (0 for none). */
    maxId: (): number => maxId.get()?.id ?? 0,
    /**
     * Deletes up to `limit` ended runs that started before `before`, in one transaction;
     * returns how many went (call again while it returns `limit`).
     */
    pruneHistory: db.transaction((before: number, limit: number): number => {
      const rows = oldRows.all(before, limit);
      for (const r of rows) deleteRow.run(r.id);
      return rows.length;
    }),
  };
}

export type RunsRepo = ReturnType<typeof createRunsRepo>;
