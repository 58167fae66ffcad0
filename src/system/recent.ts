import type { Clock } from "../shared/clock.ts";

/**
 * One answer shared by every caller within `maxAgeMs` (and by callers that come while it is
 * being taken): a thousand /status at once read /proc and statfs once, not a thousand times.
 * A failed take is not kept.
 */
export function recentValue<T>(take: () => Promise<T>, clock: Clock, maxAgeMs: number): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = clock.now();
    if (last && now - last.at < maxAgeMs && now >= last.at) return last.value;
    const value = take();
    const entry = { at: now, value };
    last = entry;
    value.catch(() => {
      if (last === entry) last = undefined;
    });
    return value;
  };
}
