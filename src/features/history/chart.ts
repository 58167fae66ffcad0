import type { Config } from "../../config/parse.ts";
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

/** The chart's SVG from the history. */
export function chartFor(
  store: HistoryStore,
  config: Config,
  target: string,
  range: ChartRange,
  now: number,
  zone: { timeZone: string | undefined; label: string },
): string {
  const from = now - RANGE_MS[range];
  const tier: Tier = tierFor(RANGE_MS[range], config.history);
  const series = (name: string, label = name): ChartSeries => ({
    name: label,
    points: store.points(name, from, now, tier),
  });
  const devices = config.monitored_devices;
  const spec = (
    title: string,
    s: ChartSeries[],
    unit: "%" | "",
    thresholds: ChartSpec["thresholds"] = [],
  ): ChartSpec => ({
    title: `${title} · ${range}`,
    series: s,
    from,
    to: now,
    unit,
    thresholds,
    timeZone: zone.timeZone,
    zoneLabel: zone.label,
    stepMs: stepOf(s, tier),
  });
  if (target === "cpu") return chartSvg(spec("CPU busy", [series("cpu")], "%"));
  if (target === "load")
    return chartSvg(
      spec("Load", [series("load1", "1 min"), series("load5", "5 min"), series("load15", "15 min")], ""),
    );
  if (target === "memory") {
    const m = config.alerts.memory;
    return chartSvg(
      spec("Memory used", [series("memory")], "%", [
        { label: `warn ${m.warn}%`, value: m.warn },
        { label: `crit ${m.crit}%`, value: m.crit },
      ]),
    );
  }
  if (target.startsWith("disk:")) {
    const d = devices.find((x) => `disk:${x.name}` === target);
    const t = d
      ? [
          { label: `warn ${d.alert_threshold}%`, value: d.alert_threshold },
          { label: `crit ${d.critical_threshold}%`, value: d.critical_threshold },
        ]
      : [];
    return chartSvg(spec(`Disk ${target.slice(5)} used`, [series(target, target)], "%", t));
  }
  return chartSvg(
    spec(
      "CPU, memory and disks",
      [series("cpu"), series("memory"), ...devices.slice(0, 6).map((d) => series(`disk:${d.name}`))],
      "%",
    ),
  );
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
