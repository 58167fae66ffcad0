/**
 * Named errors, one per place a failure can happen. Library errors are wrapped at the
 * adapter edge (with `cause`) and never leak further; messages never carry secrets.
 */

export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted key path such as `one_time_scripts[0].timeout`; empty for file-level problems. */
  path: string;
  message: string;
}

/** Formats one issue as `FILE:LINE:COL path: message` (the path part is left out when empty). */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
    options?: ErrorOptions,
  ) {
    super(issues.map(formatConfigIssue).join("\n"), options);
  }
}

export class StorageError extends Error {
  override readonly name = "StorageError";
}

/** The Bot API answered `ok: false`. Network failures are plain errors with this as their absence. */
export class TelegramSendError extends Error {
  override readonly name = "TelegramSendError";
  constructor(
    readonly method: string,
    readonly code: number,
    readonly description: string,
    readonly parameters: { retry_after?: number; migrate_to_chat_id?: number } = {},
    options?: ErrorOptions,
  ) {
    super(`${method} failed (${code}): ${description}`, options);
  }
}

/** A usage mistake on the command line: exit code 2, the message and the usage line. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Extracts a printable message from anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
