import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../../src/config/parse.ts";
import { chartFor, parseChartArgs } from "../../../src/features/history/chart.ts";
import { chartSvg, HEIGHT, WIDTH } from "../../../src/features/history/chart-svg.ts";
import { createHistoryStore } from "../../../src/features/history/store.ts";
import { createManualClock } from "../../../src/shared/clock.ts";
import { silentLogger } from "../../../src/shared/log.ts";
import { openMemoryDb } from "../../../src/storage/db.ts";
import { createHistoryRepo } from "../../../src/storage/history-repo.ts";

describe("parseChartArgs", () => {
  test.each([
    ["", { target: "all", range: "24h" }],
    ["cpu", { target: "cpu", range: "24h" }],
    ["7d load", { target: "load", range: "7d" }],
    ["mem 1y", { target: "memory", range: "1y" }],
    ["disk ROOT 30d", { target: "disk:root", range: "30d" }],
    ["disk nope", { error: "Which disk? root, data" }],
    ["disk", { error: "Which disk? root, data" }],
    ["nonsense", { error: "Usage: /chart [cpu|load|memory|disk NAME|all] [6h|24h|7d|30d|1y]" }],
  ] as const)("%p", (args, expected) => {
    expect(parseChartArgs(args, ["root", "data"])).toEqual(expected);
  });
});

describe("chartSvg", () => {
  const now = Date.UTC(2026, 10, 22, 12, 0);
  const point = (minAgo: number, v: number) => ({
    at: now - minAgo * 60_000,
    min: v - 1,
    avg: v,
    max: v + 1,
  });
  const svg = chartSvg({
    title: "Disk <root> used · 24h",
    series: [
      {
        name: "disk:root",
        points: [point(50, 40), point(49, 41), point(48, 42), point(10, 60), point(9, 61)],
      },
    ],
    from: now - 60 * 60_000,
    to: now,
    unit: "%",
    thresholds: [{ label: "warn 80%", value: 80 }],
    timeZone: "UTC",
    zoneLabel: "UTC",
    stepMs: 60_000,
  });

  test("a gap breaks the line into two, each with its min–max band; never bridged", () => {
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<polygon /g)).toHaveLength(2);
  });

  test("thresholds are dashed lines with their label; the title is escaped; the zone is said", () => {
    expect(svg).toContain('stroke-dasharray="8 6"');
    expect(svg).toContain(">warn 80%<");
    expect(svg).toContain("Disk &lt;root&gt; used · 24h");
    expect(svg).toContain(">times: UTC<");
    expect(svg).toStartWith('<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="560"');
  });

  test("no points: says so instead of an empty frame", () => {
    const empty = chartSvg({
      title: "t",
      series: [{ name: "cpu", points: [] }],
      from: 0,
      to: 1,
      unit: "%",
      thresholds: [],
      timeZone: "UTC",
      zoneLabel: "UTC",
      stepMs: 1,
    });
    expect(empty).toContain("No history for this range yet");
  });
});

/** Each <text> of the SVG: its x, anchor, size and content. */
function texts(svg: string) {
  return [
    ...svg.matchAll(
      /<text x="([\d.]+)" y="([\d.]+)" font-size="(\d+)"(?: font-weight="\d+")?(?: text-anchor="(\w+)")? fill="#\w+">([^<]*)</g,
    ),
  ].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    size: Number(m[3]),
    anchor: m[4] ?? "start",
    text: m[5] as string,
  }));
}
/** A text's horizontal extent at Inter's ~0.55 em a character. */
function extent(t: { x: number; size: number; anchor: string; text: string }) {
  const width = t.text.length * t.size * 0.55;
  const left = t.anchor === "middle" ? t.x - width / 2 : t.anchor === "end" ? t.x - width : t.x;
  return [left, left + width];
}

describe("the chart's layout", () => {
  const now = Date.UTC(2026, 10, 22, 16, 17);
  const day = 86_400_000;
  const spec = (from: number, thresholds: { label: string; value: number }[] = []) =>
    chartSvg({
      title: "Disk root used · 7d",
      series: [
        {
          name: "disk:root",
          points: [
            { at: now - day, min: 84, avg: 85, max: 86 },
            { at: now, min: 85, avg: 86, max: 87 },
          ],
        },
      ],
      from,
      to: now,
      unit: "%",
      thresholds,
      timeZone: "UTC",
      zoneLabel: "UTC",
      stepMs: 15 * 60_000,
    });

  test.each([
    ["6h", 6 * 3_600_000],
    ["24h", day],
    ["7d", 7 * day],
    ["30d", 30 * day],
    ["1y", 365 * day],
  ])("%s: every time label is inside the picture, at a round time", (_, span) => {
    const svg = spec(now - span);
    const axis = texts(svg).filter((t) => t.y === HEIGHT - 78 + 28);
    expect(axis.length).toBeGreaterThanOrEqual(4);
    for (const t of axis) {
      const [left, right] = extent(t);
      expect(left).toBeGreaterThanOrEqual(0);
      expect(right).toBeLessThanOrEqual(WIDTH);
      expect(t.text).toMatch(/^(\d\d:00|\d{1,2} \w{3}|\w{3,4}( \d{4})?)$/);
    }
  });

  test("threshold labels sit in the right margin, off the data, apart when the lines are close", () => {
    const svg = spec(now - 7 * day, [
      { label: "warn 85%", value: 85 },
      { label: "crit 88%", value: 88 },
    ]);
    const labels = texts(svg).filter((t) => t.text.startsWith("warn") || t.text.startsWith("crit"));
    expect(labels).toHaveLength(2);
    const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].flatMap((m) =>
      (m[1] as string).split(" ").map((p) => Number(p.split(",")[0])),
    );
    const dataRight = Math.max(...lines);
    for (const l of labels) {
      expect(l.x).toBeGreaterThan(dataRight);
      expect(extent(l)[1]).toBeLessThanOrEqual(WIDTH);
    }
    expect(Math.abs((labels[0] as { y: number }).y - (labels[1] as { y: number }).y)).toBeGreaterThanOrEqual(
      18,
    );
  });

  test("eight series keep their legend inside the picture", () => {
    const names = [
      "cpu",
      "memory",
      "disk:root",
      "disk:data",
      "disk:backup",
      "disk:var",
      "disk:logs",
      "disk:home",
    ];
    const svg = chartSvg({
      title: "CPU, memory and disks · 24h",
      series: names.map((name) => ({ name, points: [] })),
      from: now - day,
      to: now,
      unit: "%",
      thresholds: [],
      timeZone: "UTC",
      zoneLabel: "UTC",
      stepMs: 60_000,
    });
    const legend = texts(svg).filter((t) => names.includes(t.text));
    expect(legend).toHaveLength(8);
    for (const t of legend) {
      expect(extent(t)[1]).toBeLessThanOrEqual(WIDTH);
      expect(t.y).toBeLessThanOrEqual(HEIGHT);
    }
  });
});

describe("chartFor on a young history", () => {
  const config = (() => {
    const r = parseConfig(
      "telegram:\n  admins: [1]\nmonitored_devices:\n  - { name: root, path: / }\n",
      "c.yaml",
    );
    if (!r.ok) throw new Error("config");
    return r.value.config;
  })();
  const zone = { timeZone: "UTC", label: "UTC" };
  const emptyHistory = () => {
    const clock = createManualClock(Date.UTC(2026, 10, 22, 10, 0));
    const store = createHistoryStore({
      repo: createHistoryRepo(openMemoryDb()),
      clock,
      keep: config.history,
      log: silentLogger,
    });
    return { clock, store };
  };

  test("two hours of history on a 7d chart: drawn over those hours, and said from when", () => {
    const { clock, store } = emptyHistory();
    for (let i = 0; i < 120; i++) {
      store.record(new Map([["disk:root", 40 + i / 10]]));
      clock.advance(60_000);
    }
    const chart = chartFor(store, config, "disk:root", "7d", clock.now(), zone);
    expect(chart.since).toBe(Date.UTC(2026, 10, 22, 10, 0));
    expect(chart.svg).toContain(">history since 10:00<");
    // The axis spans the two hours (round quarter hours), not the week.
    const axis = texts(chart.svg)
      .filter((t) => t.y === HEIGHT - 78 + 28)
      .map((t) => t.text);
    expect(axis).toEqual(["10:00", "10:15", "10:30", "10:45", "11:00", "11:15", "11:30", "11:45", "12:00"]);
    // A week later, after a gap (the bot was down): the history is older than the range, so
    // the 24h chart is the whole range with no "since" (the gap shows as a gap).
    clock.advance(7 * 86_400_000);
    store.record(new Map([["disk:root", 50]]));
    const old = chartFor(store, config, "disk:root", "24h", clock.now(), zone);
    expect(old.since).toBeUndefined();
  });

  test("no history at all: the asked range, empty, and no since", () => {
    const { clock, store } = emptyHistory();
    const chart = chartFor(store, config, "cpu", "24h", clock.now(), zone);
    expect(chart.since).toBeUndefined();
    expect(chart.svg).toContain("No history for this range yet");
  });
});
