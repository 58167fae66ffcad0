import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { LocalBotApi } from "../../src/console/local-api/server.ts";

const ROOT = resolve(import.meta.dir, "../..");

/** A free TCP port on 127.0.0.1 (bound and released). */
export function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = s.port as number;
  s.stop(true);
  return port;
}

/** The real bot as a separate process (`bun src/main.ts run`) against a local Bot API. */
export function spawnBot(
  api: LocalBotApi,
  config: string,
  dirs: { stateDir?: string; configDir?: string; wrap?: string[] } = {},
) {
  const configDir = dirs.configDir ?? mkdtempSync(join(tmpdir(), "octopus-proc-"));
  const stateDir = dirs.stateDir ?? join(configDir, "state");
  writeFileSync(join(configDir, "config.yaml"), config);
  const proc = Bun.spawn([...(dirs.wrap ?? []), process.execPath, join(ROOT, "src/main.ts"), "run"], {
    cwd: configDir,
    env: {
      PATH: process.env.PATH ?? "",
      CONFIG_FILE: join(configDir, "config.yaml"),
      OCTOPUS_STATE_DIR: stateDir,
      TELEGRAM_TOKEN: api.token,
      TELEGRAM_API_URL: api.url,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  let output = "";
  const drain = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s) output += new TextDecoder().decode(chunk);
  };
  void drain(proc.stdout);
  void drain(proc.stderr);
  return {
    proc,
    configDir,
    stateDir,
    output: () => output,
    /** Waits until the bot has registered its menus (it is polling). */
    async ready(timeoutMs = 10_000) {
      const start = api.state.calls.filter((c) => c.method === "setMyCommands").length;
      const deadline = Date.now() + timeoutMs;
      while (
        api.state.calls.filter((c) => c.method === "setMyCommands").length <= start &&
        Date.now() < deadline
      )
        await Bun.sleep(20);
    },
    writeConfig: (text: string) => writeFileSync(join(configDir, "config.yaml"), text),
  };
}

/** Tests that mount a tmpfs in a mount namespace of the bot's own need root and unshare. */
export const canUseMountNamespace =
  process.getuid?.() === 0 && Bun.spawnSync(["sh", "-c", "command -v unshare"]).exitCode === 0;

/** `wrap` for spawnBot: the bot runs in its own mount namespace with a tmpfs of `size` at `path`. */
export const tmpfsWrap = (path: string, options: string) => [
  "unshare",
  "--mount",
  "--propagation",
  "private",
  "sh",
  "-c",
  `mount -t tmpfs -o ${options} octopus-test ${path} && exec "$@"`,
  "sh",
];
