import type { Database } from "bun:sqlite";
import type { Config } from "../../config/parse.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Limiter } from "../../shared/limiter.ts";
import type { Logger } from "../../shared/log.ts";
import type { Reading } from "../../shared/reading.ts";
import type { StorageHealth } from "../../storage/health.ts";
import { createHistoryRepo } from "../../storage/history-repo.ts";
import type { Snapshot } from "../../system/snapshot.ts";
import type { Feature } from "../../telegram/feature.ts";
import { chartButton } from "./buttons.ts";
import { createChartCommands } from "./commands.ts";
import { valuesOf, valuesOfReadings } from "./series.ts";
import { createHistoryStore, tierFor } from "./store.ts";
import { createTrends } from "./trends.ts";

/** Metric history: every check kept in tiers, the /status trends, disk fill forecasts, /chart. */
export function createHistoryFeature(deps: {
  config: Config;
  db: Database;
  clock: Clock;
  log: Logger;
  storage: StorageHealth;
  /** The chart render pool (one per process, kept across reloads). */
  chartPool?: Limiter | undefined;
}) {
  const { config, clock } = deps;
  const h = config.history;
  const store = createHistoryStore({
    repo: createHistoryRepo(deps.db),
    clock,
    keep: h,
    log: deps.log.child("history"),
    storage: deps.storage,
  });
  const trends = createTrends({ store, now: () => clock.now(), minSpanMs: h.forecast_min_span });
  const charts = createChartCommands({
    ...{ store, config, clock, pool: deps.chartPool },
    log: deps.log.child("chart"),
  });
  const feature: Feature = {
    name: "history",
    commands: charts.commands,
    callbacks: charts.callbacks,
    // Charts being drawn are sent; what is still in memory goes to the database.
    settle: async (how) => {
      await charts.settle(how);
      store.flush();
    },
  };
  const within = config.alerts.disk_full_within;
  const record = (snap: Snapshot) => void (h.enabled && store.record(valuesOf(snap), snap.at));
  const recordReadings = (list: readonly Reading[]) =>
    void (h.enabled && store.record(valuesOfReadings(list)));
  const devices = config.monitored_devices.map((d) => d.name);
  const forecastReadings = (): Reading[] =>
    h.enabled && within !== "off" ? trends.readings(devices, within) : [];
  /** The series the dashboard's charts offer: the configured ones that have history. */
  const names = () => [
    ...["cpu", "load1", "load5", "load15", "memory"],
    ...config.monitored_devices.flatMap((d) => [`disk:${d.name}`, `inodes:${d.name}`]),
    ...config.plume.locations.filter((l) => l.watch).map((l) => `plume:${l.name}`),
  ];
  const TIER_NAMES: Record<number, string> = {
    0: "every check",
    1: "1-minute averages",
    15: "15-minute averages",
    60: "hourly averages",
  };
  const chartSeries = h.enabled
    ? {
        series: () => names().filter((n) => store.firstAt(n) !== undefined),
        points: (series: string, from: number, to: number) => {
          const tier = tierFor(to - from, h);
          return { points: store.points(series, from, to, tier), tier: TIER_NAMES[tier] ?? String(tier) };
        },
      }
    : undefined;
  return {
    ...feature,
    store,
    chartSeries,
    trends: (series: readonly string[]) => (h.enabled ? trends.of(series) : new Map()),
    /** The 📈 button /status shows beside Refresh. */
    statusButtons: h.enabled
      ? [{ text: "📈 Chart", callback_data: chartButton.pack({ range: "24h", target: "all", mode: "new" }) }]
      : [],
    /**
     * What the alert monitor calls: each check's snapshot and external readings go into the
     * history; the disk fill forecast comes back as readings (none when
     * alerts.disk_full_within is off).
     */
    hooks: { onSnapshot: record, onReadings: recordReadings, extraReadings: forecastReadings },
  };
}
