/**
 * Which config file to use (pure: `exists` is injected). An explicit `-c FILE` wins, then
 * $CONFIG_FILE, then the first of ./config.yaml, ./config/config.yaml and
 * /etc/octopus/config.yaml that exists, so a binary dropped beside its config.yaml just works.
 */

export const SEARCH_PATHS = ["./config.yaml", "./config/config.yaml", "/etc/octopus/config.yaml"] as const;

export type ConfigSource = "option" | "CONFIG_FILE" | "search";

export type Located = { found: true; path: string; source: ConfigSource } | { found: false; tried: string[] };

export function locateConfig(
  explicit: string | undefined,
  env: Record<string, string | undefined>,
  exists: (path: string) => boolean,
): Located {
  if (explicit) return { found: true, path: explicit, source: "option" };
  if (env.CONFIG_FILE) return { found: true, path: env.CONFIG_FILE, source: "CONFIG_FILE" };
  for (const path of SEARCH_PATHS) if (exists(path)) return { found: true, path, source: "search" };
  return { found: false, tried: [...SEARCH_PATHS] };
}

/** What to tell the operator when no config is found. */
export function noConfigText(tried: readonly string[]): string {
  return [
    `no config file: looked for ${tried.join(", ")}.`,
    "Pass -c FILE, set CONFIG_FILE, or start from the commented example:",
    "  octopus example-config > config.yaml",
  ].join("\n");
}
