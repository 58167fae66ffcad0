import { closeSync, openSync, readSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "../shared/errors.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { executableProblem } from "./executable.ts";
import { type Config, parseConfig } from "./parse.ts";

/**
 * A config larger than this is refused before it is read: parsing YAML costs about a hundred
 * times its size in memory, and a reload must stay small whatever file it is pointed at. A
 * full config (every section, the most devices, hundreds of scripts) is a few hundred KiB.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

function fileIssue(file: string, message: string): ConfigError {
  return new ConfigError(file, [{ file, line: 0, column: 0, path: "", message }]);
}

function readAtMost(path: string, limit: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(limit);
    let filled = 0;
    while (filled < limit) {
      const n = readSync(fd, buffer, filled, limit - filled, null);
      if (n === 0) break;
      filled += n;
    }
    return buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(file: string): ConfigError {
  return fileIssue(file, `is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB, the most a config can be`);
}

/**
 * Reads, parses and checks a config file. Every problem comes back at once as a
 * ConfigError whose message is one `FILE:LINE:COL path: message` line per issue.
 */
export function loadConfig(file: string): Result<Config, ConfigError> {
  const absolute = resolve(file);
  let text: string;
  try {
    const st = statSync(absolute);
    if (st.isDirectory()) return err(fileIssue(file, "is a directory, expected a YAML file"));
    // A device or a pipe (a link to /dev/zero, a FIFO) could be read forever.
    if (!st.isFile()) return err(fileIssue(file, "is not a regular file, expected a YAML file"));
    if (st.size > MAX_CONFIG_BYTES) return err(tooLarge(file));
    // Read at most one byte past the bound: a file that grows after stat stops there.
    const bytes = readAtMost(absolute, MAX_CONFIG_BYTES + 1);
    if (bytes.length > MAX_CONFIG_BYTES) return err(tooLarge(file));
    text = bytes.toString("utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return err(fileIssue(file, "no such file (set CONFIG_FILE or pass the path)"));
    if (code === "EACCES") return err(fileIssue(file, "permission denied"));
    return err(fileIssue(file, `cannot read: ${code ?? String(cause)}`));
  }

  const parsed = parseConfig(text, file, { checkPath: executableProblem });
  return parsed.ok ? ok(parsed.value.config) : err(new ConfigError(file, parsed.error));
}
