import { describe, expect, test } from "bun:test";
import { createMetrics, type Labels } from "../../src/shared/metrics.ts";

describe("the Prometheus text renderer", () => {
  test.each([
    ["no labels", {}, 1, "m 1"],
    ["one label", { a: "x" }, 2, 'm{a="x"} 2'],
    ["labels in the order given", { b: "2", a: "1" }, 3, 'm{b="2",a="1"} 3'],
    [
      "a quote, a backslash and a newline are escaped",
      { v: 'say "hi"\\\n' },
      1,
      'm{v="say \\"hi\\"\\\\\\n"} 1',
    ],
    ["a fraction", {}, 0.25, "m 0.25"],
    ["+Inf", {}, Number.POSITIVE_INFINITY, "m +Inf"],
    ["-Inf", {}, Number.NEGATIVE_INFINITY, "m -Inf"],
    ["NaN", {}, Number.NaN, "m NaN"],
  ] as const)("a gauge sample: %s", (_, labels, value, line) => {
    const m = createMetrics();
    m.gauge("m", "help text", () => [[labels as Labels, value]]);
    expect(m.render()).toBe(`# HELP m help text\n# TYPE m gauge\n${line}\n`);
  });

  test("a counter adds per label set; an empty counter has its header only", () => {
    const m = createMetrics();
    const c = m.counter("c_total", "things");
    m.counter("d_total", "nothing yet");
    c.inc({ k: "a" });
    c.inc({ k: "a" }, 2);
    c.inc({ k: "b" });
    expect(m.render().split("\n")).toEqual([
      "# HELP c_total things",
      "# TYPE c_total counter",
      'c_total{k="a"} 3',
      'c_total{k="b"} 1',
      "# HELP d_total nothing yet",
      "# TYPE d_total counter",
      "",
    ]);
  });

  test("a histogram has cumulative buckets, +Inf, sum and count", () => {
    const m = createMetrics();
    const h = m.histogram("h_seconds", "durations", [1, 5]);
    for (const v of [0.5, 3, 7]) h.observe({ s: "x" }, v);
    expect(m.render().split("\n").slice(2, -1)).toEqual([
      'h_seconds_bucket{s="x",le="1"} 1',
      'h_seconds_bucket{s="x",le="5"} 2',
      'h_seconds_bucket{s="x",le="+Inf"} 3',
      'h_seconds_sum{s="x"} 10.5',
      'h_seconds_count{s="x"} 3',
    ]);
  });
});
