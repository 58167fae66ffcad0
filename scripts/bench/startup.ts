/**
 * Startup of the compiled binary to its first getUpdates, and its idle RSS; then start-up with
 * 3 and with 200 monitored devices, interleaved (what a device costs at start).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startLocalBotApi } from "../../src/console/local-api/server.ts";
import { ms, procMiB, report, summarize } from "./stats.ts";

const BINARY = resolve(import.meta.dir, "../../dist/octopus");

/** A config with `n` monitored devices, each its own directory. */
function devicesConfig(dir: string, n: number): string {
  const lines = Array.from({ length: n }, (_, i) => {
    const path = join(dir, "mnt", `d${i}`);
    mkdirSync(path, { recursive: true });
    return `  - { name: d${i}, path: ${path}, alert_threshold: 80, critical_threshold: 90 }`;
  });
  return `telegram:\n  admins: [1]\nmonitored_devices:\n${lines.join("\n")}\n`;
}

async function once(rss: boolean, devices = 1): Promise<{ startup: number; rss?: number }> {
  const api = startLocalBotApi();
  const dir = mkdtempSync(join(tmpdir(), "octopus-bench-"));
  writeFileSync(
    join(dir, "config.yaml"),
    devices === 1
      ? "telegram:\n  admins: [1]\nmonitored_devices:\n  - { name: root, path: / }\n"
      : devicesConfig(dir, devices),
  );
  let firstPoll = 0;
  api.faults = (method) => {
    if (method === "getUpdates" && !firstPoll) firstPoll = performance.now();
    return undefined;
  };
  const t0 = performance.now();
  const proc = Bun.spawn([BINARY, "run"], {
    env: {
      PATH: process.env.PATH ?? "",
      CONFIG_FILE: join(dir, "config.yaml"),
      OCTOPUS_STATE_DIR: join(dir, "state"),
      TELEGRAM_TOKEN: api.token,
      TELEGRAM_API_URL: api.url,
    },
    stdout: "ignore",
    stderr: "ignore",
  });
  while (!firstPoll && performance.now() - t0 < 10_000) await Bun.sleep(1);
  const result: { startup: number; rss?: number } = { startup: firstPoll - t0 };
  if (rss) {
    await Bun.sleep(2000);
    result.rss = procMiB(proc.pid);
  }
  proc.kill("SIGTERM");
  await proc.exited;
  await api.stop();
  return result;
}

export async function benchStartup(): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < 10; i++) samples.push((await once(false)).startup);
  const s = summarize(samples);
  report("dist/octopus start → first getUpdates, 10 runs (p50 / max)", `${ms(s.p50)} / ${ms(s.max)}`);
  const idle = await once(true);
  report("dist/octopus idle RSS 2 s after start", `${idle.rss?.toFixed(1)} MiB`);
  const few: number[] = [];
  const many: number[] = [];
  for (let i = 0; i < 10; i++) {
    few.push((await once(false, 3)).startup);
    many.push((await once(false, 200)).startup);
  }
  const a = summarize(few).p50;
  const b = summarize(many).p50;
  report(
    "start-up, 3 / 200 monitored devices, interleaved (p50)",
    `${ms(a)} / ${ms(b)} (${(b / a).toFixed(2)}×)`,
  );
}

if (import.meta.main) await benchStartup();
