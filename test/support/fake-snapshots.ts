import type { DeviceConfig } from "../../src/config/schema.ts";
import type { Snapshot, Snapshotter } from "../../src/system/snapshot.ts";

const G = 1024 ** 3;

/**
 * A snapshot source whose numbers the test sets: a "fake disk" instead of a full one.
 * `percent` maps device name → used percent, or null for an unreadable path.
 */
export function createFakeSnapshots(initial: Record<string, number | null> = {}) {
  const percent: Record<string, number | null> = { ...initial };
  let load5 = 0.1;
  let uptimeSeconds = 10_000;
  const snapshotter: Snapshotter = {
    async take(devices: readonly DeviceConfig[]): Promise<Snapshot> {
      return {
        at: Date.now(),
        host: "testhost",
        kernel: "6.1.0",
        uptimeSeconds,
        load: { load1: load5, load5, load15: load5, running: 1, total: 100 },
        cpus: 2,
        cpu: { busy: 1, user: 1, system: 0, iowait: 0, steal: 0, idle: 99 },
        memory: { total: 16 * G, available: 12 * G, used: 4 * G, usedPercent: 25, swapTotal: 0, swapUsed: 0 },
        devices: devices.map((d) => {
          const p = percent[d.name] ?? 10;
          const base = {
            name: d.name,
            path: d.path,
            alertThreshold: d.alert_threshold,
            criticalThreshold: d.critical_threshold,
          };
          return percent[d.name] === null
            ? { ...base, error: "no such path" }
            : {
                ...base,
                usage: {
                  size: 100 * G,
                  used: p * G,
                  available: (100 - p) * G,
                  usedPercent: p,
                  inodesPercent: 1,
                },
              };
        }),
      };
    },
    close() {},
  };
  return {
    snapshotter,
    set(name: string, value: number | null) {
      percent[name] = value;
    },
    setLoad(value: number) {
      load5 = value;
    },
    setUptime(seconds: number) {
      uptimeSeconds = seconds;
    },
  };
}
