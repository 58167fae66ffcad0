import { describe, expect, test } from "bun:test";
import type { TelegramUpdate } from "gramio";
import { createManualClock } from "../../../src/shared/clock.ts";
import { TelegramSendError } from "../../../src/shared/errors.ts";
import { openMemoryDb } from "../../../src/storage/db.ts";
import { createInboxRepo, type InboxRepo } from "../../../src/storage/inbox-repo.ts";
import { createPoller } from "../../../src/telegram/receive/poller.ts";
import { captureLog } from "../../support/harness.ts";

/** A Bot API whose getUpdates answers only when the test says so. */
function scriptedApi() {
  const pending: { resolve(v: unknown): void; reject(e: unknown): void; offset: number; timeout: number }[] =
    [];
  const calls: string[] = [];
  return {
    pending,
    calls,
    getMe: async () => ({ username: "octobot" }),
    deleteWebhook: async () => {
      calls.push("deleteWebhook");
      return true;
    },
    getUpdates: (offset: number, timeout: number) =>
      new Promise<unknown>((resolve, reject) => {
        calls.push(`getUpdates ${offset} ${timeout}`);
        pending.push({ resolve, reject, offset, timeout });
      }),
    async next() {
      for (let i = 0; i < 200 && pending.length === 0; i++) await Bun.sleep(1);
      const p = pending.shift();
      if (!p) throw new Error("no getUpdates call came");
      return p;
    },
  };
}

/** By default every update waits for its chat (so every one is stored). */
function setup(
  inbox?: InboxRepo,
  waiting = (batch: readonly TelegramUpdate[]) => new Set(batch.map((u) => u.update_id)),
) {
  const api = scriptedApi();
  const clock = createManualClock(1_000_000);
  const { log, lines } = captureLog();
  const dispatched: [number, boolean][] = [];
  const storage: (string | undefined)[] = [];
  const sleeps: number[] = [];
  const poller = createPoller({
    ...api,
    inbox: inbox ?? createInboxRepo(openMemoryDb(), clock, 1),
    dispatch: (u: TelegramUpdate, stored: boolean) => dispatched.push([u.update_id, stored]),
    waiting,
    onStorage: (e) => storage.push(e === undefined ? undefined : String(e)),
    log,
    clock,
    sleep: (ms) => {
      sleeps.push(ms);
      return Bun.sleep(1);
    },
    random: () => 0.5,
    pollTimeoutSeconds: 25,
    healthMarginMs: 30_000,
  });
  return { api, clock, lines, dispatched, storage, sleeps, poller };
}

describe("poller", () => {
  test("removes a webhook before the first poll", async () => {
    const s = setup();
    await s.poller.start();
    await s.api.next();
    expect(s.api.calls.slice(0, 2)).toEqual(["deleteWebhook", "getUpdates 0 25"]);
    s.poller.stop();
  });

  test("healthy from the start while the first long poll is in flight; unhealthy once it hangs past timeout + margin", async () => {
    const s = setup();
    await s.poller.start();
    await s.api.next();
    expect(s.poller.health()).toMatchObject({ ok: true, reason: "polling", lastAnswerAgoMs: 0 });
    s.clock.advance(25_000 + 30_000);
    expect(s.poller.health().ok).toBe(true);
    s.clock.advance(1000);
    expect(s.poller.health()).toMatchObject({ ok: false, reason: "getUpdates has not answered for 56 s" });
    s.poller.stop();
  });

  test("a failing Bot API is healthy within the margin and unhealthy after it, with the reason", async () => {
    const s = setup();
    await s.poller.start();
    (await s.api.next()).reject(new TelegramSendError("getUpdates", 502, "Bad Gateway"));
    await s.api.next();
    expect(s.poller.health()).toMatchObject({ ok: true, reason: "retrying: Bot API error 502: Bad Gateway" });
    s.clock.advance(60_000);
    expect(s.poller.health()).toMatchObject({
      ok: false,
      reason: "Bot API failing for 60 s: Bot API error 502: Bad Gateway",
    });
    s.poller.stop();
  });

  test("an empty answer that comes back at once gets a growing pause: the bot never spins", async () => {
    const s = setup();
    await s.poller.start();
    for (let i = 0; i < 7; i++) (await s.api.next()).resolve([]);
    // A long poll that takes its time again: no pause after it.
    const p = await s.api.next();
    s.clock.advance(25_000);
    p.resolve([]);
    await s.api.next();
    s.poller.stop();
    expect(s.sleeps).toEqual([100, 200, 400, 800, 1600, 3200, 5000]);
    expect(s.lines.filter((l) => l.includes("ignoring the timeout"))).toHaveLength(1);
  });

  test("the inbox cannot be written: the batch is confirmed first, then handled from memory, once", async () => {
    const db = openMemoryDb();
    const clock = createManualClock(0);
    const real = createInboxRepo(db, clock, 1);
    let failing = true;
    const inbox: InboxRepo = {
      ...real,
      store: (u, n) => {
        if (failing) throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
        real.store(u, n);
      },
    };
    const s = setup(inbox);
    await s.poller.start();
    (await s.api.next()).resolve([{ update_id: 10 }, { update_id: 11 }]);
    const confirm = await s.api.next();
    expect(confirm.offset).toBe(12);
    expect(confirm.timeout).toBe(0);
    confirm.resolve([]);
    for (let i = 0; i < 100 && s.dispatched.length < 2; i++) await Bun.sleep(1);
    expect(s.dispatched).toEqual([
      [10, false],
      [11, false],
    ]);
    expect(s.storage).toEqual(["Error: database or disk is full"]);
    // Space again: the next batch is stored (durable mode), and recovery is reported.
    failing = false;
    const poll = await s.api.next();
    expect(poll.offset).toBe(12);
    poll.resolve([{ update_id: 12 }]);
    for (let i = 0; i < 100 && s.dispatched.length < 3; i++) await Bun.sleep(1);
    expect(s.dispatched[2]).toEqual([12, true]);
    expect(s.storage).toEqual(["Error: database or disk is full", undefined]);
    expect(real.nextOffset()).toBe(13);
    s.poller.stop();
  });

  test("only updates that wait for their chat get an inbox row; the offset is stored either way", async () => {
    const inbox = createInboxRepo(openMemoryDb(), createManualClock(0), 1);
    const s = setup(
      inbox,
      (batch) => new Set(batch.filter((u) => u.update_id === 21).map((u) => u.update_id)),
    );
    await s.poller.start();
    (await s.api.next()).resolve([{ update_id: 20 }, { update_id: 21 }]);
    const p = await s.api.next();
    expect(p.offset).toBe(22);
    expect(s.dispatched).toEqual([
      [20, false],
      [21, true],
    ]);
    expect(inbox.pending().map((r) => r.updateId)).toEqual([21]);
    expect(inbox.nextOffset()).toBe(22);
    s.poller.stop();
  });

  test("garbage answers are skipped and logged; good updates still go through", async () => {
    const s = setup();
    await s.poller.start();
    (await s.api.next()).resolve({});
    (await s.api.next()).resolve([null, { update_id: "5" }, { update_id: 6 }]);
    const p = await s.api.next();
    expect(p.offset).toBe(7);
    expect(s.dispatched).toEqual([[6, true]]);
    expect(s.lines.some((l) => l.includes("invalid response from the Bot API (HTTP 200)"))).toBe(true);
    expect(s.lines.filter((l) => l.includes("skipped an update that is not Telegram-shaped"))).toHaveLength(
      2,
    );
    s.poller.stop();
  });
});
