import { bold, format, pre } from "@gramio/format";
import { formatDuration } from "../shared/duration.ts";
import { joinRich, MESSAGE_LIMIT, type RichText, rich } from "../shared/text.ts";
import type { DeviceStatus, Snapshot } from "./snapshot.ts";

/**
 * Pure formatting of a snapshot: the phone message, the terminal text and the JSON with
 * stable field names. Lines stay short enough for a phone without wrapping.
 */

export type Level = "ok" | "warn" | "crit";
export interface StatusThresholds {
  load: { warn: number; crit: number };
  memory: { warn: number; crit: number };
}

const MARK: Record<Level, string> = { ok: "", warn: " ⚠️", crit: " 🔴" };

/** 1536 → "1.5K", 23_000_000_000 → "21G" (binary units, like df -h). */
export function formatBytes(bytes: number): string {
  const units = ["B", "K", "M", "G", "T", "P"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value < 10 && unit > 0 ? 1 : 0;
  return `${value.toFixed(digits)}${units[unit]}`;
}

export function levelOf(value: number, warn: number, crit: number): Level {
  return value >= crit ? "crit" : value >= warn ? "warn" : "ok";
}

export function deviceLevel(d: DeviceStatus): Level {
  if (!d.usage) return "crit";
  return levelOf(d.usage.usedPercent, d.alertThreshold, d.criticalThreshold);
}

/** `▓▓▓▓░░░░░░` for a percent, `width` cells. */
export function bar(percent: number, width = 10): string {
  const full = Math.min(width, Math.max(0, Math.round((percent / 100) * width)));
  return "▓".repeat(full) + "░".repeat(width - full);
}

function deviceLines(devices: readonly DeviceStatus[]): string[] {
  const width = Math.max(4, ...devices.map((d) => d.name.length));
  return devices.map((d) => {
    const name = d.name.padEnd(width);
    if (!d.usage) return `${name} ✖ ${d.error ?? "unreadable"}${MARK.crit}`;
    const u = d.usage;
    const pct = `${u.usedPercent}%`.padStart(4);
    return `${name} ${bar(u.usedPercent)} ${pct} ${formatBytes(u.used)}/${formatBytes(u.size)}${MARK[deviceLevel(d)]}`;
  });
}

/** Plain lines shared by the Telegram message and the terminal. */
export function statusLines(
  s: Snapshot,
  t: StatusThresholds,
): { header: string; body: string[]; disks: string[] } {
  const perCore = s.load.load5 / s.cpus;
  const loadLevel = levelOf(perCore, t.load.warn, t.load.crit);
  const memLevel = levelOf(s.memory.usedPercent, t.memory.warn, t.memory.crit);
  const cpus = s.cpuLimit !== undefined ? `${s.cpus} CPUs, limit ${s.cpuLimit}` : `${s.cpus} CPUs`;
  const c = s.cpu;
  const swap = s.memory.swapTotal > 0 ? ` · swap ${formatBytes(s.memory.swapUsed)}` : "";
  return {
    header: `🖥 ${s.host} · up ${formatDuration(s.uptimeSeconds * 1000)}`,
    body: [
      `Load ${s.load.load1.toFixed(2)} ${s.load.load5.toFixed(2)} ${s.load.load15.toFixed(2)}${MARK[loadLevel]}`,
      `  ${perCore.toFixed(2)}/core (${cpus}) · ${s.load.running}/${s.load.total} tasks`,
      `CPU ${c.busy.toFixed(0)}% · us ${c.user.toFixed(0)} sy ${c.system.toFixed(0)} io ${c.iowait.toFixed(0)} st ${c.steal.toFixed(0)}`,
      `Mem ${formatBytes(s.memory.used)}/${formatBytes(s.memory.total)} ${s.memory.usedPercent.toFixed(0)}%${swap}${MARK[memLevel]}`,
    ],
    disks: deviceLines(s.devices),
  };
}

/**
 * The disk lines for a budget of characters. Every device fits in full when it can; past
 * that, every device at or over its warning threshold (or unreadable) stays in full and the
 * rest become one line with their count and the highest use among them; past that, flagged
 * devices get a short form. Nothing is ever cut off silently.
 */
export function diskBlock(devices: readonly DeviceStatus[], budget: number): string[] {
  const full = deviceLines(devices);
  if (full.join("\n").length <= budget) return full;
  const flagged = devices.filter((d) => deviceLevel(d) !== "ok");
  const quiet = devices.filter((d) => deviceLevel(d) === "ok");
  const summary: string[] = [];
  if (quiet.length) {
    const top = quiet.reduce((a, b) => ((b.usage?.usedPercent ?? 0) > (a.usage?.usedPercent ?? 0) ? b : a));
    summary.push(
      `+ ${quiet.length} more under their thresholds, highest ${top.usage?.usedPercent ?? 0}% (${top.name})`,
    );
  }
  const compact = [...deviceLines(flagged), ...summary];
  if (compact.join("\n").length <= budget) return compact;
  const short = flagged.map(
    (d) => `${d.name} ${d.usage ? `${d.usage.usedPercent}%` : "✖"}${MARK[deviceLevel(d)]}`,
  );
  const lines: string[] = [];
  let used = summary.join("\n").length;
  for (const [i, line] of short.entries()) {
    const rest = `+ ${short.length - i} more at or over their thresholds: octopus status on the server lists them`;
    if (used + line.length + rest.length + 2 > budget) {
      lines.push(rest);
      break;
    }
    lines.push(line);
    used += line.length + 1;
  }
  return [...lines, ...summary];
}

/** The /status message: bold header, summary lines, disks in a monospace block, alerts last. */
export function formatStatus(
  s: Snapshot,
  t: StatusThresholds,
  activeAlerts: readonly string[] = [],
  trends: ReadonlyMap<string, { spark: string; forecast?: string }> = new Map(),
): RichText {
  const { header, body } = statusLines(s, t);
  const top = rich(format`${bold(header)}\n${body.join("\n")}`);
  const alerts = activeAlerts.length ? `\n\n🚨 Active alerts\n${activeAlerts.join("\n")}` : "";
  // One message whatever the number of devices: Refresh edits it, and an edit cannot split.
  const disks = diskBlock(s.devices, MESSAGE_LIMIT - top.text.length - alerts.length - 1);
  const left = MESSAGE_LIMIT - top.text.length - alerts.length - disks.join("\n").length - 20;
  const trend = trendBlock(s, trends, left);
  const all = joinRich([
    top,
    ...(disks.length ? ["\n", rich(pre(disks.join("\n")))] : []),
    ...(trend.length ? ["\n📈 24 h\n", rich(pre(trend.join("\n")))] : []),
    alerts,
  ]);
  if (all.text.length > MESSAGE_LIMIT) all.text = `${all.text.slice(0, MESSAGE_LIMIT - 1)}…`;
  return all;
}

/**
 * Disks /status reads a trend for at most: one message holds about this many trend lines, and
 * each trend is a history read after every check, so /status costs the same on a server
 * watching hundreds of disks.
 */
export const MAX_TREND_DISKS = 32;

/**
 * Series names /status shows a trend for: load, CPU, memory and each device (past
 * MAX_TREND_DISKS, those at or over a threshold first), in the config's order.
 */
export function trendSeries(s: Snapshot): string[] {
  let shown = s.devices;
  if (shown.length > MAX_TREND_DISKS) {
    const flagged = s.devices.filter((d) => deviceLevel(d) !== "ok");
    const rest = s.devices.filter((d) => deviceLevel(d) === "ok");
    const kept = new Set([...flagged, ...rest].slice(0, MAX_TREND_DISKS));
    shown = s.devices.filter((d) => kept.has(d));
  }
  return ["load5", "cpu", "memory", ...shown.map((d) => `disk:${d.name}`)];
}

/**
 * The trend lines: a 24 h sparkline per figure and a disk's fill forecast, within `budget`
 * characters: past it, forecasts first, then as many sparklines as fit.
 */
export function trendBlock(
  s: Snapshot,
  trends: ReadonlyMap<string, { spark: string; forecast?: string }>,
  budget: number,
): string[] {
  const label = (name: string) =>
    name === "load5" ? "load" : name === "memory" ? "mem" : name.replace(/^disk:/, "");
  const rows = trendSeries(s).flatMap((name) => {
    const t = trends.get(name);
    return t
      ? [
          {
            forecast: Boolean(t.forecast),
            line: `${label(name).slice(0, 8).padEnd(8)} ${t.spark}${t.forecast ? ` ${t.forecast}` : ""}`,
          },
        ]
      : [];
  });
  const ordered = [...rows.filter((r) => r.forecast), ...rows.filter((r) => !r.forecast)];
  const kept = new Set<(typeof rows)[number]>();
  let used = 0;
  for (const r of ordered) {
    if (used + r.line.length + 1 > budget) break;
    kept.add(r);
    used += r.line.length + 1;
  }
  return rows.filter((r) => kept.has(r)).map((r) => r.line);
}

/** The same snapshot for a terminal. */
export function formatStatusPlain(s: Snapshot, t: StatusThresholds): string {
  const { header, body, disks } = statusLines(s, t);
  return [header, ...body, ...disks].join("\n");
}

/** JSON with stable snake_case names, for scripts and monitoring. */
export function statusJson(s: Snapshot, t: StatusThresholds) {
  return {
    host: s.host,
    kernel: s.kernel,
    time: new Date(s.at).toISOString(),
    uptime_seconds: Math.round(s.uptimeSeconds),
    load: {
      "1m": s.load.load1,
      "5m": s.load.load5,
      "15m": s.load.load15,
      per_core_5m: Number((s.load.load5 / s.cpus).toFixed(3)),
      running: s.load.running,
      tasks: s.load.total,
      level: levelOf(s.load.load5 / s.cpus, t.load.warn, t.load.crit),
      warn: t.load.warn,
      crit: t.load.crit,
    },
    cpus: s.cpus,
    cpu_limit: s.cpuLimit ?? null,
    cpu_percent: Object.fromEntries(Object.entries(s.cpu).map(([k, v]) => [k, Number(v.toFixed(1))])),
    memory: {
      total_bytes: s.memory.total,
      available_bytes: s.memory.available,
      used_bytes: s.memory.used,
      used_percent: Number(s.memory.usedPercent.toFixed(1)),
      swap_total_bytes: s.memory.swapTotal,
      swap_used_bytes: s.memory.swapUsed,
      level: levelOf(s.memory.usedPercent, t.memory.warn, t.memory.crit),
      warn: t.memory.warn,
      crit: t.memory.crit,
    },
    devices: s.devices.map((d) => ({
      name: d.name,
      path: d.path,
      ok: d.usage !== undefined,
      error: d.error ?? null,
      size_bytes: d.usage?.size ?? null,
      used_bytes: d.usage?.used ?? null,
      available_bytes: d.usage?.available ?? null,
      used_percent: d.usage?.usedPercent ?? null,
      inodes_percent: d.usage?.inodesPercent ?? null,
      alert_threshold: d.alertThreshold,
      critical_threshold: d.criticalThreshold,
      level: deviceLevel(d),
    })),
  };
}
