/**
 * The composition root: the only module that reads the environment, argv and signals,
 * and the only one that knows every adapter. Nothing here runs at import time except
 * the final `if (import.meta.main)`.
 */
import { parseArgs, USAGE } from "./cli/args.ts";
import { summarizeConfig } from "./cli/check-config.ts";
import { type CliIo, processIo } from "./cli/io.ts";
import { loadConfig } from "./config/load.ts";
import { buildInfo } from "./shared/build-info.ts";
import { UsageError } from "./shared/errors.ts";

export type Env = Record<string, string | undefined>;

function configPath(env: Env): string {
  return env.CONFIG_FILE || "config/config.yaml";
}

/** Runs one CLI invocation and returns its exit code (0 ok, 1 runtime failure, 2 usage/config). */
export async function main(argv: readonly string[], env: Env, io: CliIo = processIo): Promise<number> {
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
    case "check-config": {
      const file = command.file ?? configPath(env);
      const loaded = loadConfig(file);
      if (!loaded.ok) {
        io.err(loaded.error.message);
        return 2;
      }
      io.out(summarizeConfig(loaded.value, file));
      return 0;
    }
    default:
      io.err(`octopus: ${command.name} is not available in this build`);
      return 1;
  }
}

if (import.meta.main) {
  main(Bun.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`octopus: fatal: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
