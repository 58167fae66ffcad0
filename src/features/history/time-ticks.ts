/**
 * Pure: the time axis of a chart at round times in the given zone: whole hours (every 1, 2, 3,
 * 6 or 12), midnights, Mondays, first days of months; the fewest that still give a tick at
 * least every `span / max`. A tick at local midnight says the date, and a January (or the
 * first month shown) its year, so a 1y chart is never without one.
 */

export interface TimeTick {
  at: number;
  label: string;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

type Step =
  | { unit: "ms"; ms: number } // minutes and hours: a whole divisor of a day
  | { unit: "week"; ms: number }
  | { unit: "month"; n: number; ms: number };

const STEPS: readonly Step[] = [
  ...[5, 10, 15, 30].map((m) => ({ unit: "ms" as const, ms: m * MIN })),
  ...[1, 2, 3, 6, 12, 24, 48].map((h) => ({ unit: "ms" as const, ms: h * HOUR })),
  { unit: "week", ms: 7 * DAY },
  ...[1, 2, 3, 6, 12].map((n) => ({ unit: "month" as const, n, ms: n * 30.44 * DAY })),
];

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
/** The wall-clock time at `t` in the zone, as if that wall clock were UTC (ms). */
function wallClock(t: number, timeZone: string | undefined): number {
  const key = timeZone ?? "";
  let f = partsFormatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      hourCycle: "h23",
      ...(timeZone ? { timeZone } : {}),
    });
    partsFormatters.set(key, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(t)) if (part.type !== "literal") p[part.type] = Number(part.value);
  return Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0);
}

/** The instant whose wall clock in the zone reads `wall` (the later one across a DST change). */
function fromWallClock(wall: number, timeZone: string | undefined): number {
  let t = wall - (wallClock(wall, timeZone) - wall);
  t = wall - (wallClock(t, timeZone) - t);
  return t;
}

const labelFormatters = new Map<string, Intl.DateTimeFormat>();
function label(kind: "clock" | "day" | "month" | "year", t: number, timeZone: string | undefined): string {
  const key = `${kind}|${timeZone ?? ""}`;
  let f = labelFormatters.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === "clock"
        ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
        : kind === "day"
          ? { day: "numeric", month: "short" }
          : kind === "month"
            ? { month: "short" }
            : { month: "short", year: "numeric" };
    f = new Intl.DateTimeFormat("en-GB", { ...options, ...(timeZone ? { timeZone } : {}) });
    labelFormatters.set(key, f);
  }
  return f.format(t);
}

/** Round-time ticks in [from, to]: the finest step that makes at most `max` intervals. */
export function timeTicks(from: number, to: number, timeZone: string | undefined, max = 8): TimeTick[] {
  const span = Math.max(to - from, MIN);
  const step = STEPS.find((s) => span / s.ms <= max) ?? (STEPS.at(-1) as Step);
  const walls: number[] = [];
  const start = wallClock(from, timeZone);
  const end = wallClock(to, timeZone);
  if (step.unit === "ms") {
    for (let w = Math.ceil(start / step.ms) * step.ms; w <= end; w += step.ms) walls.push(w);
  } else if (step.unit === "week") {
    const midnight = Math.ceil(start / DAY) * DAY;
    const monday = midnight + ((8 - new Date(midnight).getUTCDay()) % 7) * DAY;
    for (let w = monday; w <= end; w += step.ms) walls.push(w);
  } else {
    const d = new Date(start);
    let y = d.getUTCFullYear();
    let m = d.getUTCMonth();
    // The first month boundary at or after `from`, on a multiple of the step (Jan, Apr, …).
    if (start > Date.UTC(y, m, 1)) m++;
    m = Math.ceil(m / step.n) * step.n;
    for (;;) {
      y += Math.floor(m / 12);
      m %= 12;
      const w = Date.UTC(y, m, 1);
      if (w > end) break;
      walls.push(w);
      m += step.n;
    }
  }
  const ticks: TimeTick[] = [];
  for (const w of walls) {
    const at = fromWallClock(w, timeZone);
    if (at < from || at > to || ticks.some((t) => t.at === at)) continue;
    const midnight = w % DAY === 0;
    const kind =
      step.unit === "month"
        ? ticks.length === 0 || new Date(w).getUTCMonth() === 0
          ? "year"
          : "month"
        : step.unit === "week" || step.ms >= DAY || midnight
          ? "day"
          : "clock";
    ticks.push({ at, label: label(kind, at, timeZone) });
  }
  return ticks;
}
