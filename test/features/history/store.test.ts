import { describe, expect, test } from "bun:test";
import { createHistoryStore, tierFor } from "../../../src/features/history/store.ts";
import { createManualClock } from "../../../src/shared/clock.ts";
import { silentLogger } from "../../../src/shared/log.ts";
import { openMemoryDb } from "../../../src/storage/db.ts";
import { createHistoryRepo } from "../../../src/storage/history-repo.ts";

const H = 3_600_000;
const D = 24 * H;
const keep = { keep_raw: 2 * D, keep_minutes: 7 * D, keep_quarters: 90 * D, keep_hours: 730 * D };

function setup(start = Date.UTC(2026, 0, 1)) {
  const db = openMemoryDb();
  const clock = createManualClock(start);
  const store = createHistoryStore({ repo: createHistoryRepo(db), clock, keep, log: silentLogger });
  return { db, clock, store };
}

describe("the history store", () => {
  test("checks roll up into minute, quarter-hour and hour points with min, avg and max", () => {
    const { clock, store } = setup();
    const t0 = clock.now();
    for (const v of [10, 30, 50, 70]) {
      store.record(new Map([["cpu", v]]));
      clock.advance(30_000);
    }
    expect(store.points("cpu", t0, clock.now(), 0).map((p) => p.avg)).toEqual([10, 30, 50, 70]);
    expect(store.points("cpu", t0, clock.now(), 1)).toEqual([
      { at: t0, min: 10, avg: 20, max: 30 },
      { at: t0 + 60_000, min: 50, avg: 60, max: 70 },
    ]);
    expect(store.points("cpu", t0, clock.now(), 60)).toEqual([{ at: t0, min: 10, avg: 40, max: 70 }]);
  });

  test("values wait in memory until a new minute starts, and readers see them", () => {
    const { db, clock, store } = setup();
    store.record(new Map([["cpu", 10]]));
    const rows = () => (db.query("SELECT count(*) AS n FROM metric_points").get() as { n: number }).n;
    expect(rows()).toBe(0);
    clock.advance(60_000);
    store.record(new Map([["cpu", 20]]));
    expect(rows()).toBe(4); // the first check, in its four tiers
    expect(store.points("cpu", 0, clock.now(), 0)).toHaveLength(2); // the pending one too
  });

  test("each tier is pruned after its keep; the database stays bounded", () => {
    const { clock, store } = setup();
    const t0 = clock.now();
    store.record(new Map([["cpu", 1]]));
    clock.advance(3 * D);
    store.record(new Map([["cpu", 2]]));
    store.flush();
    clock.advance(2 * H); // past the hourly prune
    store.record(new Map([["cpu", 3]]));
    store.flush();
    expect(store.points("cpu", t0, t0 + 1, 0)).toEqual([]); // raw: 2 days
    expect(store.points("cpu", t0, t0 + 1, 1)).toHaveLength(1); // minutes: 7 days
  });

  test.each([
    [6 * H, 0],
    [24 * H, 1],
    [7 * D, 15],
    [30 * D, 15],
    [365 * D, 60],
  ])("a range of %p ms reads tier %p", (range, tier) => {
    expect(tierFor(range, keep) as number).toBe(tier);
  });
});
