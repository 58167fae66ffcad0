import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "../shared/errors.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { executableProblem } from "./executable.ts";
import { type Config, parseConfig } from "./parse.ts";

function fileIssue(file: string, message: string): ConfigError {
  return new ConfigError(file, [{ file, line: 0, column: 0, path: "", message }]);
}

/**
 * Reads, parses and checks a config file. Every problem comes back at once as a
 * ConfigError whose message is one `FILE:LINE:COL path: message` line per issue.
 */
export function loadConfig(file: string): Result<Config, ConfigError> {
  const absolute = resolve(file);
  let text: string;
  try {
    if (statSync(absolute).isDirectory()) return err(fileIssue(file, "is a directory, expected a YAML file"));
    text = readFileSync(absolute, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return err(fileIssue(file, "no such file (set CONFIG_FILE or pass the path)"));
    if (code === "EACCES") return err(fileIssue(file, "permission denied"));
    return err(fileIssue(file, `cannot read: ${code ?? String(cause)}`));
  }

  const parsed = parseConfig(text, file, { checkPath: executableProblem });
  return parsed.ok ? ok(parsed.value.config) : err(new ConfigError(file, parsed.error));
}
