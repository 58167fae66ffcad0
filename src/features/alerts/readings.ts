import type { Config } from "../../config/parse.ts";
import type { Reading } from "../../shared/reading.ts";
import type { Snapshot } from "../../system/snapshot.ts";

/**
 * Pure: a snapshot turned into the values the alert rules watch. Each reading has a stable
 * id (used in /mute and in the database), thresholds and a unit.
 */

export const INODE_THRESHOLDS = { warn: 90, crit: 97 } as const;

export function readingsFrom(snapshot: Snapshot, config: Pick<Config, "alerts">): Reading[] {
  const readings: Reading[] = [];
  for (const d of snapshot.devices) {
    readings.push({
      id: `disk:${d.name}`,
      value: d.usage?.usedPercent,
      warn: d.alertThreshold,
      crit: d.criticalThreshold,
      unit: "%",
      ...(d.error ? { error: `${d.path}: ${d.error}` } : {}),
    });
    if (d.usage?.inodesPercent !== undefined) {
      readings.push({
        id: `inodes:${d.name}`,
        value: d.usage.inodesPercent,
        ...INODE_THRESHOLDS,
        unit: "%",
      });
    }
  }
  readings.push({
    id: "load",
    value: Number((snapshot.load.load5 / snapshot.cpus).toFixed(2)),
    warn: config.alerts.load.warn,
    crit: config.alerts.load.crit,
    unit: "/core",
  });
  readings.push({
    id: "memory",
    value: Number(snapshot.memory.usedPercent.toFixed(1)),
    warn: config.alerts.memory.warn,
    crit: config.alerts.memory.crit,
    unit: "%",
  });
  return readings;
}

export function formatValue(r: Pick<Reading, "value" | "unit" | "error" | "display">): string {
  if (r.value === undefined) return r.error ? `unreadable (${r.error})` : "unreadable";
  if (r.display) return r.display;
  if (r.unit === "level") return `level ${r.value}`;
  return r.unit === "%" ? `${r.value}%` : `${r.value.toFixed(2)}/core`;
}
