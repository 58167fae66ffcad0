import { closeSync, openSync, writeSync } from "node:fs";
import { errorMessage } from "../../shared/errors.ts";
import { stripAnsi } from "./text-filters.ts";

/**
 * Where a run's output goes: the raw bytes to `runs/<id>.log` (byte for byte, capped, with
 * a marker when cut) and the filtered text (UTF-8 decoded, ANSI stripped, redacted) to
 * `runs/<id>-<script>.txt`, the file sent as the log document. Only a bounded tail stays in
 * memory, so 10 MB of output costs the bot kilobytes, not megabytes.
 *
 * Files are written with plain synchronous writes of a buffered block: a write that fails
 * (disk full) is an error we see here, not a rejected promise nobody awaits. After a failure
 * the run goes on; nothing more is written, and `saveError()` says why for the final message.
 */

const TAIL_KEEP = 16 * 1024;
const BLOCK = 64 * 1024;
const GC_EVERY = 4 * 1024 * 1024;

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
  /** Why the log files could not be written completely (undefined: they were). */
  saveError(): string | undefined;
}

/** A file written in blocks; the first failure stops it and is remembered. */
function blockFile(path: string, onError: (error: unknown) => void) {
  let fd: number | undefined;
  let buffered: Uint8Array[] = [];
  let size = 0;
  let failed = false;
  const encoder = new TextEncoder();
  const fail = (error: unknown) => {
    failed = true;
    buffered = [];
    size = 0;
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing: the first error is the one reported
      }
      fd = undefined;
    }
    onError(error);
  };
  try {
    fd = openSync(path, "w", 0o600);
  } catch (error) {
    fail(error);
  }
  const flush = () => {
    if (failed || fd === undefined || size === 0) return;
    const block = Buffer.concat(buffered, size);
    buffered = [];
    size = 0;
    try {
      for (let off = 0; off < block.byteLength; ) off += writeSync(fd, block, off);
    } catch (error) {
      fail(error);
    }
  };
  return {
    write(data: Uint8Array | string) {
      if (failed) return;
      const bytes = typeof data === "string" ? encoder.encode(data) : data;
      buffered.push(bytes);
      size += bytes.byteLength;
      if (size >= BLOCK) flush();
    },
    close() {
      flush();
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch (error) {
          if (!failed) fail(error);
        }
        fd = undefined;
      }
    },
  };
}

export function createRunOutput(options: {
  logPath: string;
  textPath: string;
  maxBytes: number;
  redact: (text: string) => string;
  /** Each filtered piece as it is produced (a server streaming a run to its hub). */
  onText?: (piece: string) => void;
}): RunOutput {
  let saveError: string | undefined;
  const onError = (error: unknown) => {
    saveError ??= errorMessage(error);
  };
  const raw = blockFile(options.logPath, onError);
  const text = blockFile(options.textPath, onError);
  const streams = {
    stdout: { decoder: new TextDecoder("utf-8", { fatal: false }), pending: "" },
    stderr: { decoder: new TextDecoder("utf-8", { fatal: false }), pending: "" },
  };
  let rawBytes = 0;
  let written = 0;
  let cut = false;
  let tail = "";
  let lineCount = 0;
  let textLength = 0;

  const emitText = (piece: string) => {
    const clean = options.redact(stripAnsi(piece));
    if (!cut) text.write(clean);
    textLength += clean.length;
    tail += clean;
    if (tail.length > TAIL_KEEP * 2) tail = tail.slice(-TAIL_KEEP);
    options.onText?.(clean);
  };
  const pendingText = () => streams.stdout.pending + streams.stderr.pending;

  return {
    write(chunk, stream) {
      const before = rawBytes;
      rawBytes += chunk.byteLength;
      // Output at full speed makes garbage faster than the collector's own pace returns it: a
      // full collection every 4 MiB of output (a few ms) keeps the bot's memory flat whatever
      // the output's size (1M lines: +46 MiB without, +22 MiB with; scripts/bench/runner.ts).
      if (Math.floor(before / GC_EVERY) !== Math.floor(rawBytes / GC_EVERY)) Bun.gc(true);
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
      // Lines are filtered whole, and each stream has its own line buffer, so a secret is never
      // split across two pieces, not even by a byte of the other stream arriving in between.
      const s = streams[stream];
      s.pending += s.decoder.decode(chunk, { stream: true });
      const end = s.pending.lastIndexOf("\n");
      if (end >= 0) {
        const complete = s.pending.slice(0, end + 1);
        s.pending = s.pending.slice(end + 1);
        for (let i = complete.indexOf("\n"); i >= 0; i = complete.indexOf("\n", i + 1)) lineCount++;
        emitText(complete);
      }
      if (s.pending.length > 64 * 1024) {
        // A "line" this long is binary or a progress bar without newlines: let it through.
        emitText(s.pending);
        s.pending = "";
      }
    },
    async close() {
      for (const s of [streams.stdout, streams.stderr]) {
        s.pending += s.decoder.decode();
        if (s.pending) {
          lineCount++;
          emitText(s.pending);
          s.pending = "";
        }
      }
      raw.close();
      text.close();
    },
    bytes: () => rawBytes,
    lines: () => lineCount,
    tail: () => tail + options.redact(stripAnsi(pendingText())),
    textLength: () => textLength + pendingText().length,
    truncated: () => cut,
    saveError: () => saveError,
  };
}
