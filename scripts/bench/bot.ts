/** dist/octopus started with a config against a fresh local Bot API, polling before it returns. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type LocalBotApi, startLocalBotApi } from "../../src/console/local-api/server.ts";

const ROOT = resolve(import.meta.dir, "../..");

export async function startBenchBot(
  name: string,
  config: (dir: string) => string,
): Promise<{ dir: string; api: LocalBotApi; bot: Bun.Subprocess; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `octopus-bench-${name}-`));
  writeFileSync(join(dir, "config.yaml"), config(dir));
  const api = startLocalBotApi();
  // OCTOPUS_BENCH_BINARY: another build to compare against (interleaved by hand).
  const bot = Bun.spawn([process.env.OCTOPUS_BENCH_BINARY ?? join(ROOT, "dist/octopus"), "run"], {
    env: {
      CONFIG_FILE: join(dir, "config.yaml"),
      OCTOPUS_STATE_DIR: join(dir, "state"),
      TELEGRAM_TOKEN: api.token,
      TELEGRAM_API_URL: api.url,
      PATH: process.env.PATH ?? "",
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  while (!api.state.calls.some((c) => c.method === "setMyCommands")) await Bun.sleep(10);
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
