import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { StorageHealth } from "../../storage/health.ts";
import type { HistoryRepo, Point, Tier } from "../../storage/history-repo.ts";

/**
 * The history as the features see it. A check's values wait in memory and go to SQLite once a
 * minute (one transaction with the roll-ups), so a check costs microseconds and a crash loses
 * at most a minute of raw points; readers see the pending values too. A failing disk loses
 * history, never a check. Old points are pruned at most hourly.
 */

export interface HistoryKeep {
  keep_raw: number;
  keep_minutes: number;
  keep_quarters: number;
  keep_hours: number;
}

const PRUNE_EVERY_MS = 3_600_000;

/** The finest tier that still holds the whole range. */
export function tierFor(rangeMs: number, keep: HistoryKeep): Tier {
  if (rangeMs <= Math.min(keep.keep_raw, 6 * 3_600_000)) return 0;
  if (rangeMs <= keep.keep_minutes && rangeMs <= 2 * 86_400_000) return 1;
  if (rangeMs <= keep.keep_quarters && rangeMs <= 31 * 86_400_000) return 15;
  return 60;
}

export function createHistoryStore(deps: {
  repo: HistoryRepo;
  clock: Clock;
  keep: HistoryKeep;
  log: Logger;
  storage?: StorageHealth;
}) {
  const { repo, clock } = deps;
  let pending: { at: number; values: ReadonlyMap<string, number> }[] = [];
  let prunedAt = Number.NEGATIVE_INFINITY;
  let recorded = 0;
  const minute = (t: number) => Math.floor(t / 60_000);

  function flush() {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    try {
      repo.record(batch);
      deps.storage?.ok("history");
    } catch (error) {
      if (deps.storage) deps.storage.failed("history", error, "checks go on; their history is not kept");
      else deps.log.error("history cannot be written", { error });
    }
    const now = clock.now();
    if (now - prunedAt < PRUNE_EVERY_MS) return;
    prunedAt = now;
    const k = deps.keep;
    try {
      repo.prune(now, { 0: k.keep_raw, 1: k.keep_minutes, 15: k.keep_quarters, 60: k.keep_hours });
    } catch (error) {
      deps.log.warn("old history could not be pruned", { error });
    }
  }

  return {
    /** One check's values (flushed when a new minute starts). */
    record(values: ReadonlyMap<string, number>, at = clock.now()) {
      if (!values.size) return;
      recorded++;
      if (pending.length && minute((pending[0] as { at: number }).at) !== minute(at)) flush();
      pending.push({ at, values });
    },
    flush,
    /** Changes with every check recorded: what was read before it is still what is there. */
    version: () => recorded,
    /** When the history of a series starts (its oldest hour), or undefined when it has none. */
    firstAt(series: string): number | undefined {
      flush();
      try {
        return repo.firstAt(series);
      } catch (error) {
        deps.log.warn("history cannot be read", { error });
        return undefined;
      }
    },
    /** Points of one series over [from, to], from the finest tier that covers the range. */
    points(series: string, from: number, to: number, tier = tierFor(to - from, deps.keep)): Point[] {
      flush();
      try {
        return repo.points(series, tier, from, to);
      } catch (error) {
        deps.log.warn("history cannot be read", { error });
        return [];
      }
    },
  };
}

export type HistoryStore = ReturnType<typeof createHistoryStore>;
