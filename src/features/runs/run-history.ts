import { rmSync } from "node:fs";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { StorageHealth } from "../../storage/health.ts";
import type { RunRow, RunsRepo } from "../../storage/runs-repo.ts";
import { textPathOf } from "./files.ts";

const HISTORY_PRUNE_EVERY_MS = 3_600_000;

/**
 * The runner's history rows, written so that a failing disk never stops a run: a write that
 * fails is logged once (through StorageHealth) and the run goes on in memory, with an id no
 * later row reuses.
 */
export function createRunHistory(deps: {
  runsRepo: RunsRepo;
  clock: Clock;
  log: Logger;
  limits: { keep_runs: number; keep_history: number };
  storage?: StorageHealth | undefined;
}) {
  const { runsRepo, clock, log, storage } = deps;
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
      if (proves) storage?.ok("run history");
      return value;
    } catch (error) {
      if (storage) storage.failed("run history", error, "runs go on without history rows");
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

  return {
    write,
    /** A new run's id: its row's, or (no row could be written) one past every id seen. */
    newRunId<R>(
      run: Parameters<RunsRepo["start"]>[0],
      activeIds: Iterable<number>,
      admit: (running: RunRow[]) => R | undefined = () => undefined,
    ): number | { refused: R } {
      // After a run that had to live in memory, the next row takes an id past it, never its id.
      const explicit = highestMemoryId > 0 ? Math.max(highestMemoryId, maxIdSoFar()) + 1 : undefined;
      const id = write(() => runsRepo.startIf(run, explicit, admit), undefined);
      if (id !== undefined) return id;
      highestMemoryId = Math.max(highestMemoryId, maxIdSoFar(), ...activeIds) + 1;
      memoryOnly.add(highestMemoryId);
      return highestMemoryId;
    },
    /** Whether the run has a history row (writes to it prove the disk works). */
    saved: (id: number) => !memoryOnly.has(id),
    /** The run ended: it no longer needs its memory-only mark. Returns whether it had a row. */
    forget: (id: number) => !memoryOnly.delete(id),
    /** Deletes the files of runs beyond keep_runs and, at most hourly, history beyond keep_history. */
    prune() {
      write(
        () => {
          for (const old of runsRepo.logsBeyond(deps.limits.keep_runs)) {
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
      const before = now - deps.limits.keep_history;
      let deleted = 0;
      for (let n = 1; n > 0; deleted += n) n = write(() => runsRepo.pruneHistory(before, 5000), 0, false);
      if (deleted)
        log.info("pruned run history", {
          rows: deleted,
          older_than_days: deps.limits.keep_history / 86_400_000,
        });
    },
  };
}

export type RunHistory = ReturnType<typeof createRunHistory>;
