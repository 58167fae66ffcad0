import { afterEach, describe, expect, test } from "bun:test";
import { type LocalBotApi, startLocalBotApi } from "../../../src/console/local-api/server.ts";
import { systemClock } from "../../../src/shared/clock.ts";
import { createOutbox } from "../../../src/telegram/send/outbox.ts";
import { createOutboxQueue } from "../../../src/telegram/send/outbox-queue.ts";
import { createRateLimiter } from "../../../src/telegram/send/rate-limits.ts";
import { createTransport, toUpload } from "../../../src/telegram/send/transport.ts";
import { ADMIN, captureLog } from "../../support/harness.ts";

let api: LocalBotApi;
afterEach(async () => {
  await api?.stop();
});

function setup(maxMessages = 3) {
  api = startLocalBotApi();
  const { log, lines } = captureLog();
  const queue = createOutboxQueue({
    call: createTransport({ token: api.token, apiRoot: api.url }),
    limiter: createRateLimiter(),
    clock: systemClock,
    log,
  });
  const outbox = createOutbox({ queue, maxMessages, toUpload });
  api.userSays(ADMIN.id, ADMIN, "hi"); // opens the private chat
  return { outbox, queue, lines };
}

describe("outbox over HTTP", () => {
  test("a 10,000-character reply arrives as 3 messages of at most 4096, in order, entities intact", async () => {
    const { outbox } = setup();
    const text = Array.from(
      { length: 210 },
      (_, i) => `line ${String(i).padStart(3, "0")} ${"·".repeat(40)}`,
    ).join("\n");
    expect(text.length).toBeGreaterThan(10_000);
    const r = await outbox.send(ADMIN.id, {
      text,
      entities: [{ type: "pre", offset: 0, length: text.length }],
    });
    expect(r).toMatchObject({ ok: true, value: { asDocument: false } });
    const msgs = [...api.state.messages.values()];
    expect(msgs.length).toBe(3);
    expect(msgs.map((m) => m.text).join("")).toBe(text);
    for (const m of msgs) {
      expect(m.text.length).toBeLessThanOrEqual(4096);
      expect(m.entities).toEqual([{ type: "pre", offset: 0, length: m.text.length }]);
    }
  });

  test("text beyond the message limit goes out as a .txt document with a head/tail summary", async () => {
    const { outbox } = setup(2);
    const text = Array.from({ length: 1000 }, (_, i) => `row ${i}`)
      .join("\n")
      .padEnd(9000, ".");
    const r = await outbox.send(ADMIN.id, text);
    expect(r).toMatchObject({ ok: true, value: { asDocument: true } });
    const [doc] = [...api.state.messages.values()];
    expect(doc?.document?.fileName).toBe("output.txt");
    expect(new TextDecoder().decode(doc?.document?.content)).toBe(text);
    expect(doc?.caption).toContain("row 0");
    expect(doc?.caption).toContain("more lines");
  });

  test("queued edits of one message collapse to the newest; an identical edit makes no call", async () => {
    const { outbox } = setup();
    const sent = await outbox.send(ADMIN.id, "v0");
    const id = sent.ok ? (sent.value.messageIds[0] as number) : 0;
    // Saturate the chat's budget so the edits wait in the queue together.
    const edits = Array.from({ length: 10 }, (_, i) => outbox.edit(ADMIN.id, id, `v${i + 1}`));
    await Promise.all(edits);
    const editCalls = api.state.calls.filter((c) => c.method === "editMessageText");
    expect(editCalls.length).toBeLessThan(10);
    expect(api.state.messages.get(`${ADMIN.id}:${id}`)?.text).toBe("v10");
    const before = api.state.calls.length;
    expect(await outbox.edit(ADMIN.id, id, "v10")).toEqual({ ok: true, value: { skipped: true } });
    expect(api.state.calls.length).toBe(before);
  });

  test("alerts jump ahead of queued script output", async () => {
    const { outbox } = setup();
    const bulk = Array.from({ length: 6 }, (_, i) =>
      outbox.send(ADMIN.id, `output ${i}`, { priority: "bulk" }),
    );
    const alert = outbox.send(ADMIN.id, "ALERT", { priority: "alert" });
    await Promise.all([...bulk, alert]);
    const order = [...api.state.messages.values()].map((m) => m.text);
    expect(order.indexOf("ALERT")).toBeLessThan(order.indexOf("output 5"));
    expect(order.indexOf("ALERT")).toBeLessThanOrEqual(2);
  }, 20_000);

  test("a reply to a person goes before a backlog of 2 000 alerts; the alerts keep their order", async () => {
    const { outbox, queue } = setup();
    const alerts = Array.from({ length: 2000 }, (_, i) =>
      outbox.send(ADMIN.id, `alert ${i}`, { priority: "alert" }),
    );
    await Bun.sleep(50);
    const t0 = Date.now();
    const reply = await outbox.send(ADMIN.id, "your user id is 1", { priority: "reply" });
    expect(reply.ok).toBe(true);
    // Telegram's per-chat budget is about one message a second: behind the backlog it would
    // take half an hour; ahead of it, a few budget slots at most.
    expect(Date.now() - t0).toBeLessThan(10_000);
    const texts = [...api.state.messages.values()].map((m) => m.text);
    expect(texts.indexOf("your user id is 1")).toBeLessThan(8);
    const delivered = texts.filter((t) => t.startsWith("alert ")).map((t) => Number(t.slice(6)));
    expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
    expect(delivered[0]).toBe(0);
    // The rest are still queued, none dropped.
    expect(queue.depth()).toBeGreaterThan(1900);
    queue.stop();
    expect((await Promise.all(alerts)).filter((r) => r.ok).length).toBe(delivered.length);
  }, 30_000);

  test("a person's edit of a message whose bulk edit waits in the queue takes the reply's place", async () => {
    const { outbox } = setup();
    const sent = await outbox.send(ADMIN.id, "live 0");
    const id = sent.ok ? (sent.value.messageIds[0] as number) : 0;
    const alerts = Array.from({ length: 20 }, (_, i) =>
      outbox.send(ADMIN.id, `alert ${i}`, { priority: "alert" }),
    );
    const live = outbox.edit(ADMIN.id, id, "live 1", { priority: "bulk" });
    const final = outbox.edit(ADMIN.id, id, "✅ done", { priority: "reply" });
    await Promise.all([live, final]);
    // The edit went out as one call with the newest text, before most of the alerts.
    expect(api.state.messages.get(`${ADMIN.id}:${id}`)?.text).toBe("✅ done");
    const sentAlerts = [...api.state.messages.values()].filter((m) => m.text.startsWith("alert ")).length;
    expect(sentAlerts).toBeLessThan(20);
    await Promise.all(alerts);
  }, 60_000);

  test("a group migrated to a supergroup is followed, with a log line", async () => {
    const { outbox, queue, lines } = setup();
    api.userSays({ id: -777, type: "group", title: "ops" }, ADMIN, "hello");
    await outbox.send(-777, "before");
    const newId = api.migrate(-777);
    const r = await outbox.send(-777, "after");
    expect(r.ok).toBe(true);
    expect(queue.currentChatId(-777)).toBe(newId);
    expect([...api.state.messages.values()].filter((m) => m.chatId === newId).map((m) => m.text)).toEqual([
      "after",
    ]);
    expect(lines.some((l) => l.includes("migrated to a supergroup") && l.includes(String(newId)))).toBe(true);
  });

  test("a permanent refusal is reported, not retried", async () => {
    const { outbox } = setup();
    const r = await outbox.send(424242, "nobody there");
    expect(r).toEqual({ ok: false, error: "Bad Request: chat not found" });
    expect(api.state.calls.filter((c) => c.method === "sendMessage" && c.chatId === 424242)).toHaveLength(1);
  });

  test("5xx answers are retried until they succeed", async () => {
    const { outbox } = setup();
    let failures = 2;
    api.faults = (m) => (m === "sendMessage" && failures-- > 0 ? { status: 500 } : undefined);
    const r = await outbox.send(ADMIN.id, "eventually");
    expect(r.ok).toBe(true);
    expect(api.state.calls.filter((c) => c.method === "sendMessage").map((c) => c.ok)).toEqual([
      false,
      false,
      true,
    ]);
  });
});

describe("send rate limits, measured at the server", () => {
  test("12 messages to one private chat never exceed the burst or 1 per second", async () => {
    const { outbox } = setup();
    await Promise.all(Array.from({ length: 12 }, (_, i) => outbox.send(ADMIN.id, `m${i}`)));
    const times = api.state.calls
      .filter((c) => c.method === "sendMessage" && c.chatId === ADMIN.id)
      .map((c) => c.at);
    expect(times).toHaveLength(12);
    // Server clock and arrival jitter: allow 100 ms on the window edges.
    for (const t of times) {
      expect(times.filter((u) => u >= t && u < t + 2900).length).toBeLessThanOrEqual(3);
      expect(times.filter((u) => u >= t && u < t + 5900).length).toBeLessThanOrEqual(6);
    }
  }, 20_000);

  test("messages to many chats stay under 30 per second overall", async () => {
    const { outbox } = setup();
    const chats = Array.from({ length: 45 }, (_, i) => 50_000 + i);
    for (const id of chats) api.userSays(id, { id, first_name: `u${id}` }, "hi");
    await Promise.all(chats.map((id) => outbox.send(id, "hello")));
    const times = api.state.calls.filter((c) => c.method === "sendMessage").map((c) => c.at);
    expect(times).toHaveLength(45);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 900).length).toBeLessThanOrEqual(30);
  });
});
