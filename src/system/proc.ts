/**
 * Pure parsers of kernel text: /proc/loadavg, /proc/stat, /proc/meminfo, /proc/uptime,
 * /sys/devices/system/cpu/online and cgroup v2 cpu.max. No I/O here: the reader passes the
 * file contents in, so every parser is tested against fixtures from real machines.
 */

export interface LoadAvg {
  load1: number;
  load5: number;
  load15: number;
  /** Runnable scheduling entities right now. */
  running: number;
  /** All scheduling entities (processes and threads). */
  total: number;
}

/** `0.52 0.61 0.70 2/812 12345`; undefined if the text is not that shape. */
export function parseLoadAvg(text: string): LoadAvg | undefined {
  const m = /^(\d+\.\d+)\s+(\d+\.\d+)\s+(\d+\.\d+)\s+(\d+)\/(\d+)/.exec(text.trim());
  if (!m) return undefined;
  return {
    load1: Number(m[1]),
    load5: Number(m[2]),
    load15: Number(m[3]),
    running: Number(m[4]),
    total: Number(m[5]),
  };
}

/** Cumulative CPU time of all CPUs, in clock ticks. Columns a kernel lacks are 0. */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

/**
 * The aggregate `cpu` line of /proc/stat. Kernels before 2.6.11 have fewer columns (no
 * steal, sometimes no iowait); guest time is already inside user and nice, so it is not
 * added again.
 */
export function parseCpuTimes(text: string): CpuTimes | undefined {
  // The aggregate line comes first; a 64-CPU /proc/stat is long, so do not split all of it.
  const start = text.startsWith("cpu ") ? 0 : text.indexOf("\ncpu ") + 1;
  if (start < 0 || !text.startsWith("cpu ", start)) return undefined;
  const end = text.indexOf("\n", start);
  const line = text.slice(start, end < 0 ? undefined : end);
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  if (n.length < 4 || n.some((x) => !Number.isFinite(x))) return undefined;
  const at = (i: number) => n[i] ?? 0;
  return {
    user: at(0),
    nice: at(1),
    system: at(2),
    idle: at(3),
    iowait: at(4),
    irq: at(5),
    softirq: at(6),
    steal: at(7),
  };
}

/** CPU use between two samples, in percent of all CPU time (0-100 each). */
export interface CpuUsage {
  busy: number;
  user: number;
  system: number;
  iowait: number;
  steal: number;
  idle: number;
}

/** Percentages from two cumulative samples; all zero when no time passed. */
export function cpuUsage(before: CpuTimes, after: CpuTimes): CpuUsage {
  const d = (k: keyof CpuTimes) => Math.max(0, after[k] - before[k]);
  const user = d("user") + d("nice");
  const system = d("system") + d("irq") + d("softirq");
  const total = user + system + d("idle") + d("iowait") + d("steal");
  if (total === 0) return { busy: 0, user: 0, system: 0, iowait: 0, steal: 0, idle: 0 };
  const pct = (x: number) => (x * 100) / total;
  const idle = pct(d("idle"));
  const iowait = pct(d("iowait"));
  return {
    busy: 100 - idle - iowait,
    user: pct(user),
    system: pct(system),
    iowait,
    steal: pct(d("steal")),
    idle,
  };
}

/** Memory in bytes. */
export interface Memory {
  total: number;
  available: number;
  used: number;
  /** Used percent of total (0-100). */
  usedPercent: number;
  swapTotal: number;
  swapUsed: number;
}

/**
 * /proc/meminfo (values in kB). Kernels before 3.14 have no MemAvailable: it is estimated
 * as MemFree + Buffers + Cached, which is what tools did before the kernel did it for them.
 */
export function parseMemInfo(text: string): Memory | undefined {
  // Look up the few keys we need instead of splitting ~55 lines on every snapshot.
  const kb = {
    get(key: string): number | undefined {
      const first = text.startsWith(`${key}:`);
      const lineStart = first ? 0 : text.indexOf(`\n${key}:`) + 1;
      if (!first && lineStart === 0) return undefined;
      const lineEnd = text.indexOf("\n", lineStart);
      const value = Number.parseInt(
        text.slice(lineStart + key.length + 1, lineEnd < 0 ? undefined : lineEnd),
        10,
      );
      return Number.isFinite(value) ? value * 1024 : undefined;
    },
  };
  const total = kb.get("MemTotal");
  if (!total) return undefined;
  const available =
    kb.get("MemAvailable") ?? (kb.get("MemFree") ?? 0) + (kb.get("Buffers") ?? 0) + (kb.get("Cached") ?? 0);
  const swapTotal = kb.get("SwapTotal") ?? 0;
  const used = Math.max(0, total - available);
  return {
    total,
    available,
    used,
    usedPercent: (used * 100) / total,
    swapTotal,
    swapUsed: Math.max(0, swapTotal - (kb.get("SwapFree") ?? swapTotal)),
  };
}

/** Seconds since boot from /proc/uptime. */
export function parseUptime(text: string): number | undefined {
  const seconds = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** Counts CPUs in a kernel CPU list such as `0-3,8-11,15`. */
export function parseCpuList(text: string): number | undefined {
  let count = 0;
  for (const part of text.trim().split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return undefined;
    count += to - from + 1;
  }
  return count > 0 ? count : undefined;
}

/** cgroup v2 cpu.max `150000 100000` → 1.5 CPUs; `max 100000` (no limit) → undefined. */
export function parseCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (!quota || quota === "max" || !period) return undefined;
  const q = Number(quota);
  const p = Number(period);
  return q > 0 && p > 0 ? q / p : undefined;
}
