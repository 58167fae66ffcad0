import type { Reading } from "../../shared/reading.ts";
import type { Snapshot } from "../../system/snapshot.ts";

/**
 * Pure: the values one check adds to the history, by series name: `cpu`, `load1`, `load5`,
 * `load15`, `memory`, `disk:<device>`, `inodes:<device>` (percent used), and the level of a
 * watched Plume location (`plume:<name>`). A device that cannot be read adds nothing: a gap.
 */
export function valuesOf(s: Snapshot): Map<string, number> {
  const values = new Map<string, number>([
    ["cpu", s.cpu.busy],
    ["load1", s.load.load1],
    ["load5", s.load.load5],
    ["load15", s.load.load15],
    ["memory", s.memory.usedPercent],
  ]);
  for (const d of s.devices) {
    if (!d.usage) continue;
    values.set(`disk:${d.name}`, d.usage.usedPercent);
    if (d.usage.inodesPercent !== undefined) values.set(`inodes:${d.name}`, d.usage.inodesPercent);
  }
  return values;
}

/** Readings made elsewhere (a watched Plume location's level) that have a value. */
export function valuesOfReadings(readings: readonly Reading[]): Map<string, number> {
  return new Map(
    readings.flatMap((r) => (r.value === undefined ? [] : [[r.id, r.value] as [string, number]])),
  );
}
