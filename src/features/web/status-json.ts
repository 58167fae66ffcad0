import type { Snapshot } from "../../system/snapshot.ts";

/** Pure: what the dashboard's status page shows, from one snapshot (the /status figures). */

export interface StatusJson {
  at: number;
  host: string;
  kernel: string;
  uptimeSeconds: number;
  load: { load1: number; load5: number; load15: number; perCore: number; warn: number; crit: number };
  cpus: number;
  cpu: { busy: number; iowait: number; steal: number };
  memory: {
    usedPercent: number;
    used: number;
    total: number;
    swapUsed: number;
    swapTotal: number;
    warn: number;
    crit: number;
  };
  disks: {
    name: string;
    path: string;
    usedPercent?: number;
    available?: number;
    size?: number;
    inodesPercent?: number;
    warn: number;
    crit: number;
    error?: string;
  }[];
  firing: string[];
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export function statusJson(
  s: Snapshot,
  thresholds: { load: { warn: number; crit: number }; memory: { warn: number; crit: number } },
  firing: readonly string[],
): StatusJson {
  const cores = s.cpuLimit ?? s.cpus;
  return {
    at: s.at,
    host: s.host,
    kernel: s.kernel,
    uptimeSeconds: Math.round(s.uptimeSeconds),
    load: {
      load1: s.load.load1,
      load5: s.load.load5,
      load15: s.load.load15,
      perCore: round(s.load.load5 / Math.max(1, cores), 2),
      ...thresholds.load,
    },
    cpus: cores,
    cpu: { busy: round(s.cpu.busy), iowait: round(s.cpu.iowait), steal: round(s.cpu.steal) },
    memory: {
      usedPercent: round(s.memory.usedPercent),
      used: s.memory.used,
      total: s.memory.total,
      swapUsed: s.memory.swapUsed,
      swapTotal: s.memory.swapTotal,
      ...thresholds.memory,
    },
    disks: s.devices.map((d) => ({
      name: d.name,
      path: d.path,
      warn: d.alertThreshold,
      crit: d.criticalThreshold,
      ...(d.usage
        ? {
            usedPercent: d.usage.usedPercent,
            available: d.usage.available,
            size: d.usage.size,
            ...(d.usage.inodesPercent !== undefined ? { inodesPercent: d.usage.inodesPercent } : {}),
          }
        : { error: d.error ?? "unreadable" }),
    })),
    firing: [...firing],
  };
}
