/**
 * The composition root: the only module that reads the environment, argv and signals,
 * and the only one that knows every adapter. Nothing here runs at import time except
 * the final `if (import.meta.main)`.
 */
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import exampleConfig from "../config/config.example.yaml" with { type: "text" };
import { type App, createApp } from "./app.ts";
import { parseArgs, USAGE } from "./cli/args.ts";
import { summarizeConfig } from "./cli/check-config.ts";
import { readCredentials } from "./cli/credentials.ts";
import { type CliIo, journalIo, processIo } from "./cli/io.ts";
import { openRuntime, type Runtime } from "./cli/runtime.ts";
import { statusCommand } from "./cli/status.ts";
import { loadConfig } from "./config/load.ts";
import { locateConfig, noConfigText } from "./config/locate.ts";
import { type Config, parseConfig } from "./config/parse.ts";
import { resolveStateDir } from "./config/state-dir.ts";
import { buildInfo } from "./shared/build-info.ts";
import { systemClock } from "./shared/clock.ts";
import { errorMessage, UsageError } from "./shared/errors.ts";
import { createFileSink, createLogger, type Logger, type LogSink } from "./shared/log.ts";
import { createRedactor, type Redactor } from "./shared/redact.ts";
import { setChildSubreaper, setNotDumpable } from "./system/libc.ts";
import { readRealMounts } from "./system/mounts.ts";
import { createSnapshotter } from "./system/snapshot.ts";
import { CONSOLE_USER, runConsole } from "./telegram/console.ts";
import { startLocalBotApi } from "./telegram/local-api/server.ts";
import { NO_LIMITS } from "./telegram/rate-limits.ts";

export type Env = Record<string, string | undefined>;

/** The config file for this invocation (see config/locate.ts), or undefined when there is none. */
function configFile(explicit: string | undefined, env: Env): string | undefined {
  const located = locateConfig(explicit, env, (p) => existsSync(p));
  return located.found ? located.path : undefined;
}

/** Loads the config, or prints why not (no file anywhere, or every problem in it). */
function loadOrTell(explicit: string | undefined, env: Env, io: CliIo): Config | undefined {
  const located = locateConfig(explicit, env, (p) => existsSync(p));
  if (!located.found) {
    io.err(`octopus: ${noConfigText(located.tried)}`);
    return undefined;
  }
  const loaded = loadConfig(located.path);
  if (!loaded.ok) {
    io.err(loaded.error.message);
    return undefined;
  }
  return loaded.value;
}

/** With no config at all, `octopus status` watches the root and every real mounted filesystem. */
function defaultStatusConfig(): Config {
  const parsed = parseConfig("{}\n", "(no config)");
  if (!parsed.ok) throw new Error("the empty config does not parse");
  const { config } = parsed.value;
  return {
    ...config,
    monitored_devices: readRealMounts().map((m) => ({ ...m, alert_threshold: 80, critical_threshold: 90 })),
  };
}

/** Runs one CLI invocation and returns its exit code (0 ok, 1 runtime failure, 2 usage/config). */
export async function main(argv: readonly string[], env: Env, rawIo: CliIo = processIo): Promise<number> {
  const io = journalIo(rawIo, Boolean(env.JOURNAL_STREAM));
  let command: ReturnType<typeof parseArgs>;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`octopus: ${error.message}\n\n${USAGE}`);
    return 2;
  }

  switch (command.name) {
    case "help":
      io.out(USAGE);
      return 0;
    case "version":
      io.out(`octopus ${buildInfo.version} (commit ${buildInfo.commit}, bun ${Bun.version})`);
      return 0;
    case "example-config":
      io.out(exampleConfig.trimEnd());
      return 0;
    case "check-config": {
      const config = loadOrTell(command.file, env, io);
      if (!config) return 2;
      io.out(summarizeConfig(config, config.file));
      return 0;
    }
    case "status": {
      const found = configFile(command.config, env) !== undefined;
      const config = found ? loadOrTell(command.config, env, io) : defaultStatusConfig();
      if (!config) return 2;
      return statusCommand(config, createRealSnapshotter(), command.json, io);
    }
    case "run":
    case "console": {
      // What the bot reads (the environment plus systemd credentials); scripts get only `env`.
      const bot = { ...env, ...readCredentials(env) };
      // Before any script can start: its scripts must not read the bot's memory or environment,
      // and what they orphan must stay findable by Stop.
      const hardened = setNotDumpable() && setChildSubreaper();
      if (!hardened)
        io.err("octopus: warning: prctl is unavailable; scripts can read the bot's /proc entries");
      const config = loadOrTell(command.config, bot, io);
      if (!config) return 2;
      const token = bot.TELEGRAM_TOKEN || bot.TELEGRAM_BOT_TOKEN;
      if (command.name === "run" && token) return runBot(config, bot, env, token, io);
      if (command.name === "run" && !process.stdin.isTTY) {
        io.err(
          "octopus: no TELEGRAM_TOKEN set (and stdin is not a terminal for the console): see `octopus --help`",
        );
        return 2;
      }
      if (command.name === "run") io.err("No TELEGRAM_TOKEN set: starting the local console instead.");
      return runLocalConsole(config, bot, env, io);
    }
  }
}

function createRealSnapshotter() {
  return createSnapshotter({
    clock: systemClock,
    sleep: Bun.sleep,
    fallbackCpus: navigator.hardwareConcurrency,
  });
}

function createMainLogger(config: Config, env: Env, redactor: Redactor, sinks: LogSink[]): Logger {
  return createLogger({
    level: config.log.level,
    journal: Boolean(env.JOURNAL_STREAM),
    sinks,
    redactor,
    clock: systemClock,
  });
}

/** Signals as a queue: SIGHUP reloads, SIGTERM and SIGINT stop. */
function signalQueue(): { next(): Promise<NodeJS.Signals> } {
  const waiting: NodeJS.Signals[] = [];
  let wake: (() => void) | undefined;
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    process.on(signal, () => {
      waiting.push(signal);
      wake?.();
    });
  }
  return {
    async next() {
      while (!waiting.length) await new Promise<void>((r) => (wake = r));
      return waiting.shift() as NodeJS.Signals;
    },
  };
}

/** Telling the admins something (reload results) through the running app. */
async function tellAdmins(app: App, config: Config, text: string): Promise<void> {
  await Promise.all(config.telegram.admins.map((id) => app.telegram.outbox.send(id, text)));
}

async function runBot(config: Config, env: Env, childBase: Env, token: string, io: CliIo): Promise<number> {
  const redactor = createRedactor([token]);
  const sinks: LogSink[] = [(line) => process.stdout.write(`${line}\n`)];
  if (config.log.file) sinks.push(createFileSink(config.log.file).sink);
  const log = createMainLogger(config, env, redactor, sinks);
  const runtime = await openRuntime(config, env, redactor, io);
  if (typeof runtime === "number") return runtime;
  // The last line of defence: every known failure is handled where it happens, so this is a
  // bug; an ops bot logs it and keeps answering rather than dying when it is most needed.
  process.on("unhandledRejection", (error) =>
    log.error("unhandled rejection (a bug): still running", { error }),
  );
  // Benchmarks only: measures the bot without Telegram's budget (never set this against real Telegram).
  const unlimited = env.OCTOPUS_RATE_LIMITS === "off";
  if (unlimited)
    log.warn("OCTOPUS_RATE_LIMITS=off: Telegram's send limits are not applied (benchmarks only)");
  const apiRoot = env.TELEGRAM_API_URL || "https://api.telegram.org";
  let app = createApp({
    ...appResources(config, runtime, childBase, log, redactor),
    token,
    apiRoot,
    ...(unlimited ? { limits: NO_LIMITS } : {}),
  });
  log.info("starting", {
    version: buildInfo.version,
    commit: buildInfo.commit,
    config: config.file,
    state: runtime.stateDir,
  });
  const signals = signalQueue();
  let current = config;
  void app.start().catch((error: unknown) => log.error("start failed", { error }));
  for (;;) {
    const signal = await signals.next();
    if (signal !== "SIGHUP") {
      log.info("stopping", { signal });
      break;
    }
    // The same file as at start, whichever way it was found.
    const loaded = loadConfig(config.file);
    if (!loaded.ok) {
      log.error("config reload failed: still running on the previous config", {
        errors: loaded.error.message,
      });
      await tellAdmins(
        app,
        current,
        `⚠️ Config reload failed; still running on the previous config:\n${loaded.error.message}`,
      );
      continue;
    }
    log.info("reloading config", { config: loaded.value.file });
    await app.stop({ keepRuns: true });
    current = loaded.value;
    app = createApp({
      ...appResources(current, runtime, childBase, log, redactor),
      token,
      apiRoot,
      ...(unlimited ? { limits: NO_LIMITS } : {}),
    });
    void app
      .start()
      .then(() => tellAdmins(app, current, "🔄 Config reloaded."))
      .catch((error: unknown) => log.error("start after reload failed", { error }));
  }
  // systemd waits TimeoutStopSec; we promise to be done well within 10 s whatever hangs.
  const stopped = await Promise.race([app.stop().then(() => true), Bun.sleep(9000).then(() => false)]);
  if (!stopped) log.warn("shutdown took longer than 9 s: exiting anyway");
  log.info("stopped");
  // Last: anything still finishing above may write to it until here.
  runtime.close();
  return 0;
}

/** `childBase`: the environment scripts inherit (secrets are still removed from it). */
function appResources(config: Config, runtime: Runtime, childBase: Env, log: Logger, redactor: Redactor) {
  return {
    config,
    db: runtime.db,
    clock: systemClock,
    log,
    redactor,
    snapshotter: createRealSnapshotter(),
    stateDir: runtime.stateDir,
    env: childBase,
    secretBox: runtime.secretBox,
    ...(runtime.plumeServer ? { plumeServer: runtime.plumeServer } : {}),
  };
}

async function runLocalConsole(config: Config, env: Env, childBase: Env, io: CliIo): Promise<number> {
  const api = startLocalBotApi();
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
  const app = createApp({
    ...appResources(config, runtime, childBase, log, redactor),
    token: api.token,
    apiRoot: api.url,
    extraAdmins: [CONSOLE_USER.id],
  });
  io.err(`Local Bot API on ${api.url}; bot logs go to ${join(stateDir, "console.log")}.`);
  await app.start();
  const lines = createInterface({ input: process.stdin, terminal: false });
  // Ctrl-C (SIGINT) and SIGTERM end the console exactly as Ctrl-D does: the input closes, the
  // bot stops its runs (reason shutdown, chat told), then the database closes last.
  const quit = () => lines.close();
  process.on("SIGINT", quit);
  process.on("SIGTERM", quit);
  try {
    const saveDir = join(tmpdir(), `octopus-console-${process.pid}`);
    await runConsole(api, { lines, print: (t) => process.stdout.write(t) }, saveDir, async () => {
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
  runtime.close();
  logFile.close();
  return 0;
}

if (import.meta.main) {
  main(Bun.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const priority = process.env.JOURNAL_STREAM ? "<3>" : "";
      process.stderr.write(
        `${priority}octopus: fatal: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
