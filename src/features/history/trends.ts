import type { Reading } from "../../shared/reading.ts";
import { aboutText, forecastFull } from "./forecast.ts";
import { sparkline } from "./sparkline.ts";
import type { HistoryStore } from "./store.ts";

/** What /status shows beside a figure: its last 24 h as a sparkline, and for a disk when it fills. */
export interface Trend {
  spark: string;
  /** "full in ~3 d" */
  forecast?: string;
}

const DAY = 86_400_000;
const SPARK_CELLS = 16;
/** A trend is read again after a new check, or after this long (its window moves). */
const REUSE_MS = 60_000;

export function createTrends(deps: { store: HistoryStore; now(): number; minSpanMs: number }) {
  const { store } = deps;
  // /status is asked far more often than checks arrive: its trends are read from SQLite once
  // per check (or minute), not once per /status.
  const cache = new Map<string, { version: number; at: number; trend: Trend | undefined }>();
  /** The fill forecast of one disk series, from its raw samples of the last day (then 15-minute points of a week). */
  function forecastOf(series: string) {
    const now = deps.now();
    for (const [tier, span] of [
      [0, DAY],
      [15, 7 * DAY],
    ] as const) {
      const samples = store.points(series, now - span, now, tier).map((p) => ({ at: p.at, value: p.avg }));
      const f = forecastFull(samples, now, { minSpanMs: deps.minSpanMs });
      if (f) return f;
    }
    return undefined;
  }
  return {
    /** Trends for these series (e.g. `load5`, `cpu`, `memory`, `disk:root`). */
    of(series: readonly string[]): Map<string, Trend> {
      const now = deps.now();
      const version = store.version();
      const out = new Map<string, Trend>();
      for (const name of series) {
        const cached = cache.get(name);
        let trend = cached?.trend;
        if (!cached || cached.version !== version || now - cached.at >= REUSE_MS || now < cached.at) {
          const spark = sparkline(store.points(name, now - DAY, now, 1), now - DAY, now, SPARK_CELLS);
          const f = name.startsWith("disk:") ? forecastOf(name) : undefined;
          trend =
            spark || f
              ? { spark, ...(f ? { forecast: `full in ${aboutText(f.fullInMs)}` } : {}) }
              : undefined;
          cache.set(name, { version, at: now, trend });
        }
        if (trend) out.set(name, trend);
      }
      return out;
    },
    forecastOf,
    /**
     * Readings for the predictive alert: `forecast:disk:<name>` is a warning while the forecast
     * says the disk fills within `withinMs`, with the forecast as its text.
     */
    readings(devices: readonly string[], withinMs: number): Reading[] {
      return devices.map((name) => {
        const f = forecastOf(`disk:${name}`);
        const soon = f !== undefined && f.fullInMs <= withinMs;
        return {
          id: `forecast:disk:${name}`,
          value: soon ? 1 : 0,
          warn: 1,
          crit: 2,
          unit: "level",
          clearMargin: 0,
          display: soon
            ? `full in ${aboutText(f.fullInMs)} (+${f.ratePerHour.toFixed(2)} %/h)`
            : "no fill forecast",
        };
      });
    },
  };
}

export type Trends = ReturnType<typeof createTrends>;
