/** Startup of the compiled binary to its first getUpdates, and its idle RSS. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startLocalBotApi } from "../../src/console/local-api/server.ts";
import { ms, report, summarize } from "./stats.ts";

const BINARY = resolve(import.meta.dir, "../../dist/octopus");

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function once(rss: boolean): Promise<{ startup: number; rss?: number }> {
  const api = startLocalBotApi();
  const dir = mkdtempSync(join(tmpdir(), "octopus-bench-"));
  writeFileSync(
    join(dir, "config.yaml"),
    "telegram:\n  admins: [1]\nmonitored_devices:\n  - { name: root, path: / }\n",
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
    result.rss = rssMiB(proc.pid);
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
}

if (import.meta.main) await benchStartup();
