import { describe, expect, test } from "bun:test";
import { aboutText, forecastFull } from "../../../src/features/history/forecast.ts";
import { sparkline } from "../../../src/features/history/sparkline.ts";

const H = 3_600_000;
const now = Date.UTC(2026, 10, 22, 12, 0);
/** `n` samples over the last `hours`, value = f(hours ago). */
const series = (n: number, hours: number, f: (hAgo: number) => number) =>
  Array.from({ length: n }, (_, i) => {
    const hAgo = hours - (i * hours) / (n - 1);
    return { at: now - hAgo * H, value: f(hAgo) };
  });
const opts = { minSpanMs: 2 * H };

describe("forecastFull", () => {
  test("a steady rise of 1 %/h from 70 %: full in about 30 h", () => {
    const f = forecastFull(
      series(50, 10, (h) => 70 - h),
      now,
      opts,
    );
    expect(f?.ratePerHour).toBeCloseTo(1, 5);
    expect((f?.fullInMs ?? 0) / H).toBeCloseTo(30, 3);
    expect(aboutText(f?.fullInMs ?? 0)).toBe("~30 h");
  });

  test("a few outliers do not move a robust fit", () => {
    const spiky = series(50, 10, (h) => 70 - h).map((p, i) => (i % 10 === 3 ? { ...p, value: 99 } : p));
    expect((forecastFull(spiky, now, opts)?.fullInMs ?? 0) / H).toBeCloseTo(30, 0);
  });

  test.each([
    ["flat", series(50, 10, () => 70)],
    ["falling", series(50, 10, (h) => 60 + h)],
    ["noise around a level", series(50, 10, (h) => 70 + (Math.round(h * 7) % 3) - 1)],
    ["two points", series(2, 10, (h) => 70 - h)],
    ["a span shorter than the minimum", series(50, 1, (h) => 70 - h * 10)],
    ["too slow to matter (years away)", series(50, 10, (h) => 70 - h * 0.0001)],
  ])("nothing when %s", (_, samples) => {
    expect(forecastFull(samples, now, opts)).toBeUndefined();
  });

  test("days and minutes read as such", () => {
    expect(aboutText(3 * 24 * H)).toBe("~3 d");
    expect(aboutText(40 * 60_000)).toBe("~40 min");
  });
});

describe("sparkline", () => {
  test("scaled between the lowest and highest cell; an empty cell is a gap, never a line", () => {
    const points = [0, 1, 2, 3, 5, 6, 7].map((i) => ({ at: now - (8 - i) * H, avg: i * 10 }));
    expect(sparkline(points, now - 8 * H, now, 8)).toBe("▁▂▃▄ ▆▇█");
    expect(sparkline([], now - 8 * H, now, 8)).toBe("");
    expect(sparkline([{ at: now - H, avg: 5 }], now - 8 * H, now, 8)).toBe("       ▁");
  });
});
