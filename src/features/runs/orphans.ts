import { reap } from "../../system/libc.ts";
import { environOf, listProcesses } from "./proc-tree.ts";
import { spawnedHere } from "./process.ts";

const REAP_EVERY_MS = 10_000;

/**
 * Orphans re-parented to the bot that have died are zombies until someone waits for them;
 * Bun waits only for what it spawned, so they are collected here: processes seen in a run's
 * tree (or carrying this install's run key) that Bun did not spawn. Only these are ever
 * passed to waitpid: a zombie child the bot did not see in a run (another part of the process
 * spawned it) is left to whoever spawned it, and Bun's own children keep their exit status.
 */
export function createOrphanReaper(runKeyPrefix: string) {
  let timer: ReturnType<typeof setInterval> | undefined;
  const orphans = new Set<number>();
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
  const watch = () => {
    const prefix = `OCTOPUS_RUN_KEY=${runKeyPrefix}`;
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
  return {
    /** Remembers the pids of a run's tree that Bun did not spawn; returns the pids. */
    note(pids: number[]): number[] {
      for (const pid of pids) if (!spawnedHere(pid)) orphans.add(pid);
      return pids;
    },
    reap: reapOrphans,
    /** Starts the periodic check (with the first run). */
    start(): void {
      if (timer) return;
      timer = setInterval(watch, REAP_EVERY_MS);
      timer.unref();
    },
    dispose(): void {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
