import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  cpuUsage,
  parseCpuList,
  parseCpuMax,
  parseCpuTimes,
  parseLoadAvg,
  parseMemInfo,
  parseUptime,
} from "../../src/system/proc.ts";

const fixture = (machine: string, file: string) =>
  readFileSync(join(import.meta.dir, "../fixtures/proc", machine, file), "utf8");
const GiB = 1024 ** 3;

describe("parseLoadAvg", () => {
  test.each([
    ["host-64cpu", { load1: 38.12, load5: 41.5, load15: 44.08, running: 19, total: 2211 }],
    ["container-cgroup", { load1: 3.04, load5: 2.87, load15: 2.55, running: 4, total: 612 }],
    ["old-kernel", { load1: 0.2, load5: 0.18, load15: 0.12, running: 1, total: 80 }],
  ])("%s", (machine, expected) => {
    expect(parseLoadAvg(fixture(machine, "loadavg"))).toEqual(expected);
  });

  test.each(["", "garbage", "1.0 2.0"])("rejects %p", (text) => {
    expect(parseLoadAvg(text)).toBeUndefined();
  });
});

describe("parseCpuTimes", () => {
  test("a 10-column kernel (64 CPUs): the aggregate line only", () => {
    const t = parseCpuTimes(fixture("host-64cpu", "stat"));
    const perCpu = fixture("host-64cpu", "stat")
      .split("\n")
      .filter((l) => /^cpu\d/.test(l))
      .reduce((sum, l) => sum + Number(l.split(/\s+/)[1]), 0);
    expect(t?.user).toBe(perCpu);
    expect(t?.steal).toBeGreaterThan(0);
  });

  test("a 7-column kernel has no steal", () => {
    expect(parseCpuTimes(fixture("old-kernel", "stat"))).toEqual({
      user: 2255,
      nice: 34,
      system: 2290,
      idle: 22625563,
      iowait: 6290,
      irq: 127,
      softirq: 456,
      steal: 0,
    });
  });

  test("this machine's capture parses", () => {
    expect(parseCpuTimes(fixture("vm-2cpu", "stat"))?.idle).toBeGreaterThan(0);
  });

  test.each(["", "cpu0 1 2 3 4", "cpu  1 2"])("rejects %p", (text) => {
    expect(parseCpuTimes(text)).toBeUndefined();
  });
});

describe("cpuUsage", () => {
  const zero = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 };
  test.each([
    ["all idle", { ...zero, idle: 100 }, { busy: 0, user: 0, system: 0, iowait: 0, steal: 0, idle: 100 }],
    [
      "half user",
      { ...zero, user: 50, idle: 50 },
      { busy: 50, user: 50, system: 0, iowait: 0, steal: 0, idle: 50 },
    ],
    [
      "iowait is not busy, steal is",
      { ...zero, system: 10, irq: 5, softirq: 5, iowait: 30, steal: 10, idle: 40 },
      { busy: 30, user: 0, system: 20, iowait: 30, steal: 10, idle: 40 },
    ],
    ["no time passed", zero, { busy: 0, user: 0, system: 0, iowait: 0, steal: 0, idle: 0 }],
  ])("%s", (_, after, expected) => {
    expect(cpuUsage(zero, after)).toEqual(expected);
  });
});

describe("parseMemInfo", () => {
  test("uses MemAvailable when the kernel has it", () => {
    const m = parseMemInfo(fixture("host-64cpu", "meminfo"));
    expect(m?.total).toBe(527983428 * 1024);
    expect(m?.available).toBe(301877272 * 1024);
    expect(m?.usedPercent).toBeCloseTo(42.82, 2);
    expect(m?.swapUsed).toBe((8388604 - 7340028) * 1024);
  });

  test("estimates available as free + buffers + cached on kernels before 3.14", () => {
    const m = parseMemInfo(fixture("old-kernel", "meminfo"));
    expect(m?.available).toBe((277616 + 239556 + 981700) * 1024);
    expect(m?.swapUsed).toBe(0);
  });

  test("a container without swap", () => {
    const m = parseMemInfo(fixture("container-cgroup", "meminfo"));
    expect(m?.total).toBeCloseTo(62.79 * GiB, -7);
    expect(m?.swapTotal).toBe(0);
  });

  test("rejects text without MemTotal", () => {
    expect(parseMemInfo("MemFree: 1 kB")).toBeUndefined();
  });
});

describe("small files", () => {
  test.each([
    ["0-63", 64],
    ["0-7,8-15", 16],
    ["0,2,4-5", 4],
    ["0", 1],
    ["", undefined],
    ["3-1", undefined],
  ])("parseCpuList(%p)", (text, n) => {
    expect(parseCpuList(text)).toBe(n);
  });

  test.each([
    ["150000 100000", 1.5],
    ["max 100000", undefined],
    ["", undefined],
  ])("parseCpuMax(%p)", (text, n) => {
    expect(parseCpuMax(text)).toBe(n);
  });

  test.each([
    ["8723401.55 498011223.70", 8723401.55],
    ["x", undefined],
  ])("parseUptime(%p)", (text, n) => {
    expect(parseUptime(text)).toBe(n);
  });

  test("the cgroup fixture is a container limited to 1.5 of 16 CPUs", () => {
    expect(parseCpuList(fixture("container-cgroup", "online"))).toBe(16);
    expect(parseCpuMax(fixture("container-cgroup", "cpu.max"))).toBe(1.5);
  });
});
