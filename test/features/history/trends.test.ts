import { describe, expect, test } from "bun:test";
import { createHistoryStore } from "../../../src/features/history/store.ts";
import { createTrends } from "../../../src/features/history/trends.ts";
import { createManualClock } from "../../../src/shared/clock.ts";
import { silentLogger } from "../../../src/shared/log.ts";
import { openMemoryDb } from "../../../src/storage/db.ts";
import { createHistoryRepo } from "../../../src/storage/history-repo.ts";

const D = 86_400_000;
const keep = { keep_raw: 2 * D, keep_minutes: 7 * D, keep_quarters: 90 * D, keep_hours: 730 * D };

describe("/status trends", () => {
  test("read from the history once per check (or minute), not once per /status", () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const repo = createHistoryRepo(openMemoryDb());
    let reads = 0;
    const counted = {
      ...repo,
      points: (...a: Parameters<typeof repo.points>) => {
        reads++;
        return repo.points(...a);
      },
    };
    const store = createHistoryStore({ repo: counted, clock, keep, log: silentLogger });
    const trends = createTrends({ store, now: () => clock.now(), minSpanMs: 3_600_000 });
    for (let i = 0; i < 40; i++) {
      store.record(new Map([["cpu", i]]));
      clock.advance(30_000);
    }
    const first = trends.of(["cpu"]);
    expect(first.get("cpu")?.spark).toMatch(/\S/);
    const after = reads;
    clock.advance(1_000);
    expect(trends.of(["cpu"])).toEqual(first);
    expect(reads).toBe(after);
    // A new check: read again.
    store.record(new Map([["cpu", 99]]));
    trends.of(["cpu"]);
    expect(reads).toBe(after + 1);
    // A minute on without checks: read again (the 24 h window has moved).
    clock.advance(60_000);
    trends.of(["cpu"]);
    expect(reads).toBe(after + 2);
  });
});
