import { describe, expect, test } from "bun:test";
import { headTail, joinRich, splitRichText } from "../../src/shared/text.ts";

describe("splitRichText", () => {
  test("short text stays one message", () => {
    expect(splitRichText({ text: "hi", entities: [] })).toEqual([{ text: "hi", entities: [] }]);
  });

  test("a 10,000-character text splits on line boundaries into parts of at most 4096", () => {
    const line = `${"x".repeat(99)}\n`;
    const text = line.repeat(100);
    const parts = splitRichText({ text, entities: [] });
    expect(parts.length).toBe(3);
    for (const p of parts) {
      expect(p.text.length).toBeLessThanOrEqual(4096);
      expect(p.text.endsWith("\n") || p === parts.at(-1)).toBe(true);
    }
    expect(parts.map((p) => p.text).join("")).toBe(text);
  });

  test("an entity crossing a cut becomes one entity per part, none beyond its text", () => {
    const text = `${"a".repeat(4000)}\n${"b".repeat(200)}`;
    const parts = splitRichText({ text, entities: [{ type: "code", offset: 3990, length: 100 }] }, 4096);
    expect(parts.map((p) => p.entities)).toEqual([
      [{ type: "code", offset: 3990, length: 11 }],
      [{ type: "code", offset: 0, length: 89 }],
    ]);
    for (const p of parts)
      for (const e of p.entities) expect(e.offset + e.length).toBeLessThanOrEqual(p.text.length);
  });

  test("never cuts a surrogate pair", () => {
    const text = "🐙".repeat(3000);
    const parts = splitRichText({ text, entities: [] }, 4096);
    for (const p of parts) expect(p.text).toMatch(/^(🐙)+$/u);
    expect(parts.map((p) => p.text).join("")).toBe(text);
  });

  test("a single line longer than the limit is cut hard", () => {
    const parts = splitRichText({ text: "z".repeat(9000), entities: [] });
    expect(parts.map((p) => p.text.length)).toEqual([4096, 4096, 808]);
  });
});

describe("joinRich and headTail", () => {
  test("joinRich shifts entities", () => {
    expect(joinRich(["ab", { text: "cd", entities: [{ type: "bold", offset: 0, length: 2 }] }])).toEqual({
      text: "abcd",
      entities: [{ type: "bold", offset: 2, length: 2 }],
    });
  });

  test("headTail keeps the first and last lines", () => {
    const text = Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n");
    expect(headTail(text, 2)).toBe("l0\nl1\n… 16 more lines …\nl18\nl19");
  });
});
