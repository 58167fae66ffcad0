import { describe, expect, test } from "bun:test";
import { backoffMs } from "../../src/shared/backoff.ts";
import { SlidingWindow } from "../../src/shared/sliding-window.ts";

describe("backoffMs", () => {
  const policy = { baseMs: 1000, maxMs: 30_000 };
  test.each([
    [1, 0, 500],
    [1, 0.999_999, 1000],
    [2, 0, 1000],
    [3, 0.5, 3000],
    [6, 0, 15_000],
    [7, 0, 15_000],
    [50, 0.999_999, 30_000],
    [0, 0, 500],
  ])("attempt %i with random %d → %i ms", (attempt, random, ms) => {
    expect(Math.round(backoffMs(attempt, policy, () => random))).toBe(ms);
  });
});

describe("SlidingWindow", () => {
  test("at most max events in any window; the next slot is when the oldest leaves it", () => {
    const w = new SlidingWindow(3, 1000);
    for (const t of [0, 10, 20]) {
      expect(w.nextAt(t)).toBe(t);
      w.record(t);
    }
    expect(w.nextAt(30)).toBe(1000);
    expect(w.nextAt(1000)).toBe(1000);
    w.record(1000);
    expect(w.nextAt(1001)).toBe(1010);
  });
});
