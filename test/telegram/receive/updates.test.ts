import { describe, expect, test } from "bun:test";
import { parseUpdates } from "../../../src/telegram/receive/updates.ts";

const msg = (id: unknown) => ({ update_id: id, message: { message_id: 1, chat: { id: 1 } } });

describe("parseUpdates", () => {
  test.each([
    ["an object", {}, "getUpdates returned object, not a list of updates"],
    ["null", null, "getUpdates returned null, not a list of updates"],
    ["a string", "ok", "getUpdates returned string, not a list of updates"],
  ])("a result that is %s is not a batch", (_, result, error) => {
    expect(parseUpdates(result)).toEqual({ ok: false, error });
  });

  test("an empty list is an empty batch with no offset", () => {
    expect(parseUpdates([])).toEqual({
      ok: true,
      value: { updates: [], skipped: [], nextOffset: undefined },
    });
  });

  test("null items are skipped, good ones kept, the offset moves past the good ones", () => {
    const r = parseUpdates([null, msg(7), 3, msg(8)]);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.updates.map((u) => u.update_id)).toEqual([7, 8]);
    expect(r.value.skipped).toEqual([
      { index: 0, why: "item is null" },
      { index: 2, why: "item is number" },
    ]);
    expect(r.value.nextOffset).toBe(9);
  });

  test("a string update_id is skipped, and a numeric one still moves the offset past it", () => {
    const r = parseUpdates([msg(5), msg("12")]);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.updates.map((u) => u.update_id)).toEqual([5]);
    expect(r.value.skipped).toEqual([{ index: 1, why: 'update_id is "12"' }]);
    expect(r.value.nextOffset).toBe(13);
  });

  test.each([
    ["missing", { message: {} }, "update_id is missing"],
    ["negative", msg(-1), "update_id is -1"],
    ["fractional", msg(1.5), "update_id is 1.5"],
    ["a word", msg("abc"), 'update_id is "abc"'],
  ])("an update_id that is %s is skipped and gives no offset", (_, item, why) => {
    const r = parseUpdates([item]);
    if (!r.ok) throw new Error(r.error);
    expect(r.value).toEqual({ updates: [], skipped: [{ index: 0, why }], nextOffset: undefined });
  });
});
