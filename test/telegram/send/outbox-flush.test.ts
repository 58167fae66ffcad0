import { expect, test } from "bun:test";
import { type LocalBotApi, startLocalBotApi } from "../../../src/console/local-api/server.ts";
import { systemClock } from "../../../src/shared/clock.ts";
import { createOutbox } from "../../../src/telegram/send/outbox.ts";
import { createOutboxQueue } from "../../../src/telegram/send/outbox-queue.ts";
import { createRateLimiter } from "../../../src/telegram/send/rate-limits.ts";
import { createTransport, toUpload } from "../../../src/telegram/send/transport.ts";
import { ADMIN, captureLog } from "../../support/harness.ts";

/** The real queue over HTTP to a local Bot API, with Telegram's limits. */
const queueFor = (api: LocalBotApi) =>
  createOutboxQueue({
    call: createTransport({ token: api.token, apiRoot: api.url }),
    limiter: createRateLimiter(),
    clock: systemClock,
    log: captureLog().log,
  });

test("flush() called while the last call is in flight resolves as soon as it lands", async () => {
  const api = startLocalBotApi();
  api.userSays(ADMIN.id, ADMIN, "hi");
  api.faults = (m) => (m === "sendMessage" ? { delayMs: 200 } : undefined);
  const queue = queueFor(api);
  const outbox = createOutbox({ queue, toUpload });
  const sent = outbox.send(ADMIN.id, "slow");
  await Bun.sleep(50);
  const t0 = Date.now();
  expect(await outbox.flush(5000)).toBe(true);
  expect(Date.now() - t0).toBeLessThan(1000);
  expect((await sent).ok).toBe(true);
  await api.stop();
});

test("stop() past the flush bound counts what it drops, answers their callers, and takes no more", async () => {
  const api = startLocalBotApi();
  api.userSays(ADMIN.id, ADMIN, "hi");
  const queue = queueFor(api);
  const outbox = createOutbox({ queue, toUpload });
  // Private chat: a burst of 3, then one a second, so most of these are still queued.
  const sends = Array.from({ length: 8 }, (_, i) => outbox.send(ADMIN.id, `m${i}`));
  expect(await outbox.flush(100)).toBe(false);
  const dropped = queue.stop();
  expect(dropped).toBeGreaterThanOrEqual(4);
  const results = await Promise.all(sends);
  expect(results.filter((r) => !r.ok)).toHaveLength(dropped);
  expect(await outbox.send(ADMIN.id, "late")).toEqual({ ok: false, error: "the bot is shutting down" });
  await api.stop();
});

test("Bot API parameters are gramio's own types: a misspelt one does not compile (tsc checks the marked lines)", async () => {
  const api = startLocalBotApi();
  api.userSays(ADMIN.id, ADMIN, "hi");
  const queue = queueFor(api);
  const sent = await queue.enqueue({
    method: "sendMessage",
    chatId: ADMIN.id,
    priority: "normal",
    params: { text: "typed", link_preview_options: { is_disabled: true } },
  });
  expect(sent.ok).toBe(true);
  const misspelt = () =>
    queue.enqueue({
      method: "sendMessage",
      chatId: ADMIN.id,
      priority: "normal",
      // @ts-expect-error `txt` is not a sendMessage parameter
      params: { txt: "x" },
    });
  const wrongMethod = () =>
    // @ts-expect-error deleteMessage takes a message_id, not text
    queue.enqueue({ method: "deleteMessage", chatId: ADMIN.id, priority: "normal", params: { text: "x" } });
  expect([typeof misspelt, typeof wrongMethod]).toEqual(["function", "function"]);
  await api.stop();
});
