import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createManualClock } from "../../src/shared/clock.ts";
import { parseLoadAvg } from "../../src/system/proc.ts";
import { createSnapshotter, REAL_PROC_FILES } from "../../src/system/snapshot.ts";

const dir = (machine: string) => join(import.meta.dir, "../fixtures/proc", machine);
const filesOf = (machine: string) => ({
  loadavg: join(dir(machine), "loadavg"),
  stat: join(dir(machine), "stat"),
  meminfo: join(dir(machine), "meminfo"),
  uptime: join(dir(machine), "uptime"),
  online: join(dir(machine), "online"),
  cpuMax: join(dir(machine), "cpu.max"),
  hostname: join(dir(machine), "hostname"),
  osrelease: join(dir(machine), "osrelease"),
});
const devices = [
  { name: "root", path: "/", alert_threshold: 80, critical_threshold: 90 },
  { name: "gone", path: "/no/such/mount", alert_threshold: 80, critical_threshold: 90 },
];

describe("snapshotter", () => {
  test("the first call takes a short CPU sample; later calls answer at once from the kept sample", async () => {
    const clock = createManualClock(1_000_000);
    const sleeps: number[] = [];
    const s = createSnapshotter({
      clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      files: filesOf("host-64cpu"),
    });
    const first = await s.take(devices);
    expect(sleeps).toEqual([100]);
    clock.advance(30_000);
    await s.take(devices);
    expect(sleeps).toEqual([100]);
    expect(first.cpus).toBe(64);
    expect(first.load.load5).toBe(41.5);
    expect(first.host).toBe("unknown");
    expect(first.devices[0]?.usage?.usedPercent).toBeGreaterThanOrEqual(0);
    expect(first.devices[1]).toMatchObject({ name: "gone", error: "no such path" });
  });

  test("a cgroup-limited container reports its CPU limit", async () => {
    const s = createSnapshotter({
      clock: createManualClock(0),
      sleep: async () => {},
      files: filesOf("container-cgroup"),
    });
    // The container fixture has no /proc/stat of its own: borrow the VM's.
    const files = { ...filesOf("container-cgroup"), stat: filesOf("vm-2cpu").stat };
    const snap = await createSnapshotter({ clock: createManualClock(0), sleep: async () => {}, files }).take(
      [],
    );
    expect(snap.cpus).toBe(16);
    expect(snap.cpuLimit).toBe(1.5);
    await expect(s.take([])).rejects.toThrow(/cannot parse/);
  });

  test("on this machine: load equals /proc/loadavg read at the same moment", async () => {
    const s = createSnapshotter({
      clock: createManualClock(0),
      sleep: async () => {},
      files: REAL_PROC_FILES,
    });
    const snap = await s.take([]);
    const direct = parseLoadAvg(readFileSync("/proc/loadavg", "utf8"));
    expect(snap.load.load15).toBe(direct?.load15 as number);
    expect(snap.cpus).toBeGreaterThanOrEqual(1);
    expect(snap.memory.total).toBeGreaterThan(0);
    expect(snap.host.length).toBeGreaterThan(0);
  });
});
