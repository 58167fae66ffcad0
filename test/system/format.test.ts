import { describe, expect, test } from "bun:test";
import {
  bar,
  diskBlock,
  formatBytes,
  formatStatus,
  levelOf,
  MAX_TREND_DISKS,
  statusJson,
  trendSeries,
} from "../../src/system/format.ts";
import type { DeviceStatus, Snapshot } from "../../src/system/snapshot.ts";

const G = 1024 ** 3;
const disk = (name: string, percent: number, size = 50 * G): DeviceStatus => ({
  name,
  path: `/${name}`,
  alertThreshold: 80,
  criticalThreshold: 90,
  usage: {
    size,
    used: (size * percent) / 100,
    available: size - (size * percent) / 100,
    usedPercent: percent,
    inodesPercent: 3,
  },
});

const snapshot = (over: Partial<Snapshot> = {}): Snapshot => ({
  at: Date.UTC(2026, 10, 22, 3, 0, 0),
  host: "web-01",
  kernel: "6.1.0",
  uptimeSeconds: 23 * 86400 + 4 * 3600 + 120,
  load: { load1: 0.52, load5: 0.61, load15: 0.7, running: 2, total: 812 },
  cpus: 4,
  cpu: { busy: 12.4, user: 8.1, system: 3.2, iowait: 1.1, steal: 0, idle: 86.5 },
  memory: {
    total: 16 * G,
    available: 11 * G,
    used: 5 * G,
    usedPercent: 31.25,
    swapTotal: 2 * G,
    swapUsed: 0,
  },
  devices: [disk("root", 48), disk("var", 85), disk("backup", 93, 4096 * G)],
  ...over,
});
const T = { load: { warn: 1.5, crit: 3 }, memory: { warn: 90, crit: 97 } };

describe("formatStatus", () => {
  test("the whole message for a typical 3-device server", () => {
    expect(formatStatus(snapshot(), T).text).toBe(
      [
        "🖥 web-01 · up 23d 4h",
        "Load 0.52 0.61 0.70",
        "  0.15/core (4 CPUs) · 2/812 tasks",
        "CPU 12% · us 8 sy 3 io 1 st 0",
        "Mem 5.0G/16G 31% · swap 0B",
        "root   ▓▓▓▓▓░░░░░  48% 24G/50G",
        "var    ▓▓▓▓▓▓▓▓▓░  85% 43G/50G ⚠️",
        "backup ▓▓▓▓▓▓▓▓▓░  93% 3.7T/4.0T 🔴",
      ].join("\n"),
    );
  });

  test("fits a phone: no line longer than 38 characters", () => {
    for (const line of formatStatus(snapshot(), T).text.split("\n"))
      expect(line.length).toBeLessThanOrEqual(38);
  });

  test("header is bold and the disks are one monospace block", () => {
    const { text, entities } = formatStatus(snapshot(), T);
    expect(entities[0]).toEqual({ type: "bold", offset: 0, length: "🖥 web-01 · up 23d 4h".length });
    const pre = entities[1] as { offset: number; length: number };
    expect(text.slice(pre.offset, pre.offset + pre.length).split("\n")).toHaveLength(3);
  });

  test.each([
    [
      "load over warn per core",
      { load: { load1: 7, load5: 7, load15: 6, running: 9, total: 900 } },
      "Load 7.00 7.00 6.00 ⚠️",
    ],
    [
      "load over crit per core",
      { load: { load1: 13, load5: 13, load15: 6, running: 9, total: 900 } },
      "Load 13.00 13.00 6.00 🔴",
    ],
    [
      "memory over warn",
      {
        memory: { total: 16 * G, available: G, used: 15 * G, usedPercent: 93.75, swapTotal: 0, swapUsed: 0 },
      },
      "Mem 15G/16G 94% ⚠️",
    ],
    [
      "an unreadable device is one error line",
      {
        devices: [
          { name: "data", path: "/data", alertThreshold: 80, criticalThreshold: 90, error: "no such path" },
        ],
      },
      "data ✖ no such path 🔴",
    ],
    ["a cgroup limit is shown", { cpuLimit: 1.5 }, "  0.15/core (4 CPUs, limit 1.5) · 2/812 tasks"],
  ] as const)("%s", (_, over, line) => {
    expect(formatStatus(snapshot(over as Partial<Snapshot>), T).text.split("\n")).toContain(line);
  });

  test("active alerts come last", () => {
    const text = formatStatus(snapshot(), T, ["🔴 disk backup 93% (since 02:10)"]).text;
    expect(text.endsWith("\n\n🚨 Active alerts\n🔴 disk backup 93% (since 02:10)")).toBe(true);
  });
});

describe("many devices stay in one complete message", () => {
  const many = (n: number, pct: (i: number) => number) =>
    Array.from({ length: n }, (_, i) => disk(`mnt${String(i).padStart(3, "0")}`, pct(i)));

  test("200 devices: every one over a threshold in full, the rest counted with their highest use", () => {
    const devices = many(200, (i) => (i % 50 === 7 ? 91 : i % 40 === 3 ? 85 : 20 + (i % 30)));
    const text = formatStatus(snapshot({ devices }), T).text;
    expect(text.length).toBeLessThanOrEqual(4096);
    const flagged = devices.filter((d) => (d.usage?.usedPercent ?? 0) >= 80);
    for (const d of flagged) expect(text).toContain(`${d.name.padEnd(6)} `);
    expect(text).toContain(`+ ${200 - flagged.length} more under their thresholds, highest 49% (mnt029)`);
  });

  test("a few devices are listed in full, nothing summarised", () => {
    const lines = diskBlock(
      many(3, () => 50),
      4000,
    );
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.includes("50%"))).toBe(true);
  });

  test("200 devices all over their thresholds: short forms, then a count of the rest, never a silent cut", () => {
    const lines = diskBlock(
      many(200, () => 95),
      1000,
    );
    expect(lines.join("\n").length).toBeLessThanOrEqual(1000);
    expect(lines[0]).toBe("mnt000 95% 🔴");
    const last = lines.at(-1) as string;
    const shown = lines.length - 1;
    expect(last).toBe(
      `+ ${200 - shown} more at or over their thresholds: octopus status on the server lists them`,
    );
  });
});

describe("trendSeries", () => {
  test("a few disks: every one, in the config's order", () => {
    expect(trendSeries(snapshot())).toEqual([
      "load5",
      "cpu",
      "memory",
      "disk:root",
      "disk:var",
      "disk:backup",
    ]);
  });

  test(`256 disks: at most ${MAX_TREND_DISKS}, those over a threshold first, in the config's order`, () => {
    const devices = Array.from({ length: 256 }, (_, i) => disk(`d${i}`, i === 200 || i === 250 ? 95 : 40));
    const series = trendSeries(snapshot({ devices }));
    expect(series.slice(0, 3)).toEqual(["load5", "cpu", "memory"]);
    const disks = series.slice(3);
    expect(disks).toHaveLength(MAX_TREND_DISKS);
    expect(disks.slice(-2)).toEqual(["disk:d200", "disk:d250"]);
    expect(disks.slice(0, 3)).toEqual(["disk:d0", "disk:d1", "disk:d2"]);
  });
});

describe("helpers", () => {
  test.each([
    [0, "0B"],
    [1536, "1.5K"],
    [10 * 1024 ** 2, "10M"],
    [22.5 * G, "23G"],
    [3.7 * 1024 * G, "3.7T"],
  ])("formatBytes(%p)", (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  test.each([
    [0, "░░░░░░░░░░"],
    [48, "▓▓▓▓▓░░░░░"],
    [100, "▓▓▓▓▓▓▓▓▓▓"],
    [140, "▓▓▓▓▓▓▓▓▓▓"],
  ])("bar(%p)", (p, text) => {
    expect(bar(p)).toBe(text);
  });

  test.each([
    [79, "ok"],
    [80, "warn"],
    [90, "crit"],
  ] as const)("levelOf(%p, 80, 90)", (v, level) => {
    expect(levelOf(v, 80, 90)).toBe(level);
  });
});

describe("statusJson", () => {
  test("stable field names", () => {
    const json = statusJson(snapshot(), T);
    expect(Object.keys(json)).toEqual([
      "host",
      "kernel",
      "time",
      "uptime_seconds",
      "load",
      "cpus",
      "cpu_limit",
      "cpu_percent",
      "memory",
      "devices",
    ]);
    expect(json.devices[2]).toEqual({
      name: "backup",
      path: "/backup",
      ok: true,
      error: null,
      size_bytes: 4096 * G,
      used_bytes: 4096 * G * 0.93,
      available_bytes: expect.closeTo(4096 * G * 0.07, 0),
      used_percent: 93,
      inodes_percent: 3,
      alert_threshold: 80,
      critical_threshold: 90,
      level: "crit",
    });
    expect(json.load).toMatchObject({ "5m": 0.61, per_core_5m: 0.152, level: "ok" });
  });
});
