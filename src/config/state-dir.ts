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
