/** One full status snapshot (load, CPU, memory, uptime, 3 devices) against spawning `df -P` for the same devices. */
import { systemClock } from "../../src/shared/clock.ts";
import { createSnapshotter } from "../../src/system/snapshot.ts";
import { report } from "./stats.ts";

const DEVICES = ["/", "/var", "/tmp"].map((path, i) => ({
  name: `d${i}`,
  path,
  alert_threshold: 80,
  critical_threshold: 90,
}));

export async function benchStatus(): Promise<void> {
  const snapshotter = createSnapshotter({ clock: systemClock, sleep: Bun.sleep });
  await snapshotter.take(DEVICES); // the first call takes the 100 ms CPU sample
  const n = 20_000;
  for (let i = 0; i < 2000; i++) await snapshotter.take(DEVICES);
  let t0 = Bun.nanoseconds();
  for (let i = 0; i < n; i++) await snapshotter.take(DEVICES);
  const snapshotUs = (Bun.nanoseconds() - t0) / n / 1000;

  const spawns = 200;
  t0 = Bun.nanoseconds();
  for (let i = 0; i < spawns; i++) Bun.spawnSync(["df", "-P", ...DEVICES.map((d) => d.path)]);
  const dfUs = (Bun.nanoseconds() - t0) / spawns / 1000;

  report(`status snapshot, 3 devices (mean of ${n})`, `${snapshotUs.toFixed(1)} µs`);
  report(`spawn df -P for the same 3 devices (mean of ${spawns})`, `${dfUs.toFixed(0)} µs`);
  report("ratio (df spawn / snapshot)", `${(dfUs / snapshotUs).toFixed(0)}x`);
}

if (import.meta.main) await benchStatus();
