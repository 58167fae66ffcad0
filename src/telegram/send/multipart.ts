import { closeSync, openSync, readSync, statSync } from "node:fs";

/**
 * A multipart/form-data body for an upload, streamed: a file is read 64 KiB at a time as the
 * socket takes it, so a 50 MB log costs the bot tens of KiB in flight, not the file twice
 * (Bun's FormData with a Bun.file reads the whole file into memory first: +131 MiB for a
 * 67 MB file, against +18 MiB this way; scripts/bench/runner.ts). The length is known in
 * advance (Content-Length), so nothing is chunked.
 */

const CHUNK = 64 * 1024;

/** One part: text, bytes in memory, or a file on disk (read while sending). */
export type Part =
  | { name: string; text: string }
  | { name: string; fileName: string; bytes: Uint8Array }
  | { name: string; fileName: string; path: string };

/** A header value in quotes: no quote, CR or LF can end it early (as browsers encode them). */
const quoted = (s: string) => `"${s.replace(/"/g, "%22").replace(/[\r\n]/g, " ")}"`;

export function multipartBody(
  parts: readonly Part[],
  boundary = `octopus-${crypto.randomUUID()}`,
): { body: ReadableStream<Uint8Array>; contentType: string; length: number } {
  const encoder = new TextEncoder();
  type Piece = Uint8Array | { path: string; size: number };
  const pieces: Piece[] = [];
  for (const p of parts) {
    const file = "fileName" in p ? `; filename=${quoted(p.fileName)}` : "";
    const type = "fileName" in p ? "\r\nContent-Type: application/octet-stream" : "";
    pieces.push(
      encoder.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(p.name)}${file}${type}\r\n\r\n`,
      ),
    );
    if ("text" in p) pieces.push(encoder.encode(p.text));
    else if ("bytes" in p) pieces.push(p.bytes);
    else pieces.push({ path: p.path, size: statSync(p.path).size });
    pieces.push(encoder.encode("\r\n"));
  }
  pieces.push(encoder.encode(`--${boundary}--\r\n`));
  const length = pieces.reduce((n, x) => n + (x instanceof Uint8Array ? x.byteLength : x.size), 0);

  let index = 0;
  let fd: number | undefined;
  let sent = 0;
  const close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        try {
          for (;;) {
            const piece = pieces[index];
            if (piece === undefined) return controller.close();
            if (piece instanceof Uint8Array) {
              index++;
              return controller.enqueue(piece);
            }
            fd ??= openSync(piece.path, "r");
            const buffer = new Uint8Array(Math.min(CHUNK, Math.max(1, piece.size - sent)));
            const n = sent < piece.size ? readSync(fd, buffer, 0, buffer.byteLength, sent) : 0;
            sent += n;
            // The file shrank while it was sent: Content-Length would lie, so the upload fails.
            if (n === 0 && sent < piece.size) throw new Error("the file changed while it was uploaded");
            if (sent >= piece.size) {
              close();
              index++;
              sent = 0;
            }
            if (n > 0) return controller.enqueue(n === buffer.byteLength ? buffer : buffer.subarray(0, n));
          }
        } catch (error) {
          close();
          controller.error(error);
        }
      },
      cancel: close,
    },
    { highWaterMark: 0 },
  );
  return { body, contentType: `multipart/form-data; boundary=${boundary}`, length };
}
