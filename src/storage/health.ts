import type { Clock } from "../shared/clock.ts";
import { errorMessage } from "../shared/errors.ts";
import type { Logger } from "../shared/log.ts";

/**
 * Whether the state directory takes writes, per area (inbox, alert outbox, run history, run
 * logs…). A failing area is logged once when it starts failing and once when it works
 * again, never once per write; /metrics and /healthz read the current state.
 */

export interface StorageFailure {
  area: string;
  since: number;
  error: string;
}

export interface StorageHealth {
  /** A write in `area` failed; what to do instead is the caller's (handle from memory). */
  failed(area: string, error: unknown, fallback: string): void;
  /** A write in `area` worked. */
  ok(area: string): void;
  failing(): StorageFailure[];
}

export function createStorageHealth(log: Logger, clock: Clock): StorageHealth {
  const failing = new Map<string, StorageFailure & { count: number }>();
  return {
    failed(area, error, fallback) {
      const known = failing.get(area);
      if (known) {
        known.count++;
        return;
      }
      const text = errorMessage(error);
      failing.set(area, { area, since: clock.now(), error: text, count: 1 });
      log.error(`storage failing: ${area} cannot be written; ${fallback}`, { error: text });
    },
    ok(area) {
      const known = failing.get(area);
      if (!known) return;
      failing.delete(area);
      log.info(`storage works again: ${area}`, {
        after_s: Math.round((clock.now() - known.since) / 1000),
        failed_writes: known.count,
      });
    },
    failing: () => [...failing.values()].map(({ area, since, error }) => ({ area, since, error })),
  };
}
