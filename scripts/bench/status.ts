/**
 * One full status snapshot (load, CPU, memory, uptime, 3 devices) against spawning `df -P`
 * for the same devices; then what one more device costs, at 200 devices, against psutil's
 * `disk_usage` for the same 200 paths (when Debian's python3-psutil is installed).
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  await perDevice(snapshotter);
}

/** Microseconds per device at 200 devices: (snapshot of 200 − snapshot of 3) / 197. */
async function perDevice(snapshotter: ReturnType<typeof createSnapshotter>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "octopus-bench-devices-"));
  const many = Array.from({ length: 200 }, (_, i) => {
    const path = join(dir, `d${i}`);
    mkdirSync(path);
    return { name: `d${i}`, path, alert_threshold: 80, critical_threshold: 90 };
  });
  const time = async (devices: typeof many, n: number) => {
    for (let i = 0; i < 200; i++) await snapshotter.take(devices);
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < n; i++) await snapshotter.take(devices);
    return (Bun.nanoseconds() - t0) / n / 1000;
  };
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) rounds.push(((await time(many, 2000)) - (await time(DEVICES, 2000))) / 197);
  const ours = rounds.sort((a, b) => a - b)[2] as number;
  report("snapshot: one more device, at 200 devices (median of 5)", `${ours.toFixed(2)} µs`);
  const python = (await Bun.file("/usr/bin/python3").exists()) ? "/usr/bin/python3" : "python3";
  const script = [
    "import psutil, sys, time",
    "paths = sys.argv[1:]",
    "best = []",
    "for r in range(5):",
    "    t0 = time.perf_counter()",
    "    for i in range(200):",
    "        for p in paths: psutil.disk_usage(p)",
    "    best.append((time.perf_counter() - t0) / 200 / len(paths) * 1e6)",
    "print(sorted(best)[2])",
  ].join("\n");
  const r = Bun.spawnSync([python, "-c", script, ...many.map((d) => d.path)], { stderr: "pipe" });
  if (r.exitCode !== 0) {
    report("psutil disk_usage per device", "not run: install python3-psutil (Debian) to compare");
    return;
  }
  const theirs = Number(r.stdout.toString().trim());
  report(
    "psutil disk_usage per device, same 200 paths (median of 5)",
    `${theirs.toFixed(2)} µs (octopus ${(ours / theirs).toFixed(2)}×)`,
  );
}

if (import.meta.main) await benchStatus();
