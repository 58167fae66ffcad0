import { describe, expect, test } from "bun:test";
import type { TelegramUpdate } from "gramio";
import { createManualClock } from "../../../src/shared/clock.ts";
import { openMemoryDb } from "../../../src/storage/db.ts";
import { createInboxRepo } from "../../../src/storage/inbox-repo.ts";
import { createDispatcher } from "../../../src/telegram/receive/dispatcher.ts";
import { captureLog } from "../../support/harness.ts";

const update = (id: number, chat: number) =>
  ({
    update_id: id,
    message: { message_id: id, date: 0, chat: { id: chat, type: "private" }, text: "/x" },
  }) as TelegramUpdate;

describe("the per-chat dispatcher", () => {
  test("which updates of a batch wait for their chat: a busy chat, or an earlier one of the batch", async () => {
    const inbox = createInboxRepo(openMemoryDb(), createManualClock(0), 1);
    let finish: () => void = () => {};
    const d = createDispatcher({
      inbox,
      log: captureLog().log,
      handle: (u) => (u.update_id === 1 ? new Promise<void>((r) => (finish = r)) : Promise.resolve()),
    });
    expect([...d.waiting([update(1, 10), update(2, 20), update(3, 10)])]).toEqual([3]);
    d.dispatch(update(1, 10), false);
    await Bun.sleep(1);
    // Chat 10 is busy with update 1: its next update waits; chat 20's does not.
    expect([...d.waiting([update(4, 10), update(5, 20)])]).toEqual([4]);
    finish();
    expect(await d.drain(1000)).toBe(true);
    expect([...d.waiting([update(6, 10)])]).toEqual([]);
  });
});
