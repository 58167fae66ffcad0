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

/** The Bot API answered `ok: false` with an error code (Telegram's own error shape). */
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

/**
 * The Bot API (or a proxy in front of it) answered something that is not a Bot API answer:
 * an HTML error page, JSON without `ok`, a result of the wrong shape. Retried like a 5xx.
 */
export class TelegramInvalidResponseError extends Error {
  override readonly name = "TelegramInvalidResponseError";
  constructor(
    readonly method: string,
    readonly httpStatus: number,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`${method}: invalid response (HTTP ${httpStatus}): ${detail}`, options);
  }
}

/** The Bot API could not be reached, or did not answer in time. */
export class TelegramNetworkError extends Error {
  override readonly name = "TelegramNetworkError";
  constructor(
    readonly method: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`${method}: ${detail}`, options);
  }
}

/** Is this a failure of the disk or database under the state directory (full, read-only, I/O)? */
export function isStorageFailure(error: unknown): boolean {
  if (error instanceof StorageError) return true;
  const e = error as { code?: unknown; errno?: unknown; name?: unknown } | undefined;
  const code = typeof e?.code === "string" ? e.code : "";
  return (
    /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|BUSY|LOCKED)/.test(code) ||
    ["ENOSPC", "EDQUOT", "EROFS", "EIO"].includes(code)
  );
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
