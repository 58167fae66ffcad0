/** One alert tick with 20 devices: snapshot + readings + rule engine, in µs. */

import { parseConfig } from "../../src/config/parse.ts";
import { readingsFrom } from "../../src/features/alerts/readings.ts";
import { type CheckState, evaluate } from "../../src/features/alerts/rules.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { createSnapshotter } from "../../src/system/snapshot.ts";
import { report } from "./stats.ts";

const PATHS = ["/", "/tmp", "/var", "/usr", "/etc"];

export async function benchAlerts(): Promise<void> {
  const devices = Array.from(
    { length: 20 },
    (_, i) => `  - { name: d${i}, path: ${PATHS[i % PATHS.length]} }`,
  ).join("\n");
  const parsed = parseConfig(`monitored_devices:\n${devices}\n`, "/tmp/bench.yaml");
  if (!parsed.ok) throw new Error("config");
  const config = parsed.value.config;
  const snapshotter = createSnapshotter({ clock: systemClock, sleep: Bun.sleep });
  await snapshotter.take(config.monitored_devices);
  const rules = { forChecks: 2, clearMargin: 5, repeatMs: undefined };
  let states = new Map<string, CheckState>();
  const n = 5000;
  let engineNs = 0;
  const t0 = Bun.nanoseconds();
  for (let i = 0; i < n; i++) {
    const snap = await snapshotter.take(config.monitored_devices);
    const e0 = Bun.nanoseconds();
    const result = evaluate(states, readingsFrom(snap, config), i * 30_000, rules);
    engineNs += Bun.nanoseconds() - e0;
    states = result.states;
  }
  const totalUs = (Bun.nanoseconds() - t0) / n / 1000;
  report(`alert tick, 20 devices: snapshot + engine (mean of ${n})`, `${totalUs.toFixed(1)} µs`);
  report("  of which readings + rule engine", `${(engineNs / n / 1000).toFixed(1)} µs`);
}

if (import.meta.main) await benchAlerts();
