import { describe, expect, test } from "bun:test";
import { createManualClock } from "../../src/shared/clock.ts";
import { recentValue } from "../../src/system/recent.ts";

describe("a recent value shared by its callers", () => {
  test("callers within the age share one take; later ones take anew; a failure is not kept", async () => {
    const clock = createManualClock(0);
    let takes = 0;
    let fail = false;
    const get = recentValue(
      async () => {
        takes++;
        if (fail) throw new Error("proc unreadable");
        return takes;
      },
      clock,
      1000,
    );
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    clock.advance(999);
    expect(await get()).toBe(1);
    clock.advance(1);
    expect(await get()).toBe(2);
    clock.advance(1000);
    fail = true;
    await expect(get()).rejects.toThrow("proc unreadable");
    fail = false;
    expect(await get()).toBe(4);
  });
});
