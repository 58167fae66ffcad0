/**
 * The one sliding-window log (pure bookkeeping over timestamps in ms): at most `max` events
 * in any `windowMs`. Used for Telegram's send limits and the Plume call budget.
 */
export class SlidingWindow {
  private readonly times: number[] = [];
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** When the next event may happen (≤ now means now). */
  nextAt(now: number): number {
    while (this.times.length && (this.times[0] as number) <= now - this.windowMs) this.times.shift();
    return this.times.length < this.max ? now : (this.times[0] as number) + this.windowMs;
  }

  record(now: number): void {
    this.times.push(now);
  }
}
