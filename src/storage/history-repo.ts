import type { Database } from "bun:sqlite";

/**
 * Metric history (migration 008). One transaction per check writes the raw values (tier 0)
 * and rolls them up into the minute, quarter-hour and hour buckets by SQL; old points are
 * deleted per tier on a schedule, so the database stays bounded.
 */

export const TIERS = [0, 1, 15, 60] as const;
export type Tier = (typeof TIERS)[number];

export interface Point {
  at: number;
  min: number;
  avg: number;
  max: number;
}

const bucket = (at: number, tier: Tier) => (tier === 0 ? at : at - (at % (tier * 60_000)));

export function createHistoryRepo(db: Database) {
  const put = db.query<unknown, [string, number, number, number]>(
    `INSERT INTO metric_points (series, tier, at, min, avg, max, n) VALUES (?1, ?2, ?3, ?4, ?4, ?4, 1)
     ON CONFLICT (series, tier, at) DO UPDATE SET
       min = min(min, excluded.min), max = max(max, excluded.max),
       avg = (avg * n + excluded.avg) / (n + 1), n = n + 1`,
  );
  const range = db.query<Point, [string, number, number, number]>(
    "SELECT at, min, avg, max FROM metric_points WHERE series = ? AND tier = ? AND at >= ? AND at <= ? ORDER BY at",
  );
  const first = db.query<{ at: number | null }, [string]>(
    "SELECT min(at) AS at FROM metric_points WHERE series = ? AND tier = 60",
  );
  const prune = db.query<unknown, [number, number]>("DELETE FROM metric_points WHERE tier = ? AND at < ?");
  const series = db.query<{ series: string }, []>(
    "SELECT DISTINCT series FROM metric_points WHERE tier = 60",
  );
  return {
    /** Checks' values, written and rolled up into every tier in one transaction. */
    record: db.transaction((checks: readonly { at: number; values: ReadonlyMap<string, number> }[]) => {
      for (const { at, values } of checks)
        for (const [name, value] of values)
          for (const tier of TIERS) put.run(name, tier, bucket(at, tier), value);
    }),
    points: (name: string, tier: Tier, from: number, to: number): Point[] => range.all(name, tier, from, to),
    /** The hour bucket of the oldest point kept of a series, or undefined for none. */
    firstAt: (name: string): number | undefined => first.get(name)?.at ?? undefined,
    /** Deletes what each tier keeps no longer (`keep[tier]` ms before `now`). */
    prune: db.transaction((now: number, keep: Readonly<Record<Tier, number>>) => {
      for (const tier of TIERS) prune.run(tier, now - keep[tier]);
    }),
    names: (): string[] => series.all().map((r) => r.series),
  };
}

export type HistoryRepo = ReturnType<typeof createHistoryRepo>;
