import { SlidingWindow } from "../../shared/sliding-window.ts";

/**
 * Telegram's send limits as pure bookkeeping over timestamps (ms): a private chat gets
 * about one message a second with short bursts, a group at most 20 a minute, and all
 * chats together about 30 a second. Edits count like messages.
 */

export interface RateLimitPolicy {
  privateBurst: number;
  privatePerSecond: number;
  groupPerMinute: number;
  globalPerSecond: number;
}

export const TELEGRAM_LIMITS: RateLimitPolicy = {
  privateBurst: 3,
  privatePerSecond: 1,
  groupPerMinute: 20,
  globalPerSecond: 30,
};

/** For benchmarks that measure the bot itself, not Telegram's budget. */
export const NO_LIMITS: RateLimitPolicy = {
  privateBurst: 1e9,
  privatePerSecond: 1e9,
  groupPerMinute: 1e9,
  globalPerSecond: 1e9,
};

export interface RateLimiter {
  /** Earliest time a message to `chatId` may be sent, given the limits and any retry_after. */
  readyAt(chatId: number, now: number): number;
  /** Earliest time a call bound to no chat (a callback answer) may go: only global blocks apply. */
  readyAtUnbound(now: number): number;
  record(chatId: number, now: number): void;
  /** Telegram said wait: nothing goes to this chat (or, with no chat, anywhere) before `until`. */
  block(chatId: number | undefined, until: number): void;
}

export function createRateLimiter(policy: RateLimitPolicy = TELEGRAM_LIMITS): RateLimiter {
  const global = new SlidingWindow(policy.globalPerSecond, 1000);
  const chats = new Map<number, SlidingWindow[]>();
  const blocked = new Map<number | undefined, number>();
  const windowsOf = (chatId: number): SlidingWindow[] => {
    let w = chats.get(chatId);
    if (!w) {
      // Private chats (positive ids): a burst, then one a second. Groups: 20 a minute, no faster than 1/s.
      w =
        chatId > 0
          ? [
              new SlidingWindow(policy.privateBurst, policy.privateBurst * (1000 / policy.privatePerSecond)),
              new SlidingWindow(1, 1000 / (policy.privatePerSecond * 2)),
            ]
          : [new SlidingWindow(policy.groupPerMinute, 60_000), new SlidingWindow(1, 1000)];
      chats.set(chatId, w);
    }
    return w;
  };
  return {
    readyAt(chatId, now) {
      let at = Math.max(global.nextAt(now), blocked.get(undefined) ?? 0, blocked.get(chatId) ?? 0);
      for (const w of windowsOf(chatId)) at = Math.max(at, w.nextAt(now));
      return at;
    },
    readyAtUnbound(now) {
      return Math.max(now, blocked.get(undefined) ?? 0);
    },
    record(chatId, now) {
      global.record(now);
      for (const w of windowsOf(chatId)) w.record(now);
    },
    block(chatId, until) {
      blocked.set(chatId, Math.max(blocked.get(chatId) ?? 0, until));
    },
  };
}
