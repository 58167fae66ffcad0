import type { Config } from "../../config/parse.ts";
import { formatClock, formatDate, formatDateTime } from "../../shared/time-format.ts";
import type { Tier } from "../../storage/history-repo.ts";
import type { ChartRange } from "./buttons.ts";
import { type ChartSeries, type ChartSpec, chartSvg } from "./chart-svg.ts";
import { type HistoryStore, tierFor } from "./store.ts";

/** What a chart shows, from `/chart` words: a target and a range (pure). */
export function parseChartArgs(
  args: string,
  devices: readonly string[],
): { target: string; range: ChartRange } | { error: string } {
  const words = args.trim().split(/\s+/).filter(Boolean);
  let range: ChartRange = "24h";
  let target = "all";
  for (let i = 0; i < words.length; i++) {
    const w = (words[i] as string).toLowerCase();
    if (["6h", "24h", "7d", "30d", "1y"].includes(w)) range = w as ChartRange;
    else if (w === "cpu" || w === "load" || w === "all") target = w;
    else if (w === "memory" || w === "mem") target = "memory";
    else if (w === "disk") {
      const name = words[i + 1];
      const device = devices.find((d) => d.toLowerCase() === name?.toLowerCase());
      if (!device) return { error: `Which disk? ${devices.join(", ") || "none is monitored"}` };
      target = `disk:${device}`;
      i++;
    } else return { error: "Usage: /chart [cpu|load|memory|disk NAME|all] [6h|24h|7d|30d|1y]" };
  }
  return { target, range };
}

const RANGE_MS: Record<ChartRange, number> = {
  "6h": 6 * 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
  "1y": 365 * 86_400_000,
};

/** The least a chart spans when the history is younger than its range. */
const MIN_SPAN_MS = 30 * 60_000;

/** What a target draws: the store's series (with their legend labels), the axis, the thresholds. */
interface Plan {
  title: string;
  unit: "%" | "";
  series: { name: string; label: string }[];
  thresholds: ChartSpec["thresholds"];
}

function planFor(target: string, config: Config): Plan {
  const one = (name: string, label = name) => ({ name, label });
  const levels = (warn: number, crit: number) => [
    { label: `warn ${warn}%`, value: warn },
    { label: `crit ${crit}%`, value: crit },
  ];
  if (target === "cpu") return { title: "CPU busy", unit: "%", series: [one("cpu")], thresholds: [] };
  if (target === "load")
    return {
      title: "Load",
      unit: "",
      series: [one("load1", "1 min"), one("load5", "5 min"), one("load15", "15 min")],
      thresholds: [],
    };
  if (target === "memory") {
    const m = config.alerts.memory;
    return { title: "Memory used", unit: "%", series: [one("memory")], thresholds: levels(m.warn, m.crit) };
  }
  if (target.startsWith("disk:")) {
    const d = config.monitored_devices.find((x) => `disk:${x.name}` === target);
    return {
      title: `Disk ${target.slice(5)} used`,
      unit: "%",
      series: [one(target)],
      thresholds: d ? levels(d.alert_threshold, d.critical_threshold) : [],
    };
  }
  return {
    title: "CPU, memory and disks",
    unit: "%",
    series: [
      one("cpu"),
      one("memory"),
      ...config.monitored_devices.slice(0, 6).map((d) => one(`disk:${d.name}`)),
    ],
    thresholds: [],
  };
}

/**
 * The chart's SVG from the history. When the history starts well after the range does (a new
 * install, a new disk), the chart spans what there is (at least 30 minutes) and `since` says
 * from when, instead of a dot at the right edge of an empty week.
 */
export function chartFor(
  store: HistoryStore,
  config: Config,
  target: string,
  range: ChartRange,
  now: number,
  zone: { timeZone: string | undefined; label: string },
): { svg: string; since?: number } {
  const plan = planFor(target, config);
  const asked = now - RANGE_MS[range];
  const tier: Tier = tierFor(RANGE_MS[range], config.history);
  const series: ChartSeries[] = plan.series.map((s) => ({
    name: s.label,
    points: store.points(s.name, asked, now, tier),
  }));
  // Young: no series has anything kept from before the range, and the first point in it comes
  // well after its start. (A gap from downtime inside an older history is not "since".)
  const first = Math.min(...series.map((s) => s.points[0]?.at ?? Number.POSITIVE_INFINITY));
  const older = plan.series.some((s) => (store.firstAt(s.name) ?? Number.POSITIVE_INFINITY) < asked);
  const since =
    !older && Number.isFinite(first) && first - asked > RANGE_MS[range] * 0.05 ? first : undefined;
  const from = since === undefined ? asked : Math.max(asked, Math.min(since, now - MIN_SPAN_MS));
  const svg = chartSvg({
    title: `${plan.title} · ${range}`,
    series,
    from,
    to: now,
    unit: plan.unit,
    thresholds: plan.thresholds,
    timeZone: zone.timeZone,
    zoneLabel: zone.label,
    stepMs: stepOf(series, tier),
    ...(since !== undefined ? { subtitle: `history since ${sinceText(since, now, zone.timeZone)}` } : {}),
  });
  return since === undefined ? { svg } : { svg, since };
}

/** `14:05` today, `3 Dec 14:05` before. */
export function sinceText(at: number, now: number, timeZone: string | undefined): string {
  return formatDate(at, timeZone) === formatDate(now, timeZone)
    ? formatClock(at, timeZone)
    : formatDateTime(at, timeZone);
}

/** The spacing of the points: a tier's bucket, or for raw checks their median spacing. */
function stepOf(series: readonly ChartSeries[], tier: Tier): number {
  if (tier !== 0) return tier * 60_000;
  const gaps = series.flatMap((s) =>
    s.points.slice(1).map((p, i) => p.at - (s.points[i] as { at: number }).at),
  );
  if (!gaps.length) return 60_000;
  return [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] as number;
}
