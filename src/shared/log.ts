import { closeSync, openSync, writeSync } from "node:fs";
import type { Clock } from "./clock.ts";
import { errorMessage } from "./errors.ts";
import type { Redactor } from "./redact.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** The same logger under another component name. */
  child(component: string): Logger;
}

export type LogSink = (line: string) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/** syslog priorities, so journald keeps the level when JOURNAL_STREAM is set. */
const SYSLOG: Record<LogLevel, number> = { debug: 7, info: 6, warn: 4, error: 3 };

export interface LoggerOptions {
  level: LogLevel;
  /** Under systemd: no timestamp (journald adds one), `<N>` priority prefix. */
  journal: boolean;
  sinks: LogSink[];
  redactor: Redactor;
  clock: Clock;
}

function valueText(value: unknown): string {
  if (value instanceof Error) {
    const cause = value.cause === undefined ? "" : ` (cause: ${valueText(value.cause)})`;
    return `${value.name}: ${errorMessage(value)}${cause}`;
  }
  return typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
}

const same = (text: string) => text;

/**
 * Formats `LEVEL component: message key=value…`. `clean` sees every piece of text before it
 * is quoted, so a redactor matches secrets in their raw form, not JSON-escaped.
 */
export function formatLogLine(
  level: LogLevel,
  component: string,
  message: string,
  fields?: LogFields,
  clean: (text: string) => string = same,
): string {
  let line = `${level.toUpperCase()} ${component}: ${clean(message)}`;
  if (fields) {
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      const text = clean(valueText(value));
      line += ` ${key}=${/^[^\s"=]+$/.test(text) ? text : JSON.stringify(text)}`;
    }
  }
  return line;
}

export function createLogger(options: LoggerOptions, component = "octopus"): Logger {
  const min = RANK[options.level];
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (RANK[level] < min) return;
    const line0 = formatLogLine(level, component, message, fields, options.redactor.redact);
    // Redact once more over the whole line: a secret split across a message and a field still goes.
    const body = options.redactor.redact(line0).replace(/\n/g, "\\n");
    const line = options.journal
      ? `<${SYSLOG[level]}>${body}`
      : `${new Date(options.clock.now()).toISOString()} ${body}`;
    for (const sink of options.sinks) sink(line);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (name) => createLogger(options, name),
  };
}

/** Appends lines to a file (created 0640). Sync writes: log volume is low and a crash must not lose the last line. */
export function createFileSink(path: string): { sink: LogSink; close(): void } {
  const fd = openSync(path, "a", 0o640);
  return {
    sink: (line) => {
      writeSync(fd, `${line}\n`);
    },
    close: () => closeSync(fd),
  };
}

/** A logger that drops everything: for tests that do not look at logs. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
