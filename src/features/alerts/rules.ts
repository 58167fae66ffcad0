import type { Reading } from "../../shared/reading.ts";

/**
 * The alert rule engine, pure: (previous states, readings, now, config) → (states, events).
 * No clock, storage, croner or Telegram here, so every transition is table-tested.
 *
 * - Sustain: a level fires only after `forChecks` consecutive breaching checks.
 * - Hysteresis: a level clears only when the value falls `clearMargin` below its threshold.
 * - One incident from the first firing to the resolution; warn↔crit changes within it.
 * - Flapping: more than 4 level changes in 30 min → one notice, then quiet until the level
 *   has not changed for 10 min.
 * - Repeats while firing, unless acknowledged; mutes silence events without losing state.
 */

export type Level = "ok" | "warn" | "crit";

export interface CheckState {
  level: Level;
  warnStreak: number;
  critStreak: number;
  /** An incident is open from its first notification to its resolution. */
  open: boolean;
  incidentStart?: number;
  peak?: number;
  lastValue?: number;
  lastNotifiedAt?: number;
  acked: boolean;
  /** Who acknowledged the open incident (shown on its message). */
  ackedBy?: string;
  muteUntil?: number;
  muteUntilResolved: boolean;
  /** Who set the current mute. */
  mutedBy?: string;
  /** Times of level changes within the flapping window. */
  changes: number[];
  flapping: boolean;
}

export interface RuleConfig {
  forChecks: number;
  clearMargin: number;
  /** ms between repeat notifications while firing; undefined = off. */
  repeatMs: number | undefined;
}

interface EventBase {
  id: string;
  reading: Reading;
  /** A mute is in force: update messages quietly, send nothing new. */
  muted: boolean;
}
export type AlertEvent =
  | (EventBase & { kind: "fire"; level: Exclude<Level, "ok"> })
  | (EventBase & { kind: "change"; from: Level; to: Exclude<Level, "ok"> })
  | (EventBase & { kind: "resolve"; from: Level; durationMs: number; peak: number | undefined })
  | (EventBase & { kind: "repeat"; level: Level; sinceMs: number })
  | (EventBase & { kind: "flapping"; changes: number })
  | (EventBase & { kind: "settled"; level: Level; durationMs: number; peak: number | undefined });

export const FLAP_WINDOW_MS = 30 * 60_000;
export const FLAP_CHANGES = 4;
export const SETTLE_MS = 10 * 60_000;

export const initialState = (): CheckState => ({
  level: "ok",
  warnStreak: 0,
  critStreak: 0,
  open: false,
  acked: false,
  muteUntilResolved: false,
  changes: [],
  flapping: false,
});

/** The level the hysteresis rules give, from the current level and the breach streaks. */
function nextLevel(s: CheckState, r: Reading, cfg: RuleConfig): Level {
  const margin = r.clearMargin ?? cfg.clearMargin;
  const crit = s.critStreak >= cfg.forChecks;
  const warn = s.warnStreak >= cfg.forChecks;
  if (s.level === "ok") return crit ? "crit" : warn ? "warn" : "ok";
  if (r.value === undefined) return crit ? "crit" : s.level;
  if (s.level === "warn") return crit ? "crit" : r.value < r.warn - margin ? "ok" : "warn";
  if (r.value >= r.crit - margin) return "crit";
  return r.value >= r.warn - margin ? "warn" : "ok";
}

/** Evaluates one check. Pure: returns a new state and the events to notify. */
export function evaluateCheck(
  prev: CheckState,
  r: Reading,
  now: number,
  cfg: RuleConfig,
): { state: CheckState; events: AlertEvent[] } {
  const s: CheckState = { ...prev, changes: prev.changes.filter((t) => t > now - FLAP_WINDOW_MS) };
  const unreadable = r.value === undefined;
  s.critStreak = unreadable || (r.value as number) >= r.crit ? s.critStreak + 1 : 0;
  s.warnStreak = unreadable || (r.value as number) >= r.warn ? s.warnStreak + 1 : 0;
  if (r.value !== undefined) s.lastValue = r.value;
  if (s.muteUntil !== undefined && s.muteUntil <= now) delete s.muteUntil;
  const muted = s.muteUntilResolved || s.muteUntil !== undefined;
  const base = { id: r.id, reading: r, muted };
  const events: AlertEvent[] = [];

  const from = s.level;
  const to = nextLevel(s, r, cfg);
  if (s.open && r.value !== undefined) s.peak = Math.max(s.peak ?? r.value, r.value);

  if (to !== from) {
    s.level = to;
    s.changes.push(now);
    if (!s.flapping && s.changes.length > FLAP_CHANGES) {
      s.flapping = true;
      events.push({ ...base, kind: "flapping", changes: s.changes.length });
    } else if (!s.flapping) {
      if (to === "ok") {
        events.push({
          ...base,
          kind: "resolve",
          from,
          durationMs: now - (s.incidentStart ?? now),
          peak: s.peak,
        });
        closeIncident(s);
      } else if (!s.open) {
        Object.assign(s, {
          open: true,
          incidentStart: now,
          peak: r.value,
          acked: false,
          lastNotifiedAt: now,
        });
        events.push({ ...base, kind: "fire", level: to });
      } else {
        s.lastNotifiedAt = now;
        events.push({ ...base, kind: "change", from, to });
      }
    }
  } else if (s.flapping && now - (s.changes.at(-1) ?? 0) >= SETTLE_MS) {
    s.flapping = false;
    s.changes = [];
    events.push({
      ...base,
      kind: "settled",
      level: s.level,
      durationMs: now - (s.incidentStart ?? now),
      peak: s.peak,
    });
    if (s.level === "ok") closeIncident(s);
    else if (!s.open) Object.assign(s, { open: true, incidentStart: now, peak: r.value, acked: false });
    s.lastNotifiedAt = now;
  } else if (
    s.open &&
    s.level !== "ok" &&
    !s.flapping &&
    !s.acked &&
    cfg.repeatMs !== undefined &&
    now - (s.lastNotifiedAt ?? now) >= cfg.repeatMs
  ) {
    s.lastNotifiedAt = now;
    events.push({ ...base, kind: "repeat", level: s.level, sinceMs: now - (s.incidentStart ?? now) });
  }
  return { state: s, events };
}

function closeIncident(s: CheckState) {
  s.open = false;
  s.acked = false;
  delete s.ackedBy;
  s.muteUntilResolved = false;
  delete s.incidentStart;
  delete s.peak;
  delete s.lastNotifiedAt;
}

/** Evaluates every reading against its previous state (new checks start at ok). */
export function evaluate(
  prev: ReadonlyMap<string, CheckState>,
  readings: readonly Reading[],
  now: number,
  cfg: RuleConfig,
): { states: Map<string, CheckState>; events: AlertEvent[] } {
  const states = new Map<string, CheckState>();
  const events: AlertEvent[] = [];
  for (const r of readings) {
    const result = evaluateCheck(prev.get(r.id) ?? initialState(), r, now, cfg);
    states.set(r.id, result.state);
    events.push(...result.events);
  }
  return { states, events };
}
