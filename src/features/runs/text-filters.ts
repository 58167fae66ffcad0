/**
 * Pure text filter for script output on its way to Telegram: ANSI escape removal (redaction
 * is the one redactor's, shared/redact.ts). The log file keeps the raw bytes.
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
