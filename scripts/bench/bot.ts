/**
 * A bot for a bench (dist/octopus by default, or another program such as the floor bot),
 * started with a config against a fresh local Bot API, ready before it returns.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type LocalBotApi, startLocalBotApi } from "../../src/console/local-api/server.ts";

const ROOT = resolve(import.meta.dir, "../..");

export interface BenchBotOptions {
  /** What to run (default: dist/octopus run, or OCTOPUS_BENCH_BINARY to compare a build). */
  argv?: string[];
  /** More environment (OCTOPUS_RATE_LIMITS=off for latency runs). */
  env?: Record<string, string>;
  /** Ready when it has set its command menu (octopus), or when it first polls (any bot). */
  ready?: "menu" | "polling";
}

export async function startBenchBot(
  name: string,
  config: (dir: string) => string,
  options: BenchBotOptions = {},
): Promise<{ dir: string; api: LocalBotApi; bot: Bun.Subprocess; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `octopus-bench-${name}-`));
  writeFileSync(join(dir, "config.yaml"), config(dir));
  const api = startLocalBotApi();
  let polling = false;
  api.faults = (method) => {
    if (method === "getUpdates") polling = true;
    return undefined;
  };
  const argv = options.argv ?? [process.env.OCTOPUS_BENCH_BINARY ?? join(ROOT, "dist/octopus"), "run"];
  const bot = Bun.spawn(argv, {
    env: {
      CONFIG_FILE: join(dir, "config.yaml"),
      OCTOPUS_STATE_DIR: join(dir, "state"),
      TELEGRAM_TOKEN: api.token,
      TELEGRAM_API_URL: api.url,
      PATH: process.env.PATH ?? "",
      ...options.env,
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  const ready = () =>
    options.ready === "polling" ? polling : api.state.calls.some((c) => c.method === "setMyCommands");
  while (!ready()) await Bun.sleep(10);
  api.faults = undefined;
  return {
    dir,
    api,
    bot,
    async stop() {
      bot.kill("SIGTERM");
      await bot.exited;
      await api.stop();
    },
  };
}
