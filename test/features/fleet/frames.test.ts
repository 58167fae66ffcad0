import { describe, expect, test } from "bun:test";
import { createFrameReader, FRAME, MAX_FRAME } from "../../../src/features/fleet/frames.ts";

const start = `${FRAME}{"run":7,"script":"backup","kind":"long","startedAt":1}\n`;
const end = `${FRAME}{"end":{"status":"failed","exitCode":3,"durationMs":1500}}\n`;

describe("a server's run stream", () => {
  test("start, text, end, however the chunks fall", () => {
    const whole = `${start}line 1\nline 2\n${end}`;
    for (const size of [1, 3, 17, whole.length]) {
      const r = createFrameReader();
      const events = [];
      for (let i = 0; i < whole.length; i += size) events.push(...r.feed(whole.slice(i, i + size)));
      events.push(...r.close());
      const text = events.flatMap((e) => (e.kind === "text" ? [e.text] : [])).join("");
      expect(text).toBe("line 1\nline 2\n");
      expect(events[0]).toEqual({
        kind: "start",
        start: { run: 7, script: "backup", kind: "long", startedAt: 1 },
      });
      expect(events.at(-1)).toMatchObject({ kind: "end", end: { status: "failed", exitCode: 3 } });
    }
  });

  test("a script's own line that starts with the separator but is no frame stays text", () => {
    const r = createFrameReader();
    const events = [...r.feed(`${start}${FRAME}not json\n${FRAME}{"other":1}\n`), ...r.close()];
    expect(events.slice(1)).toEqual([{ kind: "text", text: `${FRAME}not json\n${FRAME}{"other":1}\n` }]);
  });

  test("a refusal; a last line without a newline; a very long line is passed on", () => {
    const r = createFrameReader();
    expect(r.feed(`${FRAME}{"refused":"this server has no script x"}\n`)).toEqual([
      { kind: "refused", text: "this server has no script x" },
    ]);
    expect(r.feed("partial")).toEqual([]);
    expect(r.close()).toEqual([{ kind: "text", text: "partial" }]);
    const long = "x".repeat(200 * 1024);
    expect(createFrameReader().feed(long)).toEqual([{ kind: "text", text: long }]);
  });

  test("a frame line past its bound without a newline ends the reading, however the chunks fall", () => {
    const r = createFrameReader();
    expect(r.feed(`${FRAME}{"run":1,`)).toEqual([]);
    let events: ReturnType<typeof r.feed> = [];
    for (let i = 0; i < 100 && !events.length; i++) events = r.feed('"pad":1,'.repeat(1024));
    expect(events).toEqual([{ kind: "oversize", bytes: MAX_FRAME }]);
  });
});
