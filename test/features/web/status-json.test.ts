import { describe, expect, test } from "bun:test";
import { statusJson } from "../../../src/features/web/status-json.ts";
import type { Snapshot } from "../../../src/system/snapshot.ts";

const snap: Snapshot = {
  at: 1_800_000_000_000,
  host: "db1",
  kernel: "6.1.0",
  uptimeSeconds: 3600.4,
  load: { load1: 1.2, load5: 3.3, load15: 0.9, running: 1, total: 300 },
  cpus: 4,
  cpuLimit: 2,
  cpu: { busy: 42.456, user: 30, system: 12, iowait: 1.04, steal: 0, idle: 57 },
  memory: { total: 8e9, available: 2e9, used: 6e9, usedPercent: 75.04, swapTotal: 0, swapUsed: 0 },
  devices: [
    {
      name: "root",
      path: "/",
      alertThreshold: 80,
      criticalThreshold: 95,
      usage: { size: 100, used: 81, available: 19, usedPercent: 81, inodesPercent: undefined },
    },
    { name: "backup", path: "/mnt/b", alertThreshold: 80, criticalThreshold: 95, error: "not mounted" },
  ],
};

describe("the status page's figures", () => {
  test("the /status figures: load per allowed core, rounded percents, each disk or why not", () => {
    const j = statusJson(snap, { load: { warn: 1.5, crit: 3 }, memory: { warn: 90, crit: 97 } }, [
      "⚠️ root 81%",
    ]);
    expect(j.load.perCore).toBe(1.65);
    expect(j.cpus).toBe(2);
    expect(j.cpu).toEqual({ busy: 42.5, iowait: 1, steal: 0 });
    expect(j.memory.usedPercent).toBe(75);
    expect(j.uptimeSeconds).toBe(3600);
    expect(j.disks[0]).toEqual({
      name: "root",
      path: "/",
      warn: 80,
      crit: 95,
      usedPercent: 81,
      available: 19,
      size: 100,
    });
    expect(j.disks[1]).toEqual({ name: "backup", path: "/mnt/b", warn: 80, crit: 95, error: "not mounted" });
    expect(j.firing).toEqual(["⚠️ root 81%"]);
  });
});
