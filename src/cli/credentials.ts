import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Secrets handed over by systemd's `LoadCredential=octopus.env:/etc/octopus/octopus.env`:
 * PID 1 reads the root-only file and exposes a copy under `$CREDENTIALS_DIRECTORY`, so the
 * token never sits in the bot's environment (which its scripts could read from
 * /proc/PID/environ). The file has the env-file format: `KEY=VALUE` lines, `#` comments,
 * optional quotes. Missing directory or file: no credentials (the environment is used).
 */
export const CREDENTIAL_FILE = "octopus.env";

export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = (m[2] ?? "").trim();
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] ?? "";
    else value = value.replace(/\s+#.*$/, "");
    if (value) out[m[1] as string] = value;
  }
  return out;
}

/** An env file's variables, or undefined when it cannot be read (missing, no permission). */
export function readEnvFile(path: string): Record<string, string> | undefined {
  try {
    return parseEnvFile(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

export function readCredentials(env: Record<string, string | undefined>): Record<string, string> {
  const dir = env.CREDENTIALS_DIRECTORY;
  if (!dir) return {};
  return readEnvFile(join(dir, CREDENTIAL_FILE)) ?? {};
}
