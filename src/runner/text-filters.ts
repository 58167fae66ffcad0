/**
 * Pure text filters for script output on its way to Telegram: ANSI escape removal and
 * redaction. The log file keeps the raw bytes; only what leaves the server is filtered.
 */

// CSI sequences (colours, cursor moves), OSC sequences (titles, links) and lone escapes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal control codes is the point
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters other than tab and newline
const CONTROL = /[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]/g;

/** Removes colours and cursor control; a carriage return keeps only what followed it (progress bars). */
export function stripAnsi(text: string): string {
  return text
    .replace(ANSI, "")
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => {
      const cr = line.lastIndexOf("\r");
      return cr < 0 ? line : line.slice(cr + 1);
    })
    .join("\n")
    .replace(CONTROL, "");
}

const MASK = "[redacted]";

/** Replaces every match of the configured patterns and every secret value (≥ 4 chars). */
export function createOutputRedactor(
  patterns: readonly string[],
  secrets: readonly string[],
): (text: string) => string {
  const regexes = patterns.map((p) => new RegExp(p, "g"));
  const values = secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  if (regexes.length === 0 && values.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const value of values) if (out.includes(value)) out = out.split(value).join(MASK);
    for (const re of regexes) out = out.replace(re, MASK);
    return out;
  };
}
