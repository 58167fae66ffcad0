/**
 * The composition root: the only module that reads the environment and argv. Each subcommand
 * loads what it uses when it runs (`import()`): `--version` needs no YAML, SQLite or gramio,
 * `status` no Telegram. Nothing here runs at import time except the final `if (import.meta.main)`.
 */
import exampleConfig from "../config/config.example.yaml" with { type: "text" };
import { parseArgs, USAGE } from "./cli/args.ts";
import type { Env } from "./cli/config-io.ts";
import { type CliIo, journalIo, processIo } from "./cli/io.ts";
import { buildInfo } from "./shared/build-info.ts";
import { UsageError } from "./shared/errors.ts";

export type { Env };

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
    case "render-chart":
      return (await import("./features/history/render.ts")).renderChartCommand();
    case "serve-ssh": {
      const [{ loadOrTell }, { serveSsh }] = await Promise.all([
        import("./cli/config-io.ts"),
        import("./cli/serve-ssh.ts"),
      ]);
      const config = loadOrTell(command.config, env, io);
      if (!config) return 2;
      const { serverStateDir } = await import("./config/state-dir.ts");
      const stateDir = serverStateDir(config, env);
      const asked = env.SSH_ORIGINAL_COMMAND ?? "";
      if (/^\s*run\s/.test(asked)) {
        // As for the bot: a script must not read this process, and what it orphans stays findable.
        const { setChildSubreaper, setNotDumpable } = await import("./system/libc.ts");
        setNotDumpable();
        setChildSubreaper();
      }
      return serveSsh(config, asked, io, `octopus ${buildInfo.version}`, stateDir, env);
    }
    case "fleet": {
      const [{ loadOrTell }, { fleetCommand }] = await Promise.all([
        import("./cli/config-io.ts"),
        import("./cli/fleet.ts"),
      ]);
      const config = loadOrTell(command.config, env, io);
      if (!config) return 2;
      return fleetCommand(config, env, command.action, command.server, io);
    }
    case "check-config": {
      const [{ loadOrTell }, { summarizeConfig, serviceReadiness }, { readEnvFile }] = await Promise.all([
        import("./cli/config-io.ts"),
        import("./cli/check-config.ts"),
        import("./cli/credentials.ts"),
      ]);
      const config = loadOrTell(command.file, env, io);
      if (!config) return 2;
      io.out(summarizeConfig(config, config.file));
      if (!command.service) return 0;
      const readiness = serviceReadiness(config, readEnvFile(command.service), command.service);
      if (readiness.ready) {
        io.out("The service can start: a bot token and an admin are set.");
        return 0;
      }
      io.out(`The service cannot start yet:\n${readiness.missing.map((m) => `  - ${m}`).join("\n")}`);
      return 3;
    }
    case "status": {
      const [{ configFile, defaultStatusConfig, loadOrTell }, { statusCommand }, { createRealSnapshotter }] =
        await Promise.all([
          import("./cli/config-io.ts"),
          import("./cli/status.ts"),
          import("./cli/snapshotter.ts"),
        ]);
      const found = configFile(command.config, env) !== undefined;
      const config = found ? loadOrTell(command.config, env, io) : defaultStatusConfig();
      if (!config) return 2;
      return statusCommand(config, createRealSnapshotter(), command.json, io);
    }
    case "run":
    case "console": {
      const [{ loadOrTell }, { readCredentials }, { setChildSubreaper, setNotDumpable }] = await Promise.all([
        import("./cli/config-io.ts"),
        import("./cli/credentials.ts"),
        import("./system/libc.ts"),
      ]);
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
      if (command.name === "run" && token)
        return (await import("./cli/serve.ts")).runBot(config, bot, env, token, io);
      if (command.name === "run" && !process.stdin.isTTY) {
        io.err(
          "octopus: no TELEGRAM_TOKEN set (and stdin is not a terminal for the console): see `octopus --help`",
        );
        return 2;
      }
      if (command.name === "run") io.err("No TELEGRAM_TOKEN set: starting the local console instead.");
      return (await import("./console/run.ts")).runLocalConsole(config, bot, env, io);
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
