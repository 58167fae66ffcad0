import { describe, expect, test } from "bun:test";
import { timeTicks } from "../../../src/features/history/time-ticks.ts";

const H = 3_600_000;
const D = 24 * H;
const iso = (t: number) => new Date(t).toISOString().slice(0, 16);

describe("timeTicks: round times in the chart's zone", () => {
  const now = Date.UTC(2026, 10, 22, 16, 17); // Sun 22 Nov 2026 16:17 UTC

  test("6h: whole hours, never the odd minute the range starts at", () => {
    const ticks = timeTicks(now - 6 * H, now, "UTC");
    expect(ticks.map((t) => t.label)).toEqual(["11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]);
  });

  test("24h: every 3 hours; midnight says the date", () => {
    const ticks = timeTicks(now - D, now, "UTC");
    expect(ticks.map((t) => t.label)).toEqual([
      "18:00",
      "21:00",
      "22 Nov",
      "03:00",
      "06:00",
      "09:00",
      "12:00",
      "15:00",
    ]);
  });

  test("7d: midnights; 30d: Mondays; both as dates", () => {
    expect(timeTicks(now - 7 * D, now, "UTC").map((t) => t.label)).toEqual([
      "16 Nov",
      "17 Nov",
      "18 Nov",
      "19 Nov",
      "20 Nov",
      "21 Nov",
      "22 Nov",
    ]);
    const month = timeTicks(now - 30 * D, now, "UTC");
    expect(month.map((t) => t.label)).toEqual(["26 Oct", "2 Nov", "9 Nov", "16 Nov"]);
    for (const t of month) expect(new Date(t.at).getUTCDay()).toBe(1);
  });

  test("1y: first days of months, the year on the first and on January", () => {
    const ticks = timeTicks(now - 365 * D, now, "UTC");
    expect(ticks.map((t) => t.label)).toEqual(["Jan 2026", "Mar", "May", "Jul", "Sept", "Nov"]);
    expect(iso(ticks[0]?.at as number)).toBe("2026-01-01T00:00");
    const later = timeTicks(Date.UTC(2026, 2, 10), Date.UTC(2027, 2, 10), "UTC");
    expect(later.map((t) => t.label)).toEqual(["May 2026", "Jul", "Sept", "Nov", "Jan 2027", "Mar"]);
  });

  test("in a half-hour zone the ticks are its whole hours, at :30 UTC", () => {
    const ticks = timeTicks(now - 6 * H, now, "Asia/Kolkata");
    expect(ticks.map((t) => t.label)).toEqual(["16:00", "17:00", "18:00", "19:00", "20:00", "21:00"]);
    for (const t of ticks) expect(new Date(t.at).getUTCMinutes()).toBe(30);
  });

  test("across a DST change the days still start at local midnight", () => {
    // New York leaves DST on Sun 1 Nov 2026 at 02:00.
    const ticks = timeTicks(Date.UTC(2026, 9, 29, 12), Date.UTC(2026, 10, 4, 12), "America/New_York");
    expect(ticks.map((t) => t.label)).toEqual(["30 Oct", "31 Oct", "1 Nov", "2 Nov", "3 Nov", "4 Nov"]);
    expect(ticks.map((t) => new Date(t.at).getUTCHours())).toEqual([4, 4, 4, 5, 5, 5]);
  });

  test("a short span still gets round ticks, and never more than asked", () => {
    const ticks = timeTicks(now - 30 * 60_000, now, "UTC");
    expect(ticks.map((t) => t.label)).toEqual(["15:50", "15:55", "16:00", "16:05", "16:10", "16:15"]);
    for (const span of [H, 5 * H, 2 * D, 3 * D, 14 * D, 90 * D, 365 * D, 3 * 365 * D])
      expect(timeTicks(now - span, now, "Europe/Berlin").length).toBeLessThanOrEqual(9);
  });
});
