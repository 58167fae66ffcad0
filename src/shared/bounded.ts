import { type FileSink, file } from "bun";

/**
 * Reading what another process or machine sends, bounded while it is read: a fleet server
 * (compromised, or a bug) answering without end, a webhook body, a hub's values on stdin
 * cost at most the bound, never the memory or the disk.
 */

/** The whole stream as text, or undefined as soon as it passes `max` bytes (reading stops). */
export async function readBounded(
  stream: ReadableStream<Uint8Array>,
  max: number,
): Promise<string | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The last `keep` bytes of a stream as text (stderr: what matters is its end), read to its end. */
export async function readTail(stream: ReadableStream<Uint8Array>, keep: number): Promise<string> {
  let tail = new Uint8Array(0);
  for await (const chunk of stream) {
    const joined = Buffer.concat([tail, chunk]);
    tail = joined.subarray(Math.max(0, joined.byteLength - keep));
  }
  return Buffer.from(tail).toString("utf8");
}

/** Copies a stream into a file; false as soon as it passes `max` bytes (what was written stays, for the caller to remove). */
export async function copyBounded(
  stream: ReadableStream<Uint8Array>,
  path: string,
  max: number,
): Promise<boolean> {
  const sink: FileSink = file(path).writer();
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += chunk.byteLength;
      if (size > max) return false;
      sink.write(chunk);
      await sink.flush();
    }
    return true;
  } finally {
    await sink.end();
  }
}
