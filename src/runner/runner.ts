import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { executableProblem } from "../config/executable.ts";
import type { ScriptDef } from "../config/parse.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/log.ts";
import type { Redactor } from "../shared/redact.ts";
import type { StorageHealth } from "../storage/health.ts";
import type { RunRow, RunStatus, RunsRepo } from "../storage/runs-repo.ts";
import { reap } from "../system/libc.ts";
import { childEnv } from "./child-env.ts";
import { runFiles, textPathOf } from "./files.ts";
import type { RunOutcome } from "./messages.ts";
import { outcomeOf } from "./outcome.ts";
import { createRunOutput, type RunOutput } from "./output.ts";
import { environOf, listProcesses, processesWithKey, runTree } from "./proc-tree.ts";
import { type RunningProcess, spawnedHere, startProcess } from "./process.ts";
import { endOrphanGroup, processStartTime } from "./process-groups.ts";

/**
 * Runs configured scripts: one at a time per script, at most `max_parallel` together,
 * each with a history row, a log in `<state>/runs/`, a timeout and a Stop. It knows no
 * Telegram: a RunListener (the /run command, the scheduler) presents what happens.
 */

export interface Requester {
  userId: number | null;
  name: string;
  chatId: number | null;
  trigger: "user" | "schedule";
}

export interface ActiveRun {
  id: number;
  script: ScriptDef;
  requester: Requester;
  startedAt: number;
  output: RunOutput;
  textPath: string;
  stop(by: string): void;
}

export interface FinishedRun {
  run: ActiveRun;
  outcome: RunOutcome;
  durationMs: number;
  leftoversKilled: boolean;
  /** Set when the run's log files could not be written (disk full): the chat gets the tail. */
  saveError?: string;
  /** Processes of the run that were still alive after SIGKILL. */
  survivors: number;
}

export interface RunListener {
  started?(run: ActiveRun): void | Promise<void>;
  /** Output arrived (called at most once per chunk; throttle on your side). */
  output?(run: ActiveRun): void;
  finished(result: FinishedRun): void | Promise<void>;
}

export type StartRefusal =
  | { kind: "already-running"; run: ActiveRun }
  | { kind: "limit"; max: number }
  | { kind: "cannot-start"; runId: number; reason: string };

export interface RunnerOptions {
  stateDir: string;
  runsRepo: RunsRepo;
  clock: Clock;
  log: Logger;
  limits: { max_parallel: number; max_log_bytes: number; keep_runs: number; keep_history: number };
  /** `redact` from the config: regexes applied to everything that leaves the server. */
  redactPatterns: readonly string[];
  /** The parent environment; secrets are removed before a child sees it. */
  env: Record<string, string | undefined>;
  /** The one redactor: its secrets never reach a child, nor leave in a script's output. */
  redactor: Redactor;
  graceMs?: number;
  /** Metrics: a run ended, with its status and duration in seconds. */
  onRunEnd?(script: string, status: RunStatus, seconds: number): void;
  /** Told when history or log writes fail (disk full): runs go on without them. */
  storage?: StorageHealth;
}

const HISTORY_PRUNE_EVERY_MS = 3_600_000;
const REAP_EVERY_MS = 10_000;

export function createRunner(options: RunnerOptions) {
  const { runsRepo, clock, log } = options;
  const runsDir = join(options.stateDir, "runs");
  const patterns = options.redactPatterns.map((p) => new RegExp(p, "g"));
  // Tells this install's runs apart from another install's on the same machine (same run ids).
  const instance = Bun.hash(options.stateDir).toString(16).slice(0, 10);
  const runKey = (id: number) => `${instance}-${id}`;
  /**
   * Orphans re-parented to the bot that have died are zombies until someone waits for them;
   * Bun waits only for what it spawned, so they are collected here: processes seen in a run's
   * tree (or carrying this install's run key) that Bun did not spawn. Only these are ever
   * passed to waitpid: a zombie child the bot did not see in a run (another part of the process
   * spawned it) is left to whoever spawned it, and Bun's own children keep their exit status.
   */
  let reaper: ReturnType<typeof setInterval> | undefined;
  const orphans = new Set<number>();
  const note = (pids: number[]) => {
    for (const pid of pids) if (!spawnedHere(pid)) orphans.add(pid);
    return pids;
  };
  const reapOrphans = () => {
    if (!orphans.size) return;
    const now = new Map(listProcesses().map((p) => [p.pid, p]));
    for (const pid of orphans) {
      const p = now.get(pid);
      if (!p) orphans.delete(pid);
      else if (p.state === "Z" && p.ppid === process.pid && !spawnedHere(pid) && reap(pid))
        orphans.delete(pid);
    }
  };
  /** Live processes carrying one of this install's run keys that Bun did not spawn: future orphans. */
  const watchOrphans = () => {
    const prefix = `OCTOPUS_RUN_KEY=${instance}-`;
    for (const p of listProcesses())
      if (
        p.ppid === process.pid &&
        p.state !== "Z" &&
        !spawnedHere(p.pid) &&
        environOf(p.pid).some((e) => e.startsWith(prefix))
      )
        orphans.add(p.pid);
    reapOrphans();
  };
  const active = new Map<number, ActiveRun & { process: RunningProcess; done: Promise<void> }>();
  /** Ids handed out while the history could not be written; a later row never reuses them. */
  let highestMemoryId = 0;
  /** Runs with no history row: updates to them write nothing, so they prove nothing. */
  const memoryOnly = new Set<number>();
  let historyPrunedAt = Number.NEGATIVE_INFINITY;

  /**
   * A history write that may fail (disk full): the run goes on, the failure is logged once.
   * `proves` false: the call may have written nothing, so its success says nothing of recovery.
   */
  function write<T>(fn: () => T, otherwise: T, proves = true): T {
    try {
      const value = fn();
      if (proves) options.storage?.ok("run history");
      return value;
    } catch (error) {
      if (options.storage) options.storage.failed("run history", error, "runs go on without history rows");
      else log.error("run history cannot be written", { error });
      return otherwise;
    }
  }

  const maxIdSoFar = () => {
    try {
      return runsRepo.maxId();
    } catch {
      return 0;
    }
  };

  function newRunId(run: Parameters<RunsRepo["start"]>[0]): number {
    // After a run that had to live in memory, the next row takes an id past it, never its id.
    const explicit = highestMemoryId > 0 ? Math.max(highestMemoryId, maxIdSoFar()) + 1 : undefined;
    const id = write(() => runsRepo.start(run, explicit), undefined);
    if (id !== undefined) return id;
    highestMemoryId = Math.max(highestMemoryId, maxIdSoFar(), ...active.keys()) + 1;
    memoryOnly.add(highestMemoryId);
    return highestMemoryId;
  }

  /** Deletes the files of runs beyond keep_runs and, at most hourly, history beyond keep_history. */
  function prune() {
    write(
      () => {
        for (const old of runsRepo.logsBeyond(options.limits.keep_runs)) {
          if (old.logPath) {
            rmSync(old.logPath, { force: true });
            const row = runsRepo.get(old.id);
            if (row) rmSync(textPathOf(old.logPath, row.script), { force: true });
          }
          runsRepo.clearLogPath(old.id);
        }
      },
      undefined,
      false,
    );
    const now = clock.now();
    if (now - historyPrunedAt < HISTORY_PRUNE_EVERY_MS) return;
    historyPrunedAt = now;
    const before = now - options.limits.keep_history;
    let deleted = 0;
    for (let n = 1; n > 0; deleted += n) n = write(() => runsRepo.pruneHistory(before, 5000), 0, false);
    if (deleted)
      log.info("pruned run history", {
        rows: deleted,
        older_than_days: options.limits.keep_history / 86_400_000,
      });
  }

  function start(
    script: ScriptDef,
    requester: Requester,
    listener: RunListener,
  ): { ok: true; run: ActiveRun } | { ok: false; refusal: StartRefusal } {
    if (!reaper) {
      reaper = setInterval(watchOrphans, REAP_EVERY_MS);
      reaper.unref();
    }
    const same = [...active.values()].find((r) => r.script.name === script.name);
    if (same) return { ok: false, refusal: { kind: "already-running", run: same } };
    if (active.size >= options.limits.max_parallel)
      return { ok: false, refusal: { kind: "limit", max: options.limits.max_parallel } };

    const startedAt = clock.now();
    const id = newRunId({
      script: script.name,
      kind: script.kind,
      trigger: requester.trigger,
      requestedBy: requester.userId,
      requestedByName: requester.name,
      chatId: requester.chatId,
      startedAt,
    });
    const saved = !memoryOnly.has(id);
    const problem = executableProblem(script.path);
    const fail = (reason: string) => {
      write(
        () =>
          runsRepo.finish(id, {
            endedAt: clock.now(),
            exitCode: null,
            signal: null,
            status: "failed",
            reason,
            outputBytes: 0,
          }),
        undefined,
        !memoryOnly.delete(id),
      );
      log.warn("script could not start", { script: script.name, run: id, reason });
      return { ok: false as const, refusal: { kind: "cannot-start" as const, runId: id, reason } };
    };
    if (problem) return fail(problem);

    try {
      mkdirSync(runsDir, { recursive: true, mode: 0o700 });
    } catch {
      // The output files then fail to open, and the run reports that its log was not saved.
    }
    const { logPath, textPath } = runFiles(runsDir, id, script.name);
    write(() => runsRepo.setLogPath(id, logPath), undefined, saved);
    const secretValues = Object.entries(script.env)
      .filter(([k]) => script.secret_env.includes(k))
      .map(([, v]) => v);
    const output = createRunOutput({
      logPath,
      textPath,
      maxBytes: options.limits.max_log_bytes,
      redact: options.redactor.with({ secrets: secretValues, patterns }).redact,
    });
    let run: ActiveRun | undefined;
    let pidOf: number | undefined;
    const started = startProcess(
      {
        argv: [script.path, ...script.args],
        cwd: script.cwd,
        env: childEnv(options.env, options.redactor.values(), {
          ...script.env,
          OCTOPUS_RUN_ID: String(id),
          OCTOPUS_RUN_KEY: runKey(id),
          OCTOPUS_SCRIPT: script.name,
          OCTOPUS_USER_ID: requester.userId === null ? "" : String(requester.userId),
          OCTOPUS_CHAT_ID: requester.chatId === null ? "" : String(requester.chatId),
        }),
        timeoutMs: script.timeoutMs,
        ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
        tree: () => (pidOf === undefined ? [] : note(runTree(pidOf, runKey(id)))),
        reap: reapOrphans,
      },
      (chunk, stream) => {
        output.write(chunk, stream);
        if (run) listener.output?.(run);
      },
    );
    if (!started.ok) {
      void output.close();
      return fail(started.error);
    }
    const proc = started.value;
    pidOf = proc.pid;
    write(() => runsRepo.setPid(id, proc.pid, processStartTime(proc.pid)), undefined, saved);
    run = { id, script, requester, startedAt, output, textPath, stop: (by) => proc.stop(by) };
    log.info("script started", { script: script.name, run: id, by: requester.name, pid: proc.pid });

    const done = (async () => {
      const exit = await proc.exited;
      await output.close();
      const { outcome, status, reason } = outcomeOf(exit, script.timeoutMs);
      const endedAt = clock.now();
      write(
        () =>
          runsRepo.finish(id, {
            endedAt,
            exitCode: exit.exitCode,
            signal: exit.signal,
            status,
            reason,
            outputBytes: output.bytes(),
          }),
        undefined,
        saved,
      );
      memoryOnly.delete(id);
      const saveError = output.saveError();
      if (saveError) {
        options.storage?.failed("run logs", new Error(saveError), "the chat gets the output tail it has");
        log.warn("the run's log could not be saved", { run: id, error: saveError });
      } else options.storage?.ok("run logs");
      active.delete(id);
      options.onRunEnd?.(script.name, status, (endedAt - startedAt) / 1000);
      log.info("script ended", {
        script: script.name,
        run: id,
        status,
        exit: exit.exitCode,
        signal: exit.signal,
        bytes: output.bytes(),
      });
      try {
        await listener.finished({
          run: run as ActiveRun,
          outcome,
          durationMs: endedAt - startedAt,
          leftoversKilled: exit.leftoversKilled,
          survivors: exit.survivors,
          ...(saveError ? { saveError } : {}),
        });
      } catch (error) {
        log.error("reporting a finished run failed", { run: id, error });
      }
      prune();
    })();
    active.set(id, { ...run, process: proc, done });
    void Promise.resolve(listener.started?.(run)).catch((error: unknown) =>
      log.error("reporting a started run failed", { run: id, error }),
    );
    return { ok: true, run };
  }

  return {
    start,
    active: (): ActiveRun[] => [...active.values()],
    /** Prunes old history now (also done at most hourly after runs). */
    prune,
    /** Stops one run; false if it is not running. */
    stop(id: number, by: string): boolean {
      const run = active.get(id);
      if (!run) return false;
      log.info("stop requested", { run: id, by });
      run.process.stop(by);
      return true;
    },
    /** Stops the periodic orphan check (the runner is being replaced or the bot stops). */
    dispose(): void {
      if (reaper) clearInterval(reaper);
      reaper = undefined;
    },
    /** Resolves when no run is active (each has ended and been reported). */
    async idle(): Promise<void> {
      while (active.size) await Promise.all([...active.values()].map((r) => r.done));
    },
    /** Shutdown: stops every run and waits until each has ended and been reported. */
    async stopAll(by: string): Promise<void> {
      const runs = [...active.values()];
      for (const r of runs) r.process.stop(by);
      await Promise.all(runs.map((r) => r.done));
    },
    /** At start: rows a crash left `running` become `interrupted`. Returns them so their chats can be told. */
    recoverInterrupted(): RunRow[] {
      const rows = runsRepo.running();
      for (const row of rows) {
        // Outside systemd nothing else ends a crashed bot's children: do it here.
        // Its group, and what left the group but still carries the run's key in its environment.
        const strays = processesWithKey(runKey(row.id));
        for (const pid of strays) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // gone meanwhile
          }
        }
        const orphan = (row.pid !== null && endOrphanGroup(row.pid, row.pidStart)) || strays.length > 0;
        if (orphan) log.warn("ended the processes of an interrupted run", { run: row.id, pid: row.pid });
        let bytes = 0;
        try {
          bytes = row.logPath ? statSync(row.logPath).size : 0;
        } catch {
          // the log was never written
        }
        write(
          () =>
            runsRepo.finish(row.id, {
              endedAt: clock.now(),
              exitCode: null,
              signal: null,
              status: "interrupted",
              reason: orphan
                ? "the bot stopped while it ran; its processes were ended at restart"
                : "the bot stopped while it ran",
              outputBytes: bytes,
            }),
          undefined,
        );
      }
      if (rows.length)
        log.warn("runs interrupted by the last stop", { runs: rows.map((r) => r.id).join(",") });
      return rows;
    },
  };
}

export type Runner = ReturnType<typeof createRunner>;
