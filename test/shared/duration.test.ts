import { describe, expect, test } from "bun:test";
import { formatDuration, parseDuration } from "../../src/shared/duration.ts";

describe("parseDuration", () => {
  test.each([
    ["250ms", 250],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["2d", 172_800_000],
    [" 10s ", 10_000],
    ["300", undefined],
    ["5 minutes", undefined],
    ["0s", undefined],
    ["-5m", undefined],
    ["", undefined],
    ["1.5h", undefined],
  ] as const)("%p → %p", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe("formatDuration", () => {
  test.each([
    [400, "400ms"],
    [45_000, "45s"],
    [300_000, "5m"],
    [325_000, "5m 25s"],
    [3_900_000, "1h 5m"],
    [86_400_000 + 3 * 3_600_000, "1d 3h"],
  ] as const)("%p → %p", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
