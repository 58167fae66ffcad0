import { afterEach, describe, expect, test } from "bun:test";
import { startLocalBotApi } from "../../../src/console/local-api/server.ts";
import type { BotEvent, BotMessage } from "../../../src/console/local-api/state.ts";
import { alertButton } from "../../../src/features/alerts/buttons.ts";
import { systemClock } from "../../../src/shared/clock.ts";
import { openMemoryDb } from "../../../src/storage/db.ts";
import { createMetaRepo } from "../../../src/storage/meta-repo.ts";
import { createFakeSnapshots } from "../../support/fake-snapshots.ts";
import { ADMIN, type Harness, startHarness, VIEWER } from "../../support/harness.ts";

const CONFIG = `
telegram:
  admins: [${ADMIN.id}]
  viewers: [${VIEWER.id}]
  alert_chats: [${ADMIN.id}]
monitored_devices:
  - { name: data, path: /data, alert_threshold: 80, critical_threshold: 90 }
alerts:
  check: "0 0 1 1 *"
  repeat: 1s
`;

let h: Harness | undefined;
const servers: ReturnType<typeof startLocalBotApi>[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const s of servers.splice(0)) await s.stop();
});

async function setup(db = openMemoryDb(), api = startLocalBotApi()) {
  servers.push(api);
  const disk = createFakeSnapshots({ data: 10 });
  // The admin started the bot long ago: the alert chat exists.
  api.openChat(ADMIN.id, ADMIN);
  api.openChat(VIEWER.id, VIEWER);
  const harness = await startHarness(CONFIG, { db, api, app: { snapshotter: disk.snapshotter } });
  h = harness;
  return { disk, h: harness, tick: () => harness.app.alerts.monitor.tick() };
}

const textOf = (e: BotEvent) => (e.type === "message" || e.type === "edit" ? e.message.text : "");

describe("alerts through the local Bot API", () => {
  test("one incident message: fires after 2 checks, edited on warn→crit with a ringing reply, resolved with a quiet one", async () => {
    const { disk, h, tick } = await setup();
    disk.set("data", 85);
    await tick();
    expect(h.messagesIn(ADMIN.id)).toHaveLength(0);
    await tick();
    const incident = await h.nextMessage(ADMIN.id);
    expect(incident.text).toMatch(/^⚠️ WARN disk:data 85%\ntesthost · since \d\d:\d\d \(warn at 80%\)$/);
    expect(incident.silent).toBe(false);
    expect(incident.keyboard?.flat().map((b) => b.text)).toEqual([
      "✔️ Ack",
      "🔕 1h",
      "🔕 8h",
      "🔕 Until resolved",
    ]);
    disk.set("data", 96);
    await tick();
    await tick();
    const escalation = await h.nextMessage(ADMIN.id);
    expect(escalation).toMatchObject({
      text: "🔴 now CRIT: disk:data 96%",
      replyTo: incident.messageId,
      silent: false,
    });
    expect(h.api.state.messages.get(`${ADMIN.id}:${incident.messageId}`)?.text).toStartWith(
      "🔴 CRIT disk:data 96%",
    );
    disk.set("data", 40);
    await tick();
    const recovery = await h.nextMessage(ADMIN.id);
    expect(recovery.text).toMatch(/^✅ disk:data resolved after \d+(ms|s)$/);
    expect(recovery.silent).toBe(true);
    const edited = h.api.state.messages.get(`${ADMIN.id}:${incident.messageId}`);
    expect(edited?.text).toMatch(
      /^✅ disk:data 40%\ntesthost · \d\d:\d\d · resolved after \d+(ms|s), peak 96%$/,
    );
    expect(edited?.keyboard).toBeUndefined();
  });

  test("/status lists firing alerts at the bottom; /alerts shows states", async () => {
    const { disk, h, tick } = await setup();
    disk.set("data", null);
    await tick();
    await tick();
    await h.nextMessage(ADMIN.id);
    h.api.userSays(VIEWER.id, VIEWER, "/status");
    const status = await h.nextMessage(VIEWER.id);
    expect(status.text).toMatch(
      /🚨 Active alerts\n🔴 disk:data unreadable \(\/data: no such path\) · since \d\d:\d\d$/,
    );
    h.api.userSays(VIEWER.id, VIEWER, "/alerts");
    const alerts = await h.nextMessage(VIEWER.id);
    expect(alerts.text).toContain("🚨 Firing\n🔴 disk:data unreadable");
    expect(alerts.text).toContain("✅ memory 25%");
    expect(alerts.text).toMatch(/Next check \d\d \w{3} \d\d:\d\d · 2 checks so far$/);
    expect(alerts.keyboard ?? []).toEqual([]); // a viewer cannot mute
  });

  test("/alerts: one row of buttons per check for an admin; a tap mutes that check and redraws the list", async () => {
    const { h, tick } = await setup();
    await tick();
    h.api.userSays(ADMIN.id, ADMIN, "/alerts");
    const list = await h.nextMessage(ADMIN.id);
    expect(list.text).toMatch(/· 1 check so far$/);
    expect(list.keyboard?.map((row) => row.map((b) => b.text))).toEqual([
      ["🔕 Mute disk:data 1h"],
      ["🔕 Mute inodes:data 1h"],
      ["🔕 Mute load 1h"],
      ["🔕 Mute memory 1h"],
    ]);
    h.api.press(ADMIN.id, list.messageId, list.keyboard?.[2]?.[0]?.callback_data ?? "", ADMIN);
    const redrawn = await h.api.waitFor((e) => e.type === "edit" && e.message.messageId === list.messageId);
    expect(textOf(redrawn)).toMatch(/✅ load [\d.]+\/core · 🔕 until \d\d:\d\d/);
    expect(h.api.state.messages.get(`${ADMIN.id}:${list.messageId}`)?.keyboard?.[2]?.[0]?.text).toBe(
      "🔔 Unmute load",
    );
  });

  test("a check whose name has a space can be muted and unmuted by command", async () => {
    const api = startLocalBotApi();
    servers.push(api);
    api.openChat(ADMIN.id, ADMIN);
    const disk = createFakeSnapshots({ "Root FS": 10 });
    h = await startHarness(CONFIG.replace("name: data", '"name": "Root FS"'), {
      api,
      app: { snapshotter: disk.snapshotter },
    });
    await h.app.alerts.monitor.tick();
    const say = async (text: string) => {
      h?.api.userSays(ADMIN.id, ADMIN, text);
      return (await (h as Harness).nextMessage(ADMIN.id)).text;
    };
    expect(await say("/mute disk:Root FS 2h")).toMatch(
      /^🔕 disk:Root FS muted until \d\d \w{3} \d\d:\d\d\.$/,
    );
    expect(await say("/unmute disk:root fs")).toBe("🔔 disk:Root FS unmuted.");
    expect(await say("/mute disk:Root 2h")).toStartWith("No check named disk:Root.");
  });

  test("mute buttons: admins only; a mute stops repeats and new messages, the incident message still updates", async () => {
    const { disk, h, tick } = await setup();
    disk.set("data", 95);
    await tick();
    await tick();
    const incident = await h.nextMessage(ADMIN.id);
    h.api.press(ADMIN.id, incident.messageId, alertButton.pack({ action: "mute1h", incident: 1 }), VIEWER);
    expect(await h.api.waitFor((e) => e.type === "answer")).toMatchObject({
      text: "Only admins may do that.",
    });
    h.api.press(ADMIN.id, incident.messageId, alertButton.pack({ action: "mute1h", incident: 1 }), ADMIN);
    expect(
      await h.api.waitFor((e) => e.type === "answer" && e.text !== "Only admins may do that."),
    ).toMatchObject({
      text: expect.stringMatching(/^disk:data muted until \d\d \w{3} \d\d:\d\d$/),
    });
    // The message says who muted it and until when, and offers Unmute instead of the mutes.
    const muted = await h.api.waitFor((e) => e.type === "edit" && e.message.messageId === incident.messageId);
    expect(textOf(muted)).toMatch(/\n🔕 Muted by Ada until \d\d:\d\d$/);
    expect(
      h.api.state.messages
        .get(`${ADMIN.id}:${incident.messageId}`)
        ?.keyboard?.flat()
        .map((b) => b.text),
    ).toEqual(["✔️ Ack", "🔔 Unmute"]);
    await Bun.sleep(1100);
    await tick(); // a repeat would be due: muted
    disk.set("data", 10);
    await tick(); // resolved while muted: edit only
    await Bun.sleep(300);
    expect(h.messagesIn(ADMIN.id)).toHaveLength(1);
    expect(h.api.state.messages.get(`${ADMIN.id}:${incident.messageId}`)?.text).toStartWith(
      "✅ disk:data 10%",
    );
  });

  test("repeats arrive as quiet replies until acknowledged", async () => {
    const { disk, h, tick } = await setup();
    disk.set("data", 95);
    await tick();
    await tick();
    const incident = await h.nextMessage(ADMIN.id);
    await Bun.sleep(1100);
    await tick();
    const repeat = await h.nextMessage(ADMIN.id);
    expect(repeat).toMatchObject({ replyTo: incident.messageId, silent: true });
    expect(repeat.text).toMatch(/^🔁 still CRIT: disk:data 95% for \d+s$/);
    h.api.press(ADMIN.id, incident.messageId, alertButton.pack({ action: "ack", incident: 1 }), ADMIN);
    await h.api.waitFor((e) => e.type === "answer" && e.text === "Acknowledged: no more repeats.");
    const acked = await h.api.waitFor((e) => e.type === "edit" && e.message.messageId === incident.messageId);
    expect(textOf(acked)).toEndWith("\n✔️ Acknowledged by Ada");
    expect(
      h.api.state.messages
        .get(`${ADMIN.id}:${incident.messageId}`)
        ?.keyboard?.flat()
        .map((b) => b.text),
    ).toEqual(["🔕 1h", "🔕 8h", "🔕 Until resolved"]);
    await Bun.sleep(1100);
    await tick();
    await Bun.sleep(300);
    expect(h.messagesIn(ADMIN.id)).toHaveLength(2);
  });

  test("/mute and /unmute with their usage lines", async () => {
    const { h, tick } = await setup();
    await tick();
    const say = async (text: string) => {
      h.api.userSays(ADMIN.id, ADMIN, text);
      return (await h.nextMessage(ADMIN.id)).text;
    };
    expect(await say("/mute")).toStartWith("Usage: /mute CHECK DURATION");
    expect(await say("/mute disk:data soon")).toStartWith("Usage: /mute CHECK DURATION");
    expect(await say("/mute nope 1h")).toBe(
      "No check named nope. Checks: disk:data, inodes:data, load, memory",
    );
    expect(await say("/mute disk:data 2h")).toMatch(/^🔕 disk:data muted until \d\d \w{3} \d\d:\d\d\.$/);
    expect(await say("/mute load resolved")).toBe("🔕 load muted until its incident resolves.");
    expect(await say("/unmute disk:data")).toBe("🔔 disk:data unmuted.");
    expect(await say("/unmute disk:data")).toBe("disk:data was not muted.");
    expect(await say("/unmute MEMORY")).toBe("memory was not muted.");
    h.api.userSays(VIEWER.id, VIEWER, "/mute load 1h");
    expect((await h.nextMessage(VIEWER.id)).text).toBe("/mute needs the admin role; you are a viewer.");
  });

  test("a restart in the middle of an incident sends no duplicate, and still resolves it", async () => {
    const db = openMemoryDb();
    const api = startLocalBotApi();
    const first = await setup(db, api);
    h = undefined; // stopped by hand below, as a restart
    first.disk.set("data", 95);
    await first.tick();
    await first.tick();
    const incident = await first.h.nextMessage(ADMIN.id);
    await first.h.stop();
    const second = await setup(db, api);
    second.disk.set("data", 95);
    await second.tick();
    await second.tick();
    await Bun.sleep(300);
    expect(second.h.messagesIn(ADMIN.id)).toHaveLength(1);
    second.disk.set("data", 10);
    await second.tick();
    await second.h.nextMessage(ADMIN.id);
    expect(api.state.messages.get(`${ADMIN.id}:${incident.messageId}`)?.text).toStartWith("✅ disk:data 10%");
  });

  test("Bot API down during an incident: the messages are delivered later, in order", async () => {
    const { disk, h, tick } = await setup();
    const downUntil = Date.now() + 3000;
    h.api.faults = (method) =>
      method !== "getUpdates" && Date.now() < downUntil ? { status: 502 } : undefined;
    disk.set("data", 85);
    await tick();
    await tick();
    disk.set("data", 95);
    await tick();
    await tick();
    expect(h.messagesIn(ADMIN.id)).toHaveLength(0);
    expect(h.app.alerts.delivery.depth()).toBeGreaterThan(0);
    const escalation = await h.api.waitFor((e) => textOf(e).startsWith("🔴 now CRIT"), 20_000);
    const msgs: BotMessage[] = h.messagesIn(ADMIN.id);
    expect(Date.now()).toBeGreaterThanOrEqual(downUntil);
    expect(msgs.map((m) => m.text.split("\n")[0])).toEqual([
      "🔴 CRIT disk:data 95%",
      "🔴 now CRIT: disk:data 95%",
    ]);
    expect(escalation.type === "message" && escalation.message.replyTo).toBe(msgs[0]?.messageId);
  }, 30_000);

  test("after a long downtime the bot says so once, with the reboot when /proc/uptime shows one", async () => {
    const db = openMemoryDb();
    createMetaRepo(db, systemClock).set("alerts.heartbeat", String(Date.now() - 20 * 60_000));
    const disk = createFakeSnapshots();
    disk.setUptime(300);
    const api = startLocalBotApi();
    servers.push(api);
    api.openChat(ADMIN.id, ADMIN);
    // Checks every 30 s: 20 minutes without a heartbeat is far more than two intervals.
    const config = CONFIG.replace('check: "0 0 1 1 *"', 'check: "*/30 * * * * *"');
    h = await startHarness(config, { db, api, app: { snapshotter: disk.snapshotter } });
    const notice = await h.nextMessage(ADMIN.id);
    expect(notice.text).toMatch(
      /^🔄 Octopus restarted: checks were down from \d\d:\d\d to \d\d:\d\d \(20m\)\. The server rebooted at \d\d:\d\d\.$/,
    );
  });
});
