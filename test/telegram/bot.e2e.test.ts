import { afterEach, describe, expect, test } from "bun:test";
import { startLocalBotApi } from "../../src/console/local-api/server.ts";
import { helpButton } from "../../src/features/start-help/buttons.ts";
import { statusButton } from "../../src/features/status/buttons.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { openMemoryDb } from "../../src/storage/db.ts";
import { createInboxRepo } from "../../src/storage/inbox-repo.ts";
import { freePort } from "../support/bot-process.ts";
import { ADMIN, BASE_CONFIG, type Harness, STRANGER, startHarness, VIEWER } from "../support/harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe("access control through the local Bot API", () => {
  test("an admin gets /help with every command; the menu is registered per scope", async () => {
    h = await startHarness();
    h.api.userSays(ADMIN.id, ADMIN, "/help");
    const reply = await h.nextMessage(ADMIN.id);
    expect(reply.text).toContain("Commands (admin)");
    expect(reply.text).toContain("/whoami - Your user id and role");
    expect(reply.entities[0]).toMatchObject({ type: "bold", offset: 0 });
    // Menus are registered in the background, never in the way of a reply.
    for (let i = 0; i < 100 && h.api.state.commands.size < 2; i++) await Bun.sleep(20);
    expect(
      h.api.state.commands.get(JSON.stringify({ type: "chat", chat_id: ADMIN.id }))?.length,
    ).toBeGreaterThan(0);
    expect(h.api.state.commands.get(JSON.stringify({ type: "default" }))?.length).toBeGreaterThan(0);
  });

  test("/help lists only what a role can use: no /run for a viewer with no viewer script; /status shows its ids form", async () => {
    h = await startHarness(`${BASE_CONFIG}one_time_scripts:\n  - { name: admin_only, path: /bin/true }\n`);
    h.api.userSays(VIEWER.id, VIEWER, "/help");
    const viewer = (await h.nextMessage(VIEWER.id)).text;
    expect(viewer).not.toContain("/run");
    expect(viewer).toContain("/status [CUSTOMER_ID LOCATION_ID] - ");
    h.api.userSays(ADMIN.id, ADMIN, "/help");
    expect((await h.nextMessage(ADMIN.id)).text).toContain("/run");
    for (let i = 0; i < 100 && h.api.state.commands.size < 2; i++) await Bun.sleep(20);
    const viewerMenu = h.api.state.commands.get(JSON.stringify({ type: "default" })) ?? [];
    expect(viewerMenu.map((c) => c.command)).not.toContain("run");
  });

  test("a viewer's /whoami names the viewer role", async () => {
    h = await startHarness();
    h.api.userSays(VIEWER.id, VIEWER, "/whoami");
    expect((await h.nextMessage(VIEWER.id)).text).toBe(
      `You are Vic, Telegram user id ${VIEWER.id}, role viewer.`,
    );
  });

  test("a stranger is told their id once per hour, and no handler runs", async () => {
    h = await startHarness();
    h.api.userSays(STRANGER.id, STRANGER, "/help");
    h.api.userSays(STRANGER.id, STRANGER, "/start");
    const reply = await h.nextMessage(STRANGER.id);
    expect(reply.text).toBe(`Not authorized. Your Telegram user id is ${STRANGER.id}.`);
    await Bun.sleep(300);
    expect(h.messagesIn(STRANGER.id)).toHaveLength(1);
    expect(h.lines.filter((l) => l.includes("access denied")).length).toBe(2);
  });

  test("a stranger's command in a group is denied; an admin's in the same group works", async () => {
    h = await startHarness();
    const group = { id: -5001, type: "group" as const, title: "ops" };
    h.api.userSays(group, STRANGER, "/help@octopus_local_bot");
    expect((await h.nextMessage(group.id)).text).toBe(
      `Not authorized. Your Telegram user id is ${STRANGER.id}.`,
    );
    h.api.userSays(group, ADMIN, "/whoami");
    expect((await h.nextMessage(group.id)).text).toContain("role admin");
  });

  test("a stranger's button press is refused with a toast", async () => {
    h = await startHarness();
    h.api.userSays(ADMIN.id, ADMIN, "/start");
    const start = await h.nextMessage(ADMIN.id);
    h.api.press(ADMIN.id, start.messageId, helpButton.pack({}), STRANGER);
    const toast = await h.api.waitFor((e) => e.type === "answer");
    expect(toast).toMatchObject({ type: "answer", text: "Not authorized." });
  });

  test("forwarded commands, bots and commands for another bot are ignored", async () => {
    h = await startHarness();
    h.api.userSays(ADMIN.id, ADMIN, "/help", {
      forward_origin: { type: "user", date: 1, sender_user: STRANGER },
    });
    h.api.userSays(ADMIN.id, { ...ADMIN, is_bot: true }, "/help");
    h.api.userSays(ADMIN.id, ADMIN, "/help@some_other_bot");
    h.api.userSays(ADMIN.id, ADMIN, "/whoami");
    expect((await h.nextMessage(ADMIN.id)).text).toContain("You are Ada");
    expect(h.messagesIn(ADMIN.id)).toHaveLength(1);
  });

  test("the Help button under /start answers with the help text", async () => {
    h = await startHarness();
    h.api.userSays(ADMIN.id, ADMIN, "/start");
    const start = await h.nextMessage(ADMIN.id);
    expect(start.keyboard?.[0]).toEqual([
      { text: "🖥 Status", callback_data: statusButton.pack({ mode: "new" }) },
      { text: "❓ Help", callback_data: helpButton.pack({}) },
    ]);
    h.api.press(ADMIN.id, start.messageId, helpButton.pack({}), ADMIN);
    expect((await h.nextMessage(ADMIN.id)).text).toContain("Commands (admin)");
  });
});

describe("ordering and delivery", () => {
  test("one chat's commands are answered in the order they were sent", async () => {
    h = await startHarness();
    for (let i = 0; i < 5; i++) h.api.userSays(ADMIN.id, ADMIN, i % 2 ? "/whoami" : "/help");
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) seen.push((await h.nextMessage(ADMIN.id, 10_000)).text.slice(0, 8));
    expect(seen).toEqual(["Commands", "You are ", "Commands", "You are ", "Commands"]);
  });

  test("a 429 storm of 5 s delays messages but loses and duplicates none, in order", async () => {
    h = await startHarness();
    const stormEnds = Date.now() + 5000;
    h.api.faults = (method) =>
      method === "sendMessage" && Date.now() < stormEnds ? { status: 429, retryAfter: 1 } : undefined;
    for (let i = 0; i < 4; i++) h.api.userSays(ADMIN.id, ADMIN, i % 2 ? "/whoami" : "/help");
    const texts: string[] = [];
    for (let i = 0; i < 4; i++) texts.push((await h.nextMessage(ADMIN.id, 20_000)).text.slice(0, 8));
    expect(Date.now()).toBeGreaterThanOrEqual(stormEnds);
    expect(texts).toEqual(["Commands", "You are ", "Commands", "You are "]);
    await Bun.sleep(500);
    expect(h.messagesIn(ADMIN.id)).toHaveLength(4);
    expect(h.api.state.calls.filter((c) => c.code === 429).length).toBeGreaterThan(0);
  }, 30_000);

  test("a 20 s Bot API outage: the bot recovers by itself and answers the command sent during it", async () => {
    h = await startHarness();
    const outageEnds = Date.now() + 20_000;
    h.api.faults = () => (Date.now() < outageEnds ? { status: 502 } : undefined);
    await Bun.sleep(2500); // let the pending long poll end and fail
    h.api.userSays(ADMIN.id, ADMIN, "/whoami");
    // The poll retries with a jittered backoff of at most 30 s: a retry drawn just before the
    // outage ends can come up to 30 s after it (20 s + 30 s, plus a margin for a loaded machine).
    const reply = await h.nextMessage(ADMIN.id, 55_000);
    expect(reply.text).toContain("You are Ada");
    expect(Date.now()).toBeGreaterThanOrEqual(outageEnds);
    const outageLines = h.lines.filter((l) => l.includes("polling: Bot API error 502"));
    expect(outageLines).toHaveLength(1);
    expect(h.lines.some((l) => l.includes("Bot API reachable again"))).toBe(true);
  }, 70_000);

  test("updates a crash left stored but unhandled are handled at the next start, in order", async () => {
    const db = openMemoryDb();
    const inbox = createInboxRepo(db, systemClock, 42);
    const update = (id: number, text: string) => ({
      updateId: id,
      payload: JSON.stringify({
        update_id: id,
        message: {
          message_id: id,
          date: 1,
          chat: { id: ADMIN.id, type: "private" },
          from: { id: ADMIN.id, is_bot: false, first_name: "Ada" },
          text,
          entities: [{ type: "bot_command", offset: 0, length: text.length }],
        },
      }),
    });
    inbox.store([update(5, "/whoami"), update(6, "/help")], 7);
    const api = startLocalBotApi();
    api.openChat(ADMIN.id, ADMIN);
    h = await startHarness(undefined, { db, api });
    expect((await h.nextMessage(ADMIN.id)).text).toContain("You are Ada");
    expect((await h.nextMessage(ADMIN.id)).text).toContain("Commands (admin)");
    expect(inbox.pending()).toEqual([]);
    await h.stop();
    h = undefined;
    await api.stop();
  });

  test("a restart neither loses nor re-handles an update", async () => {
    const api = startLocalBotApi();
    const db = openMemoryDb();
    h = await startHarness(undefined, { api, db });
    h.api.userSays(ADMIN.id, ADMIN, "/whoami");
    await h.nextMessage(ADMIN.id);
    await h.app.stop();
    // Sent while the bot is down.
    h.api.userSays(ADMIN.id, ADMIN, "/help");
    await h.restart();
    expect((await h.nextMessage(ADMIN.id)).text).toContain("Commands");
    await Bun.sleep(800);
    expect(h.messagesIn(ADMIN.id).map((m) => m.text.slice(0, 8))).toEqual(["You are ", "Commands"]);
    await h.stop();
    await api.stop();
    h = undefined;
  });
});

describe("metrics cannot be grown from the chat", () => {
  test("500 distinct unknown commands from a stranger and an admin add no series", async () => {
    const port = freePort();
    h = await startHarness(`${BASE_CONFIG}http:\n  listen: 127.0.0.1:${port}\n`);
    const series = async () =>
      (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())
        .split("\n")
        .filter((l) => l.startsWith("octopus_commands_total{"));
    h.api.userSays(ADMIN.id, ADMIN, "/nosuch0");
    h.api.userSays(STRANGER.id, STRANGER, "/nosuch0");
    await h.nextMessage(ADMIN.id);
    await h.api.delivered(5000);
    await Bun.sleep(100);
    const before = await series();
    for (let i = 1; i <= 250; i++) {
      h.api.userSays(STRANGER.id, STRANGER, `/stranger_cmd_${i}`);
      h.api.userSays(ADMIN.id, ADMIN, `/admin_cmd_${i}`);
    }
    await h.api.delivered(10_000);
    await Bun.sleep(300);
    const after = await series();
    expect(after.map((l) => l.replace(/ \d+$/, ""))).toEqual(before.map((l) => l.replace(/ \d+$/, "")));
    expect(after.join("\n")).not.toContain("cmd_");
    expect(after.join("\n")).toContain('command="other",outcome="denied"');
  }, 30_000);
});

describe("first-hour answers", () => {
  test("a usage mistake counts as outcome usage, a good command as ok", async () => {
    const port = freePort();
    h = await startHarness(`${BASE_CONFIG}http:\n  listen: 127.0.0.1:${port}\n`);
    h.api.userSays(ADMIN.id, ADMIN, "/history lots");
    expect((await h.nextMessage(ADMIN.id)).text).toStartWith("Usage: /history");
    h.api.userSays(ADMIN.id, ADMIN, "/whoami");
    await h.nextMessage(ADMIN.id);
    // The counter is bumped after the reply is handed to the outbox, so the
    // reply can arrive first: read /metrics until the whoami series is there.
    const whoamiOk = 'octopus_commands_total{command="whoami",outcome="ok"}';
    let metrics = "";
    for (let i = 0; i < 50 && !metrics.includes(whoamiOk); i++) {
      if (i > 0) await Bun.sleep(100);
      metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    }
    expect(metrics).toContain('octopus_commands_total{command="history",outcome="usage"} 1');
    expect(metrics).not.toContain('octopus_commands_total{command="history",outcome="ok"}');
    expect(metrics).toContain('octopus_commands_total{command="whoami",outcome="ok"} 1');
  });

  test("/servers without servers says there are none and how to add one; it is not in /help", async () => {
    h = await startHarness();
    h.api.userSays(ADMIN.id, ADMIN, "/servers");
    const reply = (await h.nextMessage(ADMIN.id)).text;
    expect(reply).toStartWith("No servers yet");
    expect(reply).toContain("servers:");
    expect(reply).not.toContain("Unknown command");
    h.api.userSays(ADMIN.id, ADMIN, "/status @all");
    expect((await h.nextMessage(ADMIN.id)).text).toStartWith("No server");
    h.api.userSays(ADMIN.id, ADMIN, "/help");
    expect((await h.nextMessage(ADMIN.id)).text).not.toContain("/servers");
  });
});
