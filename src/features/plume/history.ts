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

export interface WanTotals {
  samples: number;
  rxMbytes: number;
  txMbytes: number;
  peakRxMbps: number | undefined;
  peakTxMbps: number | undefined;
  from: number | undefined;
  to: number | undefined;
}

export function wanOf(samples: readonly WanSample[]): WanTotals {
  const usable = samples.filter((s) => Number.isFinite(timeOf(s.timestamp)));
  const sum = (k: "rxMbytes" | "txMbytes") => usable.reduce((n, s) => n + (s[k] ?? 0), 0);
  const peak = (k: "rxMaxMbps" | "txMaxMbps") => {
    const values = usable.map((s) => s[k]).filter((x): x is number => typeof x === "number");
    return values.length ? Math.max(...values) : undefined;
  };
  const times = usable.map((s) => timeOf(s.timestamp));
  return {
    samples: usable.length,
    rxMbytes: sum("rxMbytes"),
    txMbytes: sum("txMbytes"),
    peakRxMbps: peak("rxMaxMbps"),
    peakTxMbps: peak("txMaxMbps"),
    from: times.length ? Math.min(...times) : undefined,
    to: times.length ? Math.max(...times) : undefined,
  };
}

const volume = (mb: number) => (mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`);
const rate = (mbps: number | undefined) => (mbps === undefined ? "?" : `${Math.round(mbps)}`);

export function wanText(title: RichText, period: string, w: WanTotals, tz: string | undefined): RichText {
  if (!w.samples) return joinRich([title, `\nWAN (${period}): no data.`]);
  const span =
    w.from !== undefined && w.to !== undefined
      ? `${formatDateTimeZoned(w.from, tz)} – ${formatDateTimeZoned(w.to, tz)}`
      : "";
  return joinRich([
    title,
    `\nWAN (${period}) ${span}\n↓ ${volume(w.rxMbytes)} · ↑ ${volume(w.txMbytes)}\npeak ↓ ${rate(w.peakRxMbps)} Mbps · ↑ ${rate(w.peakTxMbps)} Mbps`,
  ]);
}
