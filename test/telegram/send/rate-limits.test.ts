import { describe, expect, test } from "bun:test";
import { createRateLimiter } from "../../../src/telegram/send/rate-limits.ts";

/** Sends as fast as the limiter allows and returns the send times. */
function drive(chatId: number, count: number, limiter = createRateLimiter()): number[] {
  const times: number[] = [];
  let now = 0;
  for (let i = 0; i < count; i++) {
    now = Math.max(now, limiter.readyAt(chatId, now));
    limiter.record(chatId, now);
    times.push(now);
  }
  return times;
}

const maxInWindow = (times: number[], windowMs: number) =>
  Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));

describe("rate limiter", () => {
  test("a private chat gets a short burst, then about one message a second", () => {
    const times = drive(42, 30);
    expect(maxInWindow(times, 3000)).toBeLessThanOrEqual(3);
    expect(maxInWindow(times, 10_000)).toBeLessThanOrEqual(11);
    expect(times[2]).toBeLessThan(1500);
  });

  test("a group gets at most 20 messages a minute", () => {
    const times = drive(-100, 45);
    expect(maxInWindow(times, 60_000)).toBe(20);
    expect(times[20]).toBeGreaterThanOrEqual(60_000);
  });

  test("all chats together stay under 30 a second", () => {
    const limiter = createRateLimiter();
    const times: number[] = [];
    let now = 0;
    for (let i = 0; i < 100; i++) {
      const chat = 1 + i;
      now = Math.max(now, limiter.readyAt(chat, now));
      limiter.record(chat, now);
      times.push(now);
    }
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(30);
  });

  test("retry_after blocks one chat, not the others", () => {
    const limiter = createRateLimiter();
    limiter.block(7, 5000);
    expect(limiter.readyAt(7, 0)).toBe(5000);
    expect(limiter.readyAt(8, 0)).toBe(0);
    limiter.block(undefined, 2000);
    expect(limiter.readyAt(8, 0)).toBe(2000);
    expect(limiter.readyAtUnbound(0)).toBe(2000);
  });
});
