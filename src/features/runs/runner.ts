import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { executableProblem } from "../../config/executable.ts";
import type { ScriptDef } from "../../config/parse.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { Redactor } from "../../shared/redact.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import type { StorageHealth } from "../../storage/health.ts";
import type { RunRow, RunStatus, RunsRepo } from "../../storage/runs-repo.ts";
import { childEnv } from "./child-env.ts";
import { runFiles } from "./files.ts";
import type { LocalLive } from "./live-runs.ts";
import { createOrphanReaper } from "./orphans.ts";
import { outcomeOf } from "./outcome.ts";
import { createRunOutput, type RunOutput } from "./output.ts";
import { defaultValues, type Launch, launchFor } from "./params.ts";
import { runTree } from "./proc-tree.ts";
import { type ProcessExit, startProcess } from "./process.ts";
import { ownedElsewhere, processStartTime, selfAsOwner } from "./process-groups.ts";
import { recoverInterrupted } from "./recover.ts";
import { createRunHistory } from "./run-history.ts";
import type { ActiveRun, Requester, RunListener, StartRefusal } from "./run-types.ts";

/**
 * Runs configured scripts: one at a time per script, at most `max_parallel` together,
 * each with a history row, a log in `<state>/runs/`, a timeout and a Stop. It knows no
 * Telegram: a RunListener (the /run command, the scheduler) presents what happens.
 */

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
  /** The process's runs across reloads (LiveRuns.local): a predecessor's runs count here too. */
  live?: Map<number, LocalLive>;
}

type Started = Result<ActiveRun, StartRefusal>;

/** A run's parameters, and who approved it when its script needs approval. */
export type RunLaunch = Launch & { approvedBy?: string };

export function createRunner(options: RunnerOptions) {
  const { runsRepo, clock, log } = options;
  const runsDir = join(options.stateDir, "runs");
  const patterns = options.redactPatterns.map((p) => new RegExp(p, "g"));
  // Tells this install's runs apart from another install's on the same machine (same run ids).
  const instance = Bun.hash(options.stateDir).toString(16).slice(0, 10);
  const runKey = (id: number) => `${instance}-${id}`;
  const orphans = createOrphanReaper(`${instance}-`);
  const history = createRunHistory({ ...options, storage: options.storage });
  // Every run in flight in this process (a reload's predecessor's too): what /jobs lists, Stop
  // finds and the limits count. `own`: the ones this runner started, which it waits for.
  const active = options.live ?? new Map<number, LocalLive>();
  const own = new Set<number>();
  const owner = selfAsOwner();

  /** A run that could not start: its row says why, and so does the answer. */
  function cannotStart(id: number, script: ScriptDef, reason: string): Started {
    const row = { endedAt: clock.now(), exitCode: null, signal: null, status: "failed" as const, reason };
    history.write(() => runsRepo.finish(id, { ...row, outputBytes: 0 }), undefined, history.forget(id));
    log.warn("script could not start", { script: script.name, run: id, reason });
    return err({ kind: "cannot-start", runId: id, reason });
  }

  function outputFor(id: number, script: ScriptDef, launch: Launch, onText?: (piece: string) => void) {
    try {
      mkdirSync(runsDir, { recursive: true, mode: 0o700 });
    } catch {
      // The output files then fail to open, and the run reports that its log was not saved.
    }
    const { logPath, textPath } = runFiles(runsDir, id, script.name);
    history.write(() => runsRepo.setLogPath(id, logPath), undefined, history.saved(id));
    const secrets = Object.entries(script.env)
      .filter(([k]) => script.secret_env.includes(k))
      .map(([, v]) => v)
      .concat(launch.secrets);
    const redact = options.redactor.with({ secrets, patterns }).redact;
    const output = createRunOutput({
      logPath,
      textPath,
      maxBytes: options.limits.max_log_bytes,
      redact,
      ...(onText ? { onText } : {}),
    });
    return { output, textPath };
  }

  function envFor(id: number, script: ScriptDef, requester: Requester, launch: Launch) {
    return childEnv(options.env, options.redactor.values(), {
      ...script.env,
      ...launch.env,
      OCTOPUS_RUN_ID: String(id),
      OCTOPUS_RUN_KEY: runKey(id),
      OCTOPUS_SCRIPT: script.name,
      OCTOPUS_USER_ID: requester.userId === null ? "" : String(requester.userId),
      OCTOPUS_CHAT_ID: requester.chatId === null ? "" : String(requester.chatId),
    });
  }

  /** After the process exits: history row, storage health, metrics, the listener, pruning. */
  async function finish(run: ActiveRun, output: RunOutput, exit: ProcessExit, listener: RunListener) {
    const { id, script, startedAt } = run;
    await output.close();
    const { outcome, status, reason } = outcomeOf(exit, script.timeoutMs);
    const endedAt = clock.now();
    const { exitCode, signal } = exit;
    const row = { endedAt, exitCode, signal, status, reason, outputBytes: output.bytes() };
    history.write(() => runsRepo.finish(id, row), undefined, history.saved(id));
    history.forget(id);
    const saveError = output.saveError();
    if (saveError) {
      options.storage?.failed("run logs", new Error(saveError), "the chat gets the output tail it has");
      log.warn("the run's log could not be saved", { run: id, error: saveError });
    } else options.storage?.ok("run logs");
    active.delete(id);
    own.delete(id);
    options.onRunEnd?.(script.name, status, (endedAt - startedAt) / 1000);
    log.info("script ended", {
      script: script.name,
      run: id,
      status,
      exit: exitCode,
      signal,
      bytes: row.outputBytes,
    });
    try {
      await listener.finished({
        run,
        outcome,
        durationMs: endedAt - startedAt,
        leftoversKilled: exit.leftoversKilled,
        survivors: exit.survivors,
        ...(saveError ? { saveError } : {}),
      });
    } catch (error) {
      log.error("reporting a finished run failed", { run: id, error });
    }
    history.prune();
  }

  /**
   * `given`: the argv and environment for this run's parameter values (frozen by /run, or by
   * an approved request); without it a script's defaults (a schedule's run).
   */
  function start(script: ScriptDef, requester: Requester, listener: RunListener, given?: RunLaunch): Started {
    const launch = given ?? launchFor(script, defaultValues(script));
    orphans.start();
    const same = [...active.values()].find((r) => r.script.name === script.name);
    if (same) return err({ kind: "already-running", run: same });
    const max = options.limits.max_parallel;
    if (active.size >= max) return err({ kind: "limit", max });
    const startedAt = clock.now();
    const { trigger, userId: requestedBy, name: requestedByName, chatId } = requester;
    const row = {
      script: script.name,
      kind: script.kind,
      trigger,
      requestedBy,
      requestedByName,
      chatId,
      startedAt,
      ...owner,
      ...(launch.shown ? { params: launch.shown } : {}),
      ...(given?.approvedBy ? { approvedBy: given.approvedBy } : {}),
    };
    // The same script, or the limit, across every process on this state (the bot and each of
    // a hub's `serve-ssh run`), checked and the row written in one write-locked transaction.
    const admitted = history.newRunId(row, active.keys(), (running): StartRefusal | undefined => {
      const others = running.filter(ownedElsewhere);
      const same = others.find((r) => r.script === script.name);
      if (same) return { kind: "running-elsewhere", row: same };
      if (active.size + others.length >= max) return { kind: "limit", max };
      return undefined;
    });
    if (typeof admitted !== "number") return err(admitted.refused);
    const id = admitted;
    const problem = executableProblem(script.path);
    if (problem) return cannotStart(id, script, problem);
    let run: ActiveRun | undefined;
    const onText = listener.text ? (piece: string) => run && listener.text?.(run, piece) : undefined;
    const { output, textPath } = outputFor(id, script, launch, onText);
    let pid: number | undefined;
    const started = startProcess(
      {
        argv: [script.path, ...launch.args],
        cwd: script.cwd,
        env: envFor(id, script, requester, launch),
        timeoutMs: script.timeoutMs,
        ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
        tree: () => (pid === undefined ? [] : orphans.note(runTree(pid, runKey(id)))),
        reap: orphans.reap,
      },
      (chunk, stream) => {
        output.write(chunk, stream);
        if (run) listener.output?.(run);
      },
    );
    if (!started.ok) {
      void output.close();
      return cannotStart(id, script, started.error);
    }
    const proc = started.value;
    pid = proc.pid;
    history.write(
      () => runsRepo.setPid(id, proc.pid, processStartTime(proc.pid)),
      undefined,
      history.saved(id),
    );
    const live: ActiveRun = {
      id,
      script,
      requester,
      startedAt,
      output,
      textPath,
      stop: (by) => proc.stop(by),
    };
    run = live;
    log.info("script started", { script: script.name, run: id, by: requester.name, pid: proc.pid });
    const done = proc.exited.then((exit) => finish(live, output, exit, listener));
    active.set(id, { ...live, process: proc, done });
    own.add(id);
    void Promise.resolve(listener.started?.(live)).catch((error: unknown) =>
      log.error("reporting a started run failed", { run: id, error }),
    );
    return ok(live);
  }

  return {
    start,
    active: (): ActiveRun[] => [...active.values()],
    /** Prunes old history now (also done at most hourly after runs). */
    prune: () => history.prune(),
    /** Stops one run; false if it is not running. */
    stop(id: number, by: string): boolean {
      const run = active.get(id);
      if (!run) return false;
      log.info("stop requested", { run: id, by });
      run.process.stop(by);
      return true;
    },
    /** Stops the periodic orphan check (the runner is being replaced or the bot stops). */
    dispose: () => orphans.dispose(),
    /** Resolves when no run this runner started is active (each has ended and been reported). */
    async idle(): Promise<void> {
      const mine = () => [...own].flatMap((id) => active.get(id) ?? []);
      while (mine().length) await Promise.all(mine().map((r) => r.done));
    },
    /** Shutdown: stops every run of the process (a reload's predecessor's too) and waits until each has ended and been reported. */
    async stopAll(by: string): Promise<void> {
      const runs = [...active.values()];
      for (const r of runs) r.process.stop(by);
      await Promise.all(runs.map((r) => r.done));
    },
    /** At start: rows a crash left `running` become `interrupted`. Returns them so their chats can be told. */
    // A run still live in this process (started before a reload) is not a crash's leftover.
    recoverInterrupted: (only?: (row: RunRow) => boolean): RunRow[] =>
      recoverInterrupted({
        ...{ runsRepo, history, clock, log, runKey },
        only: (row) => !active.has(row.id) && (only?.(row) ?? true),
      }),
  };
}

export type Runner = ReturnType<typeof createRunner>;
