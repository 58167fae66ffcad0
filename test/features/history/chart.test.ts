import { describe, expect, test } from "bun:test";
import { parseChartArgs } from "../../../src/features/history/chart.ts";
import { chartSvg } from "../../../src/features/history/chart-svg.ts";

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
