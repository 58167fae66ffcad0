import { existsSync } from "node:fs";
import { loadConfig } from "../config/load.ts";
import { locateConfig, noConfigText } from "../config/locate.ts";
import { type Config, parseConfig } from "../config/parse.ts";
import { readRealMounts } from "../system/mounts.ts";
import type { CliIo } from "./io.ts";

/** Finding and loading the config for a subcommand (loaded only by the subcommands that need it). */

export type Env = Record<string, string | undefined>;

/** The config file for this invocation (see config/locate.ts), or undefined when there is none. */
export function configFile(explicit: string | undefined, env: Env): string | undefined {
  const located = locateConfig(explicit, env, (p) => existsSync(p));
  return located.found ? located.path : undefined;
}

/** Loads the config, or prints why not (no file anywhere, or every problem in it). */
export function loadOrTell(explicit: string | undefined, env: Env, io: CliIo): Config | undefined {
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
export function defaultStatusConfig(): Config {
  const parsed = parseConfig("{}\n", "(no config)");
  if (!parsed.ok) throw new Error("the empty config does not parse");
  const { config } = parsed.value;
  return {
    ...config,
    monitored_devices: readRealMounts().map((m) => ({ ...m, alert_threshold: 80, critical_threshold: 90 })),
  };
}
