import { describe, expect, test } from "bun:test";
import { createScreen, rowsOf } from "../../src/console/screen.ts";

describe("rowsOf", () => {
  test.each([
    ["one short line", "hello", 80, 1],
    ["an empty line still takes a row", "a\n\nb", 80, 3],
    ["a line that wraps", "x".repeat(81), 80, 2],
    ["exactly the width", "x".repeat(80), 80, 1],
    ["wide characters count two", "🐙".repeat(41), 80, 2],
  ] as const)("%s", (_, text, columns, rows) => {
    expect(rowsOf(text, columns)).toBe(rows);
  });
});

describe("createScreen", () => {
  const setup = (rows = 24) => {
    let out = "";
    let prompts = 0;
    const screen = createScreen(
      { write: (t) => (out += t), columns: () => 80, rows: () => rows },
      () => prompts++,
    );
    return { screen, out: () => out, prompts: () => prompts };
  };
  const CLEAR = "\r\x1b[2K";

  test("an edit of the last message moves up over its rows and redraws it", () => {
    const s = setup();
    s.screen.message(7, "🐙 #7\nline");
    s.screen.edit(7, "🐙 #7\nline\nmore");
    expect(s.out()).toBe(`${CLEAR}🐙 #7\nline\n${CLEAR}\x1b[2A\x1b[J${CLEAR}🐙 #7\nline\nmore\n`);
    expect(s.prompts()).toBe(2);
  });

  test("an edit of an older message is printed anew (something came after it)", () => {
    const s = setup();
    s.screen.message(7, "a");
    s.screen.message(8, "b");
    s.screen.edit(7, "a2");
    expect(s.out()).toBe(`${CLEAR}a\n${CLEAR}b\n${CLEAR}a2\n`);
  });

  test("a message taller than the terminal is printed anew, not redrawn", () => {
    const s = setup(3);
    s.screen.message(7, "1\n2\n3\n4");
    s.screen.edit(7, "x");
    expect(s.out()).not.toContain("\x1b[4A");
  });
});
