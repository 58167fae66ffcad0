/** Time as a parameter: pure code takes a Clock, so tests can move time by hand. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** The IANA zone times are shown in (undefined: the server's own, from TZ or /etc/localtime). */
  readonly timeZone?: string | undefined;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock for tests and replays: time moves only when told. */
export function createManualClock(
  start = 0,
  timeZone?: string,
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let current = start;
  return {
    now: () => current,
    timeZone,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}
