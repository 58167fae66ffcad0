import { describe, expect, test } from "bun:test";
import { lastLines, outcomeLine, renderLive, withOutput } from "../../../src/features/runs/messages.ts";
import { stripAnsi } from "../../../src/features/runs/text-filters.ts";

describe("stripAnsi", () => {
  test.each([
    ["\x1b[1;31mred\x1b[0m", "red"],
    ["\x1b]0;title\x07text", "text"],
    ["a\rb\rc", "c"],
    ["line\r\nnext", "line\nnext"],
    ["bell\x07 nul\x00", "bell nul"],
    ["tab\tstays", "tab\tstays"],
  ])("%p", (input, output) => {
    expect(stripAnsi(input)).toBe(output);
  });
});

describe("messages", () => {
  test.each([
    [{ status: "succeeded", exitCode: 0 }, 2000, "✅ backup · exit 0 · 2s"],
    [{ status: "failed", exitCode: 3, signal: null }, 65_000, "⚠️ backup · exit 3 · 1m 5s"],
    [{ status: "failed", exitCode: null, signal: "SIGSEGV" }, 1000, "⚠️ backup · killed by SIGSEGV · 1s"],
    [{ status: "timed_out", timeoutMs: 300_000 }, 300_000, "⏱ backup · timed out after 5m"],
    [{ status: "stopped", by: "Ada" }, 4000, "⏹ backup · stopped by Ada after 4s"],
  ] as const)("%o", (outcome, ms, line) => {
    expect(outcomeLine("backup", outcome, ms)).toBe(line);
  });

  test("lastLines keeps whole lines that fit", () => {
    expect(lastLines("a\nbb\nccc\n", 7, 10)).toBe("bb\nccc");
    expect(lastLines("a\nb\nc\n", 100, 2)).toBe("b\nc");
  });

  test("the live view always fits one message", () => {
    const tail = Array.from({ length: 5000 }, (_, i) => `line ${i} ${"x".repeat(i % 200)}`).join("\n");
    const r = renderLive({ script: "count", elapsedMs: 65_000, lines: 5000, tail });
    expect(r.text.length).toBeLessThanOrEqual(4096);
    expect(r.text.startsWith("▶️ count · 1m 5s · 5000 lines\n")).toBe(true);
    expect(r.text.endsWith("line 4999 ")).toBe(false);
    expect(r.entities[0]?.type).toBe("pre");
  });

  test("withOutput says when there was none", () => {
    expect(withOutput("✅ x", "  \n").text).toBe("✅ x\n(no output)");
  });
});
