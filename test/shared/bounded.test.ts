import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyBounded, readBounded, readTail } from "../../src/shared/bounded.ts";

/** A stream of `n` chunks of `size` bytes each, and how many were pulled from it. */
function chunks(n: number, size: number) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled === n) return c.close();
      pulled++;
      c.enqueue(new Uint8Array(size).fill(97));
    },
  });
  return { stream, pulled: () => pulled };
}

describe("reading a server's answer within a bound", () => {
  test("the whole text under the bound; undefined past it, without reading on", async () => {
    expect(await readBounded(chunks(4, 10).stream, 40)).toBe("a".repeat(40));
    const endless = chunks(1_000_000, 1024);
    expect(await readBounded(endless.stream, 10 * 1024)).toBeUndefined();
    expect(endless.pulled()).toBeLessThan(20);
  });

  test("stderr keeps its end", async () => {
    const s = new Response(`${"x".repeat(100_000)}the reason`).body as ReadableStream<Uint8Array>;
    expect(await readTail(s, 10)).toBe("the reason");
  });

  test("a file gets at most the bound, and says whether the stream fit", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "octopus-bounded-")), "log");
    expect(await copyBounded(chunks(3, 100).stream, path, 300)).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("a".repeat(300));
    const endless = chunks(1_000_000, 1024);
    expect(await copyBounded(endless.stream, path, 8 * 1024)).toBe(false);
    expect(readFileSync(path).byteLength).toBeLessThanOrEqual(8 * 1024);
    expect(endless.pulled()).toBeLessThan(20);
  });
});
