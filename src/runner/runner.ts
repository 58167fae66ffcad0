import { accessSync, constants, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ScriptDef } from "../config/parse.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/log.ts";
import type { RunRow, RunStatus, RunsRepo } from "../storage/runs-repo.ts";
import { childEnv } from "./child-env.ts";
import type { RunOutcome } from "./messages.ts";
import { outcomeOf } from "./outcome.ts";
import { createRunOutput, type RunOutput } from "./output.ts";
import { type RunningProcess, startProcess } from "./process.ts";
import { endOrphanGroup, processStartTime } from "./process-groups.ts";
import { createOutputRedactor } from "./text-filters.ts";

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
  limits: { max_parallel: number; max_log_bytes: number; keep_runs: number };
  /** `redact` from the config: regexes applied to everything that leaves the server. */
  redactPatterns: readonly string[];
  /** The parent environment; secrets are removed before a child sees it. */
  env: Record<string, string | undefined>;
  /** Values that must never reach a child (bot token, Plume credentials, the secret key). */
  secretValues(): readonly string[];
  graceMs?: number;
  /** Metrics: a run ended, with its status and duration in seconds. */
  onRunEnd?(script: string, status: RunStatus, seconds: number): void;
}

function executableProblem(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return `${path} is not a file`;
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `${path} does not exist any more` : `${path} is not executable`;
  }
}

export function createRunner(options: RunnerOptions) {
  const { runsRepo, clock, log } = options;
  const runsDir = join(options.stateDir, "runs");
  const active = new Map<number, ActiveRun & { process: RunningProcess; done: Promise<void> }>();

  function prune() {
    for (const old of runsRepo.logsBeyond(options.limits.keep_runs)) {
      if (old.logPath) {
        rmSync(old.logPath, { force: true });
        rmSync(old.logPath.replace(/\.log$/, ".txt"), { force: true });
      }
      runsRepo.clearLogPath(old.id);
    }
  }

  function start(
    script: ScriptDef,
    requester: Requester,
    listener: RunListener,
  ): { ok: true; run: ActiveRun } | { ok: false; refusal: StartRefusal } {
    const same = [...active.values()].find((r) => r.script.name === script.name);
    if (same) return { ok: false, refusal: { kind: "already-running", run: same } };
    if (active.size >= options.limits.max_parallel)
      return { ok: false, refusal: { kind: "limit", max: options.limits.max_parallel } };

    const startedAt = clock.now();
    const id = runsRepo.start({
      script: script.name,
      kind: script.kind,
      trigger: requester.trigger,
      requestedBy: requester.userId,
      requestedByName: requester.name,
      chatId: requester.chatId,
      startedAt,
    });
    const problem = executableProblem(script.path);
    const fail = (reason: string) => {
      runsRepo.finish(id, {
        endedAt: clock.now(),
        exitCode: null,
        signal: null,
        status: "failed",
        reason,
        outputBytes: 0,
      });
      log.warn("script could not start", { script: script.name, run: id, reason });
      return { ok: false as const, refusal: { kind: "cannot-start" as const, runId: id, reason } };
    };
    if (problem) return fail(problem);

    mkdirSync(runsDir, { recursive: true, mode: 0o700 });
    const logPath = join(runsDir, `${id}.log`);
    const textPath = join(runsDir, `${id}-${script.name}.txt`);
    runsRepo.setLogPath(id, logPath);
    const secretValues = Object.entries(script.env)
      .filter(([k]) => script.secret_env.includes(k))
      .map(([, v]) => v);
    const output = createRunOutput({
      logPath,
      textPath,
      maxBytes: options.limits.max_log_bytes,
      redact: createOutputRedactor(options.redactPatterns, [...secretValues, ...options.secretValues()]),
    });
    let run: ActiveRun | undefined;
    const started = startProcess(
      {
        argv: [script.path, ...script.args],
        cwd: script.cwd,
        env: childEnv(options.env, options.secretValues(), {
          ...script.env,
          OCTOPUS_RUN_ID: String(id),
          OCTOPUS_SCRIPT: script.name,
          OCTOPUS_USER_ID: requester.userId === null ? "" : String(requester.userId),
          OCTOPUS_CHAT_ID: requester.chatId === null ? "" : String(requester.chatId),
        }),
        timeoutMs: script.timeoutMs,
        ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
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
    runsRepo.setPid(id, proc.pid, processStartTime(proc.pid));
    run = { id, script, requester, startedAt, output, textPath, stop: (by) => proc.stop(by) };
    log.info("script started", { script: script.name, run: id, by: requester.name, pid: proc.pid });

    const done = (async () => {
      const exit = await proc.exited;
      await output.close();
      const { outcome, status, reason } = outcomeOf(exit, script.timeoutMs);
      const endedAt = clock.now();
      runsRepo.finish(id, {
        endedAt,
        exitCode: exit.exitCode,
        signal: exit.signal,
        status,
        reason,
        outputBytes: output.bytes(),
      });
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
    get: (id: number): ActiveRun | undefined => active.get(id),
    /** Stops one run; false if it is not running. */
    stop(id: number, by: string): boolean {
      const run = active.get(id);
      if (!run) return false;
      log.info("stop requested", { run: id, by });
      run.process.stop(by);
      return true;
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
        const orphan = row.pid !== null && endOrphanGroup(row.pid, row.pidStart);
        if (orphan) log.warn("ended the processes of an interrupted run", { run: row.id, pid: row.pid });
        let bytes = 0;
        try {
          bytes = row.logPath ? statSync(row.logPath).size : 0;
        } catch {
          // the log was never written
        }
        runsRepo.finish(row.id, {
          endedAt: clock.now(),
          exitCode: null,
          signal: null,
          status: "interrupted",
          reason: orphan
            ? "the bot stopped while it ran; its processes were ended at restart"
            : "the bot stopped while it ran",
          outputBytes: bytes,
        });
      }
      if (rows.length)
        log.warn("runs interrupted by the last stop", { runs: rows.map((r) => r.id).join(",") });
      return rows;
    },
  };
}

export type Runner = ReturnType<typeof createRunner>;
