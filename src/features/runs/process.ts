import { existsSync } from "node:fs";
import { errorMessage } from "../../shared/errors.ts";
import { err, ok, type Result } from "../../shared/result.ts";

/**
 * One child process in its own process group (setsid), so Stop, a timeout or shutdown can
 * end the whole tree: SIGTERM to the group and to every process `tree()` finds (descendants
 * that left the group with setsid or a double fork), SIGKILL after the grace period, then a
 * check that nothing survived. Run by argv, never through a shell. Output chunks arrive as
 * they are read, stdout and stderr interleaved in arrival order.
 */

export interface ProcessSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL. */
  graceMs?: number;
  /** How long to wait for the pipes to close after the main process exited. */
  drainMs?: number;
  /** The run's live processes now, beyond its process group (see proc-tree.ts). */
  tree?: () => number[];
  /** Collects orphans that died (zombies re-parented to the bot). */
  reap?: () => void;
}

export interface ProcessExit {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Set when stop() ended it, with the reason given. */
  stoppedBy?: string;
  /** Processes the script left holding its output pipes were ended. */
  leftoversKilled: boolean;
  /** Processes of the run still alive after SIGKILL (0 when all are gone). */
  survivors: number;
}

export interface RunningProcess {
  pid: number;
  exited: Promise<ProcessExit>;
  /** Ends the whole process group (SIGTERM, then SIGKILL after the grace period). */
  stop(by: string): void;
}

export type OutputSink = (chunk: Uint8Array, stream: "stdout" | "stderr") => void;

/**
 * Children Bun.spawn started here and has not reaped yet. Process-wide on purpose: a
 * process's children are, and two runners can live at once (a reload lets the old one finish
 * its runs). Whoever collects orphans (waitpid) must never take one of these: Bun would lose
 * its exit status.
 */
const spawned = new Set<number>();

/** Did Bun.spawn start this pid here (and not reap it yet)? */
export function spawnedHere(pid: number): boolean {
  return spawned.has(pid);
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone
  }
}

function signalPids(pids: readonly number[], signal: NodeJS.Signals): number {
  let sent = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
      sent++;
    } catch {
      // gone already
    }
  }
  return sent;
}

/** Starts the process, or says why it could not (missing, not executable, bad cwd). */
export function startProcess(spec: ProcessSpec, onOutput: OutputSink): Result<RunningProcess, string> {
  const graceMs = spec.graceMs ?? 5000;
  let child: Bun.Subprocess<"ignore", "pipe", "pipe">;
  try {
    child = Bun.spawn(spec.argv, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
  } catch (error) {
    return err(errorMessage(error).replace(/^.*?:\s*/, "") || "could not start");
  }
  const pid = child.pid;
  spawned.add(pid);
  const treeOf = spec.tree ?? (() => []);
  /** Every pid ever seen in the run's tree: the run ends only once none of them is left in /proc. */
  const seen = new Set<number>();
  const tree = () => {
    const pids = treeOf();
    for (const p of pids) seen.add(p);
    return pids;
  };
  /** Seen processes still in /proc: dead ones are zombies the reaper has not collected yet. */
  const lingering = () => {
    for (const p of seen) if (p === pid || !existsSync(`/proc/${p}`)) seen.delete(p);
    return seen.size;
  };
  let timedOut = false;
  let stoppedBy: string | undefined;
  let killTimer: ReturnType<typeof setTimeout> | undefined;

  const killAll = (signal: NodeJS.Signals) => {
    const others = tree().filter((p) => p !== pid);
    const group = signalGroup(pid, signal);
    return signalPids(others, signal) > 0 || group;
  };
  const terminate = () => {
    if (killTimer) return;
    killAll("SIGTERM");
    killTimer = setTimeout(() => killAll("SIGKILL"), graceMs);
  };

  /**
   * After SIGKILL: wait briefly until no process of the run is left, alive or as a zombie (an
   * orphan can turn into one just after a reap pass; the next pass collects it); returns how
   * many are alive.
   */
  const survivorsAfterKill = async () => {
    for (let i = 0; i < 20; i++) {
      spec.reap?.();
      if (tree().length === 0 && lingering() === 0) return 0;
      await Bun.sleep(50);
      killAll("SIGKILL");
    }
    spec.reap?.();
    return tree().length;
  };

  const timeout = setTimeout(() => {
    timedOut = true;
    terminate();
  }, spec.timeoutMs);

  const pump = async (stream: ReadableStream<Uint8Array>, name: "stdout" | "stderr") => {
    for await (const chunk of stream) onOutput(chunk, name);
  };
  const readers = Promise.all([pump(child.stdout, "stdout"), pump(child.stderr, "stderr")]).catch(
    () => undefined,
  );

  const exited = (async (): Promise<ProcessExit> => {
    await child.exited;
    spawned.delete(pid);
    clearTimeout(timeout);
    // A background grandchild may still hold the pipes: give it a moment, then end the group.
    let leftoversKilled = false;
    const drained = await Promise.race([
      readers.then(() => true),
      Bun.sleep(spec.drainMs ?? 2000).then(() => false),
    ]);
    if (!drained) {
      leftoversKilled = killAll("SIGTERM");
      const closed = await Promise.race([readers.then(() => true), Bun.sleep(graceMs).then(() => false)]);
      if (!closed) killAll("SIGKILL");
      await readers;
    }
    let survivors = 0;
    if (timedOut || stoppedBy || !drained) {
      // Stop and timeout end the whole tree, including children that closed their output or
      // left the process group; the run is reported only once they are gone (or counted).
      if (killTimer) clearTimeout(killTimer);
      killAll("SIGKILL");
      survivors = await survivorsAfterKill();
    }
    if (killTimer) clearTimeout(killTimer);
    return {
      exitCode: child.signalCode ? null : child.exitCode,
      signal: child.signalCode === null ? null : String(child.signalCode),
      timedOut,
      ...(stoppedBy ? { stoppedBy } : {}),
      leftoversKilled,
      survivors,
    };
  })();

  return ok({
    pid,
    exited,
    stop(by) {
      if (stoppedBy || timedOut) return;
      stoppedBy = by;
      terminate();
    },
  });
}
