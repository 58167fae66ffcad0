import { describe, expect, test } from "bun:test";
import { mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { multipartBody } from "../../../src/telegram/send/multipart.ts";

const dir = mkdtempSync(join(tmpdir(), "octopus-multipart-"));
const bytesOf = async (body: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(body).arrayBuffer());

describe("a streamed multipart body", () => {
  test("fields, bytes and a file, read back by a standard parser; the length is exact", async () => {
    const file = join(dir, "log.txt");
    const text = "line\n".repeat(50_000); // several 64 KiB reads
    writeFileSync(file, text);
    const empty = join(dir, "empty.txt");
    writeFileSync(empty, "");
    const m = multipartBody([
      { name: "chat_id", text: "42" },
      { name: "caption", text: "backup run #7 — ✅" },
      { name: "photo", fileName: "chart.png", bytes: new Uint8Array([137, 80, 78, 71]) },
      { name: "document", fileName: 'odd "name"\r\n.txt', path: file },
      { name: "nothing", fileName: "empty.txt", path: empty },
    ]);
    const raw = await bytesOf(m.body);
    expect(raw.byteLength).toBe(m.length);
    const form = await new Response(raw, { headers: { "content-type": m.contentType } }).formData();
    expect(form.get("chat_id")).toBe("42");
    expect(form.get("caption")).toBe("backup run #7 — ✅");
    const doc = form.get("document") as File;
    expect(doc.name).toBe("odd %22name%22  .txt");
    expect(await doc.text()).toBe(text);
    expect([...new Uint8Array(await (form.get("photo") as File).arrayBuffer())]).toEqual([137, 80, 78, 71]);
    expect((form.get("nothing") as File).size).toBe(0);
  });

  test("a file that shrinks while it is sent fails the upload instead of sending a short body", async () => {
    const file = join(dir, "shrinking.txt");
    writeFileSync(file, "x".repeat(300_000));
    const m = multipartBody([{ name: "document", fileName: "a.txt", path: file }]);
    const reader = m.body.getReader();
    await reader.read(); // the part's header
    await reader.read(); // the first 64 KiB
    truncateSync(file, 1000);
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) break;
      })(),
    ).rejects.toThrow("the file changed while it was uploaded");
  });

  test("a file that is gone is an error at once, before any request", () => {
    expect(() =>
      multipartBody([{ name: "document", fileName: "a.txt", path: join(dir, "gone.txt") }]),
    ).toThrow("ENOENT");
  });
});
