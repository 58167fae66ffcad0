import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Config } from "./parse.ts";

/**
 * The state directory: `storage.dir` from the config (relative to the config file), else
 * OCTOPUS_STATE_DIR, else systemd's STATE_DIRECTORY, else ./data.
 */
export function resolveStateDir(config: Config, env: Record<string, string | undefined>): string {
  if (config.storage.dir) return resolve(dirname(config.file), config.storage.dir);
  const fromEnv = env.OCTOPUS_STATE_DIR || env.STATE_DIRECTORY?.split(":")[0];
  return resolve(fromEnv || "data");
}

/** Where `make install` puts the bot's state (the unit's StateDirectory=). */
export const INSTALLED_STATE_DIR = "/var/lib/octopus";

/**
 * `serve-ssh` on a server: sshd gives it neither the unit's STATE_DIRECTORY nor a useful
 * working directory, so after the config and the environment it uses the installed bot's
 * state when there is one: a run for the hub lands in the same history as the bot's own.
 */
export function serverStateDir(
  config: Config,
  env: Record<string, string | undefined>,
  installed = INSTALLED_STATE_DIR,
): string {
  const chosen = config.storage.dir || env.OCTOPUS_STATE_DIR || env.STATE_DIRECTORY;
  if (!chosen && existsSync(installed)) return installed;
  return resolveStateDir(config, env);
}
