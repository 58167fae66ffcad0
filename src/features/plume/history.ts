import { bold, format } from "@gramio/format";
import { formatDuration } from "../../shared/duration.ts";
import { joinRich, plural, type RichText, rich } from "../../shared/text.ts";
import { formatDateTimeZoned } from "../../shared/time-format.ts";
import type { OnlineSample, WanSample } from "./schemas.ts";

/**
 * Pure: a location's history from the Reports API, for /stats (uptime) and /wan (consumption).
 * Samples that carry no usable time or state are left out and counted; an empty history is
 * "no data", never 100 %.
 */

export const STATS_PERIODS = {
  "3h": { granularity: "minutes", limit: 180, label: "3 h" },
  "24h": { granularity: "hours", limit: 24, label: "24 h" },
  "7d": { granularity: "hours", limit: 168, label: "7 days" },
} as const;
export type StatsPeriod = keyof typeof STATS_PERIODS;

const timeOf = (t: string | number) => (typeof t === "number" ? t : Date.parse(t));

export interface Uptime {
  samples: number;
  /** Share of samples online, 0–100; undefined without samples. */
  percent: number | undefined;
  /** Offline stretches, oldest first: from the first offline sample to the next online one. */
  outages: { from: number; to: number | undefined }[];
}

export function uptimeOf(samples: readonly OnlineSample[]): Uptime {
  const usable = samples
    .map((s) => ({ at: timeOf(s.timestamp), online: s.value.toLowerCase() === "online" }))
    .filter((s) => Number.isFinite(s.at))
    .sort((a, b) => a.at - b.at);
  const outages: Uptime["outages"] = [];
  for (const s of usable) {
    const open = outages.at(-1);
    if (!s.online && (!open || open.to !== undefined)) outages.push({ from: s.at, to: undefined });
    else if (s.online && open && open.to === undefined) open.to = s.at;
  }
  const online = usable.filter((s) => s.online).length;
  return {
    samples: usable.length,
    percent: usable.length ? (100 * online) / usable.length : undefined,
    outages,
  };
}

export function statsText(
  title: RichText,
  period: StatsPeriod,
  u: Uptime,
  tz: string | undefined,
  now: number,
): RichText {
  const label = STATS_PERIODS[period].label;
  if (u.percent === undefined) return joinRich([title, `\nUptime over ${label}: no data.`]);
  const icon = u.outages.length ? "🟠" : "🟢";
  const lines = u.outages.slice(-5).map((o) => {
    const end = o.to ?? now;
    return `• offline ${formatDateTimeZoned(o.from, tz)} for ${formatDuration(end - o.from)}${o.to === undefined ? " (still)" : ""}`;
  });
  return joinRich([
    title,
    rich(
      format`\n${icon} ${bold(`${u.percent.toFixed(1)}% online`)} over ${label} (${plural(u.samples, "sample")})`,
    ),
    u.outages.length
      ? `\n${plural(u.outages.length, "outage")}${u.outages.length > 5 ? ", the last 5" : ""}:\n${lines.join("\n")}`
      : "\nNo outage.",
  ]);
}

/** The Reports API's WAN samples each cover 15 minutes. */
const WAN_SAMPLE_S = 15 * 60;

export interface WanDirection {
  mbytes: number;
  /** The volume over the time the samples cover, in Mbps. */
  averageMbps: number;
  /** Nearest-rank 95th percentile of the samples' own average rates (the billing kind). */
  p95Mbps: number;
  /** The highest rate a sample reports (its max, else its average) and when. */
  peakMbps: number;
  peakAt: number;
}

export interface WanTotals {
  samples: number;
  rx: WanDirection;
  tx: WanDirection;
  from: number | undefined;
  to: number | undefined;
}

/** Nearest rank: the smallest value with at least `p` of the values at or below it. Pure. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

export function wanOf(samples: readonly WanSample[]): WanTotals {
  const usable = samples
    .map((s) => ({ ...s, at: timeOf(s.timestamp) }))
    .filter((s) => Number.isFinite(s.at))
    .sort((a, b) => a.at - b.at);
  const direction = (volume: "rxMbytes" | "txMbytes", max: "rxMaxMbps" | "txMaxMbps"): WanDirection => {
    const mbytes = usable.reduce((n, s) => n + (s[volume] ?? 0), 0);
    const rates = usable.map((s) => ((s[volume] ?? 0) * 8) / WAN_SAMPLE_S);
    let peakMbps = 0;
    let peakAt = usable[0]?.at ?? 0;
    usable.forEach((s, i) => {
      const r = s[max] ?? (rates[i] as number);
      if (r > peakMbps) [peakMbps, peakAt] = [r, s.at];
    });
    return {
      mbytes,
      averageMbps: usable.length ? (mbytes * 8) / (usable.length * WAN_SAMPLE_S) : 0,
      p95Mbps: percentile(rates, 0.95),
      peakMbps,
      peakAt,
    };
  };
  return {
    samples: usable.length,
    rx: direction("rxMbytes", "rxMaxMbps"),
    tx: direction("txMbytes", "txMaxMbps"),
    from: usable[0]?.at,
    to: usable.at(-1)?.at,
  };
}

const volume = (mb: number) => (mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`);
const rate = (mbps: number) => (mbps < 10 ? mbps.toFixed(1) : `${Math.round(mbps)}`);

export function wanText(title: RichText, period: string, w: WanTotals, tz: string | undefined): RichText {
  if (!w.samples) return joinRich([title, `\nWAN (${period}): no data.`]);
  const span =
    w.from !== undefined && w.to !== undefined
      ? `${formatDateTimeZoned(w.from, tz)} – ${formatDateTimeZoned(w.to, tz)}`
      : "";
  const { rx, tx } = w;
  return joinRich([
    title,
    [
      `\nWAN (${period}) ${span}`,
      `↓ ${volume(rx.mbytes)} · ↑ ${volume(tx.mbytes)}`,
      `average ↓ ${rate(rx.averageMbps)} Mbps · ↑ ${rate(tx.averageMbps)} Mbps`,
      `95th percentile ↓ ${rate(rx.p95Mbps)} Mbps · ↑ ${rate(tx.p95Mbps)} Mbps`,
      `peak ↓ ${rate(rx.peakMbps)} Mbps at ${formatDateTimeZoned(rx.peakAt, tz)}`,
      `peak ↑ ${rate(tx.peakMbps)} Mbps at ${formatDateTimeZoned(tx.peakAt, tz)}`,
    ].join("\n"),
  ]);
}
