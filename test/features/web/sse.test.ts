import { describe, expect, test } from "bun:test";
import { createBroadcast } from "../../../src/features/web/sse.ts";

const decode = (chunks: Uint8Array[]) => chunks.map((c) => new TextDecoder().decode(c)).join("");

describe("the status broadcast", () => {
  test("one payload per key and tick, the same bytes to every subscriber; ticks only while watched", async () => {
    let composed = 0;
    const b = createBroadcast<string>({
      everyMs: 20,
      compose: async (key) => ({ key, n: ++composed }),
      onError: () => {},
    });
    const readers = [b.subscribe("admin", () => true), b.subscribe("admin", () => true)].map((s) =>
      s.getReader(),
    );
    const got = await Promise.all(readers.map(async (r) => [(await r.read()).value, (await r.read()).value]));
    // First frames are composed per subscriber (at once); the tick's frame is shared.
    expect(decode([got[0]?.[1] as Uint8Array])).toBe(decode([got[1]?.[1] as Uint8Array]));
    expect(decode([got[0]?.[0] as Uint8Array])).toStartWith('event: status\ndata: {"key":"admin"');
    for (const r of readers) await r.cancel();
    expect(b.size()).toBe(0);
    const before = composed;
    await Bun.sleep(80);
    expect(composed).toBe(before);
    b.stop();
  });

  test("a subscriber whose session ended gets `ended` and is closed", async () => {
    let valid = true;
    const b = createBroadcast<string>({ everyMs: 10, compose: async () => ({}), onError: () => {} });
    const r = b.subscribe("viewer", () => valid).getReader();
    await r.read();
    valid = false;
    let text = "";
    for (;;) {
      const { value, done } = await r.read();
      if (done) break;
      text += decode([value]);
    }
    expect(text).toContain("event: ended");
    expect(b.size()).toBe(0);
    b.stop();
  });
});
