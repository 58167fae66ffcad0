/**
 * The composition root: the only module that reads the environment, argv and signals,
 * and the only one that knows every adapter. Nothing here runs at import time except
 * the final `if (import.meta.main)`.
 */
import { existsSync } from "node:fs";
import exampleConfig from "../config/config.example.yaml" with { type: "text" };
import { parseArgs, USAGE } from "./cli/args.ts";
import { summarizeConfig } from "./cli/check-config.ts";
import { readCredentials } from "./cli/credentials.ts";
import { type CliIo, journalIo, processIo } from "./cli/io.ts";
import { createRealSnapshotter, type Env, runBot } from "./cli/serve.ts";
import { statusCommand } from "./cli/status.ts";
import { loadConfig } from "./config/load.ts";
import { locateConfig, noConfigText } from "./config/locate.ts";
import { type Config, parseConfig } from "./config/parse.ts";
import { runLocalConsole } from "./console/run.ts";
import { buildInfo } from "./shared/build-info.ts";
import { UsageError } from "./shared/errors.ts";
import { setChildSubreaper, setNotDumpable } from "./system/libc.ts";
import { readRealMounts } from "./system/mounts.ts";

export type { Env };

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
