import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createApp } from "../app.ts";
import type { CliIo } from "../cli/io.ts";
import { openRuntime } from "../cli/runtime.ts";
import { appResources, createMainLogger, type Env } from "../cli/serve.ts";
import type { Config } from "../config/parse.ts";
import { resolveStateDir } from "../config/state-dir.ts";
import { systemClock } from "../shared/clock.ts";
import { errorMessage } from "../shared/errors.ts";
import { createFileSink } from "../shared/log.ts";
import { createRedactor } from "../shared/redact.ts";
import { createStorageHealth } from "../storage/health.ts";
import { watchWriteLock } from "../storage/lock-watch.ts";
import { appendingScreen, CONSOLE_USER, runConsole } from "./chat.ts";
import { startLocalBotApi } from "./local-api/server.ts";
import { createScreen } from "./screen.ts";

/**
 * The config as the console runs it: alerts and scheduled-run reports go to the console's own
 * chat (the configured alert chats are real Telegram chats that the local Bot API has never
 * seen: every alert there would fail with "chat not found", and the operator would see none).
 */
export function consoleConfig(config: Config): Config {
  return { ...config, telegram: { ...config.telegram, alert_chats: [CONSOLE_USER.id] } };
}

/** `octopus console` (or `run` with no token on a terminal): the bot against a local Bot API, chatted with here. */
export async function runLocalConsole(
  configured: Config,
  env: Env,
  childBase: Env,
  io: CliIo,
): Promise<number> {
  const config = consoleConfig(configured);
  const api = startLocalBotApi();
  // The operator is in the chat from the first second: an alert before they type reaches it.
  api.openChat(CONSOLE_USER.id, CONSOLE_USER);
  const redactor = createRedactor([api.token]);
  const stateDir = resolveStateDir(config, env);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const logFile = createFileSink(join(stateDir, "console.log"));
  const log = createMainLogger(config, env, redactor, [logFile.sink]);
  const runtime = await openRuntime(config, env, redactor, io);
  if (typeof runtime === "number") {
    await api.stop();
    return runtime;
  }
  const storage = createStorageHealth(log.child("storage"), systemClock);
  const lockWatch = watchWriteLock({ db: runtime.db, storage });
  const app = createApp({
    ...appResources(config, runtime, childBase, log, redactor),
    storage,
    token: api.token,
    apiRoot: api.url,
    extraAdmins: [CONSOLE_USER.id],
  });
  io.err(`Local Bot API on ${api.url}; bot logs go to ${join(stateDir, "console.log")}.`);
  await app.start();
  const { lines, screen } = terminalOrPipe();
  // Ctrl-C (SIGINT) and SIGTERM end the console exactly as Ctrl-D does: the input closes, the
  // bot stops its runs (reason shutdown, chat told), then the database closes last.
  const quit = () => lines.close();
  lines.on("SIGINT", quit);
  process.on("SIGINT", quit);
  process.on("SIGTERM", quit);
  try {
    const saveDir = mkdtempSync(join(tmpdir(), "octopus-console-"));
    await runConsole(api, { lines, screen }, saveDir, async () => {
      await api.delivered(5000);
      await app.stop();
    });
  } catch (error) {
    io.err(`octopus: console failed: ${errorMessage(error)}`);
  }
  process.off("SIGINT", quit);
  process.off("SIGTERM", quit);
  await api.stop();
  log.info("stopped");
  lockWatch.stop();
  runtime.close();
  logFile.close();
  return 0;
}

/** On a terminal: a prompt with line editing and history, and edits redrawn in place. */
function terminalOrPipe() {
  const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const lines = createInterface({
    input: process.stdin,
    ...(tty
      ? { output: process.stdout, terminal: true, historySize: 500, prompt: "› " }
      : { terminal: false }),
  });
  if (!tty) return { lines, screen: appendingScreen((t) => process.stdout.write(t)) };
  const screen = createScreen(
    {
      write: (t) => process.stdout.write(t),
      columns: () => process.stdout.columns || 80,
      rows: () => process.stdout.rows || 24,
    },
    () => lines.prompt(true),
  );
  return { lines, screen };
}
