import type { Clock } from "../../shared/clock.ts";
import { SlidingWindow } from "../../shared/sliding-window.ts";

/**
 * Shared by the whole bot: at most `perSecond` Plume calls in any second (a sliding window,
 * so one report's 5 calls go out together, and never more than 5 in any 1000 ms; a token
 * bucket would allow a burst plus its refill). Plume's firewall allows 2000 calls per 5
 * minutes per IP and recommends ≤ 6/s. The firewall's 403 pauses one set of credentials
 * (`createCredentialGate`), not the whole bot.
 */
export interface PlumeLimiter {
  /** Waits for a slot; false at once while paused after a 403 (a report must not hang). */
  acquire(): Promise<boolean>;
  /** Nothing goes out before `ms` from now (after a 403). */
  pause(ms: number): void;
}

export function createPlumeLimiter(
  clock: Clock,
  sleep: (ms: number) => Promise<void>,
  perSecond = 5,
): PlumeLimiter {
  const window = new SlidingWindow(perSecond, 1000);
  let pausedUntil = 0;
  let chain: Promise<void> = Promise.resolve();
  return {
    acquire() {
      // One waiter at a time, so calls leave in the order they asked.
      const turn = chain.then(async (): Promise<boolean> => {
        for (;;) {
          const now = clock.now();
          if (pausedUntil > now) return false;
          const wait = window.nextAt(now) - now;
          if (wait <= 0) {
            window.record(now);
            return true;
          }
          await sleep(wait);
        }
      });
      chain = turn.then(
        () => undefined,
        () => undefined,
      );
      return turn;
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, clock.now() + ms);
    },
  };
}

/**
 * One set of credentials' view of the shared limiter: a firewall 403 pauses its calls only;
 * other users (and the server's watch) keep their turn in the shared window.
 */
export function createCredentialGate(shared: PlumeLimiter, clock: Clock): PlumeLimiter {
  let pausedUntil = 0;
  return {
    acquire: () => (pausedUntil > clock.now() ? Promise.resolve(false) : shared.acquire()),
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, clock.now() + ms);
    },
  };
}
