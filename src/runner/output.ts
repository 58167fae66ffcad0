import type { FileSink } from "bun";
import { stripAnsi } from "./text-filters.ts";

/**
 * Where a run's output goes: the raw bytes to `runs/<id>.log` (byte for byte, capped, with
 * a marker when cut) and the filtered text (UTF-8 decoded, ANSI stripped, redacted) to
 * `runs/<id>.txt`, the file sent as the log document. Only a bounded tail stays in memory,
 * so 10 MB of output costs the bot kilobytes, not megabytes.
 */

const TAIL_KEEP = 16 * 1024;

export interface RunOutput {
  write(chunk: Uint8Array, stream: "stdout" | "stderr"): void;
  /** Flushes a last partial line and closes the files. */
  close(): Promise<void>;
  /** Raw bytes the script wrote (including any beyond the cap). */
  bytes(): number;
  lines(): number;
  /** The end of the filtered text, for the live view and the final message. */
  tail(): string;
  /** Size of the filtered text (UTF-16 units), to choose message or document. */
  textLength(): number;
  truncated(): boolean;
}

export function createRunOutput(options: {
  logPath: string;
  textPath: string;
  maxBytes: number;
  redact: (text: string) => string;
}): RunOutput {
  const raw: FileSink = Bun.file(options.logPath).writer({ highWaterMark: 256 * 1024 });
  const text: FileSink = Bun.file(options.textPath).writer({ highWaterMark: 256 * 1024 });
  const decoders = {
    stdout: new TextDecoder("utf-8", { fatal: false }),
    stderr: new TextDecoder("utf-8", { fatal: false }),
  };
  let rawBytes = 0;
  let written = 0;
  let cut = false;
  let pending = "";
  let tail = "";
  let lineCount = 0;
  let textLength = 0;

  const emitText = (piece: string) => {
    const clean = options.redact(stripAnsi(piece));
    if (!cut) text.write(clean);
    textLength += clean.length;
    tail += clean;
    if (tail.length > TAIL_KEEP * 2) tail = tail.slice(-TAIL_KEEP);
  };

  return {
    write(chunk, stream) {
      rawBytes += chunk.byteLength;
      if (!cut) {
        const room = options.maxBytes - written;
        if (chunk.byteLength <= room) {
          raw.write(chunk);
          written += chunk.byteLength;
        } else {
          if (room > 0) raw.write(chunk.subarray(0, room));
          written = options.maxBytes;
          cut = true;
          const marker = `\n[octopus: log cut at ${options.maxBytes} bytes (runner.max_log_bytes); the script kept running]\n`;
          raw.write(marker);
          text.write(marker);
        }
      }
      // Lines are filtered whole, so a pattern or a secret is never split across two pieces.
      pending += decoders[stream].decode(chunk, { stream: true });
      const end = pending.lastIndexOf("\n");
      if (end >= 0) {
        const complete = pending.slice(0, end + 1);
        pending = pending.slice(end + 1);
        for (let i = complete.indexOf("\n"); i >= 0; i = complete.indexOf("\n", i + 1)) lineCount++;
        emitText(complete);
      }
      if (pending.length > 64 * 1024) {
        // A "line" this long is binary or a progress bar without newlines: let it through.
        emitText(pending);
        pending = "";
      }
    },
    async close() {
      pending += decoders.stdout.decode() + decoders.stderr.decode();
      if (pending) {
        lineCount++;
        emitText(pending);
        pending = "";
      }
      await Promise.all([raw.end(), text.end()]);
    },
    bytes: () => rawBytes,
    lines: () => lineCount,
    tail: () => tail + options.redact(stripAnsi(pending)),
    textLength: () => textLength + pending.length,
    truncated: () => cut,
  };
}
