import { describe, expect, test } from "bun:test";
import { fitsCallbackData } from "../../src/telegram/feature.ts";

describe("callback data and Telegram's 64-byte limit", () => {
  test.each([
    ["a".repeat(64), true],
    ["a".repeat(65), false],
    // Bytes, not characters: 32 two-byte letters fit, 33 do not.
    ["é".repeat(32), true],
    ["é".repeat(33), false],
  ])("%s fits: %s", (data, fits) => {
    expect(fitsCallbackData(data)).toBe(fits);
  });
});
