import { describe, expect, test } from "bun:test";
import {
  type CheckState,
  evaluateCheck,
  initialState,
  type RuleConfig,
} from "../../../src/features/alerts/rules.ts";
import type { Reading } from "../../../src/shared/reading.ts";

const MIN = 60_000;
const CFG: RuleConfig = { forChecks: 2, clearMargin: 5, repeatMs: undefined };
const disk = (value: number | undefined): Reading => ({
  id: "disk:root",
  value,
  warn: 80,
  crit: 90,
  unit: "%",
});

/** Feeds values one check (30 s) apart; returns "kind:level" per event, "-" for a quiet check. */
function run(
  values: (number | undefined)[],
  cfg: RuleConfig = CFG,
  start: CheckState = initialState(),
  stepMs = 30_000,
) {
  let state = start;
  const out: string[] = [];
  values.forEach((v, i) => {
    const r = evaluateCheck(state, disk(v), i * stepMs, cfg);
    state = r.state;
    out.push(
      r.events.length
        ? r.events
            .map((e) =>
              e.kind === "fire"
                ? `fire:${e.level}`
                : e.kind === "change"
                  ? `change:${e.from}>${e.to}`
                  : e.kind === "resolve"
                    ? `resolve:${e.from}`
                    : e.kind === "settled"
                      ? `settled:${e.level}`
                      : e.kind,
            )
            .join(",")
        : "-",
    );
  });
  return { out, state };
}

describe("sustain", () => {
  test.each([
    ["one breaching check is not enough", [85, 70], ["-", "-"]],
    ["two consecutive breaching checks fire", [85, 85], ["-", "fire:warn"]],
    ["a dip resets the count", [85, 70, 85, 85], ["-", "-", "-", "fire:warn"]],
    ["straight to crit when crit is sustained", [95, 95], ["-", "fire:crit"]],
    ["warn first when crit is not sustained yet", [85, 95, 95], ["-", "fire:warn", "change:warn>crit"]],
    ["an unreadable path counts as critical", [undefined, undefined], ["-", "fire:crit"]],
  ] as const)("%s", (_, values, expected) => {
    expect(run([...values]).out).toEqual([...expected]);
  });

  test("for: 1 fires on the first breach", () => {
    expect(run([85], { ...CFG, forChecks: 1 }).out).toEqual(["fire:warn"]);
  });
});

describe("hysteresis at the boundary values", () => {
  test.each([
    ["warn holds at threshold - margin (75)", [85, 85, 75], ["-", "fire:warn", "-"]],
    ["warn clears just below threshold - margin (74.9)", [85, 85, 74.9], ["-", "fire:warn", "resolve:warn"]],
    ["crit holds at 85 (90 - 5)", [95, 95, 85], ["-", "fire:crit", "-"]],
    ["crit steps down to warn below 85", [95, 95, 84], ["-", "fire:crit", "change:crit>warn"]],
    ["crit clears to ok below 75 in one step", [95, 95, 60], ["-", "fire:crit", "resolve:crit"]],
    [
      "warn→crit→warn→ok",
      [85, 85, 95, 95, 80, 70],
      ["-", "fire:warn", "-", "change:warn>crit", "change:crit>warn", "resolve:warn"],
    ],
    ["unreadable again keeps crit", [95, 95, undefined, 95], ["-", "fire:crit", "-", "-"]],
  ] as const)("%s", (_, values, expected) => {
    expect(run([...values]).out).toEqual([...expected]);
  });

  test("clear_margin 0 clears right under the threshold", () => {
    expect(run([85, 85, 79.9], { ...CFG, clearMargin: 0 }).out).toEqual(["-", "fire:warn", "resolve:warn"]);
  });
});

describe("resolution", () => {
  test("reports the duration and the peak", () => {
    let s = initialState();
    const values = [92, 95, 96, 93, 60];
    const events = values.flatMap((v, i) => {
      const r = evaluateCheck(s, disk(v), i * 10 * MIN, CFG);
      s = r.state;
      return r.events;
    });
    const resolve = events.find((e) => e.kind === "resolve");
    expect(resolve).toMatchObject({ kind: "resolve", durationMs: 30 * MIN, peak: 96 });
    expect(s.open).toBe(false);
  });
});

describe("flapping", () => {
  test("more than 4 changes in 30 min: one notice, then quiet until 10 min without change", () => {
    // fire, resolve, fire, resolve: the 5th change is the flapping notice; then quiet.
    const values = [85, 85, 70, 85, 85, 70, 85, 85, 70, 85, 85, 85];
    const { out, state } = run(values, CFG, initialState(), MIN);
    expect(out).toEqual([
      "-",
      "fire:warn",
      "resolve:warn",
      "-",
      "fire:warn",
      "resolve:warn",
      "-",
      "flapping",
      "-",
      "-",
      "-",
      "-",
    ]);
    expect(state.flapping).toBe(true);
  });

  test("settles after 10 quiet minutes, at the level it ended on", () => {
    const start: CheckState = {
      ...initialState(),
      level: "warn",
      open: true,
      incidentStart: 0,
      flapping: true,
      changes: [0, MIN, 2 * MIN, 3 * MIN, 4 * MIN],
      warnStreak: 2,
    };
    let s = start;
    const kinds: string[] = [];
    for (let t = 5 * MIN; t <= 15 * MIN; t += MIN) {
      const r = evaluateCheck(s, disk(85), t, CFG);
      s = r.state;
      kinds.push(...r.events.map((e) => (e.kind === "settled" ? `settled:${e.level}` : e.kind)));
    }
    expect(kinds).toEqual(["settled:warn"]);
    expect(s.flapping).toBe(false);
  });
});

describe("repeats", () => {
  const cfg = { ...CFG, repeatMs: 60 * MIN };
  test("re-notify every repeat interval while firing", () => {
    const values = Array.from({ length: 8 }, () => 95);
    expect(run(values, cfg, initialState(), 20 * MIN).out).toEqual([
      "-",
      "fire:crit",
      "-",
      "-",
      "repeat",
      "-",
      "-",
      "repeat",
    ]);
  });

  test("an acknowledged incident does not repeat", () => {
    const fired = run([95, 95], cfg, initialState(), 20 * MIN).state;
    const { out } = run([95, 95, 95, 95, 95], cfg, { ...fired, acked: true }, 20 * MIN);
    expect(out.every((o) => o === "-")).toBe(true);
  });
});

describe("mutes", () => {
  test("events while muted carry muted: true; an expired mute is cleared", () => {
    const muted: CheckState = { ...initialState(), muteUntil: 2 * MIN };
    const first = evaluateCheck(muted, disk(95), 0, { ...CFG, forChecks: 1 });
    expect(first.events[0]).toMatchObject({ kind: "fire", muted: true });
    const later = evaluateCheck(first.state, disk(60), 3 * MIN, CFG);
    expect(later.events[0]).toMatchObject({ kind: "resolve", muted: false });
    expect(later.state.muteUntil).toBeUndefined();
  });

  test("mute until resolved ends with the incident", () => {
    const fired = run([95, 95]).state;
    const r = evaluateCheck({ ...fired, muteUntilResolved: true }, disk(10), 10 * MIN, CFG);
    expect(r.events[0]).toMatchObject({ kind: "resolve", muted: true });
    expect(r.state.muteUntilResolved).toBe(false);
  });
});
