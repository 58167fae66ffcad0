import type { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalBotApi } from "../../../src/console/local-api/server.ts";
import type { BotEvent, BotMessage } from "../../../src/console/local-api/state.ts";
import { openDb } from "../../../src/storage/db.ts";
import {
  canRunAlertmanager,
  freePort,
  type RealAlertmanager,
  startAlertmanager,
} from "../../support/alertmanager.ts";
import { ADMIN, type Harness, startHarness, VIEWER } from "../../support/harness.ts";

/**
 * The bridge against a real Alertmanager: alerts posted to its API are grouped there and
 * routed to the bot's webhook; each group is one message, edited as alerts fire and resolve;
 * Mute makes a silence there, Unmute expires it.
 */

const TOKEN = "am-token-7f3c9";
let h: Harness | undefined;
let am: RealAlertmanager | undefined;
afterEach(async () => {
  await h?.stop();
  await am?.stop();
  h = undefined;
  am = undefined;
});

const config = (port: number, amUrl: string) => `
telegram:
  admins: [${ADMIN.id}]
  viewers: [${VIEWER.id}]
  alert_chats: [${ADMIN.id}]
http:
  listen: 127.0.0.1:${port}
alertmanager:
  url: ${amUrl}
  routes:
    - { match: { team: db }, chats: [${VIEWER.id}] }
`;

async function setUp(api = startLocalBotApi(), db?: Database, stateDir?: string) {
  const port = freePort();
  am = await startAlertmanager({ webhook: `http://127.0.0.1:${port}/alertmanager`, token: TOKEN });
  api.openChat(ADMIN.id, ADMIN);
  api.openChat(VIEWER.id, VIEWER);
  h = await startHarness(config(port, am.url), {
    api,
    ...(db ? { db } : {}),
    ...(stateDir ? { stateDir } : {}),
    app: { alertmanagerToken: TOKEN },
  });
  return { h, am, port, webhook: `http://127.0.0.1:${port}/alertmanager` };
}

const alert = (instance: string, extra: Record<string, string> = {}, endsAt?: string) => ({
  labels: { alertname: "HighLoad", job: "node", instance, severity: "critical", ...extra },
  annotations: { summary: `load is high on ${instance}` },
  ...(endsAt ? { endsAt } : {}),
});

/** The first message or edit in `chat` whose text matches, after event `since`. */
const seen = (h: Harness, chat: number, re: RegExp, since = 0, type?: "message" | "edit") =>
  h.api
    .waitFor(
      (e: BotEvent) =>
        (e.type === "message" || e.type === "edit") &&
        (!type || e.type === type) &&
        e.message.chatId === chat &&
        re.test(e.message.text),
      20_000,
      since,
    )
    .then((e) => (e as { message: BotMessage }).message);

const button = (m: BotMessage, text: string) => {
  const b = m.keyboard?.flat().find((x) => x.text === text);
  if (!b?.callback_data) throw new Error(`no button ${text} under: ${m.text}`);
  return b.callback_data;
};

describe.skipIf(!canRunAlertmanager())("the Alertmanager bridge, with a real Alertmanager", () => {
  test("fire, a second alert in the group, Mute → a silence there, Unmute → expired, resolve: one message, edited", async () => {
    const { h, am } = await setUp();
    await am.post([alert("web1:9100")]);
    const first = await seen(h, ADMIN.id, /^🔥 HighLoad · 1 firing/);
    expect(first.text).toContain("alertname=HighLoad, job=node");
    expect(first.text).toContain("🔴 instance=web1:9100, severity=critical — load is high on web1:9100");
    expect(first.keyboard?.flat().map((b) => b.text)).toEqual(["🔕 1h", "🔕 8h", "🔕 24h"]);
    // The same group grows: its message is edited, not a second one sent.
    const before = h.api.state.events.length;
    await am.post([alert("web1:9100"), alert("web2:9100")]);
    const grown = await seen(h, ADMIN.id, /^🔥 HighLoad · 2 firing/, before);
    expect(grown.messageId).toBe(first.messageId);
    // Mute: a silence in Alertmanager with the group's labels and the Telegram user.
    const current = h.api.state.messages.get(`${ADMIN.id}:${first.messageId}`) as BotMessage;
    h.api.press(ADMIN.id, first.messageId, button(current, "🔕 1h"), ADMIN);
    const muted = await seen(
      h,
      ADMIN.id,
      /🔕 Muted by Ada until \d\d:\d\d \(a silence in Alertmanager\)/,
      before,
    );
    expect(muted.messageId).toBe(first.messageId);
    expect(muted.keyboard?.flat().map((b) => b.text)).toEqual(["🔔 Unmute"]);
    const active = (await am.silences()).filter((s) => s.status.state === "active");
    expect(active).toHaveLength(1);
    expect(active[0]?.createdBy).toBe("Ada");
    expect(active[0]?.matchers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "alertname", value: "HighLoad", isRegex: false }),
        expect.objectContaining({ name: "job", value: "node", isRegex: false }),
      ]),
    );
    await seen(h, ADMIN.id, /^🔕 Ada muted 🔥 HighLoad · 2 firing until/, before);
    // /silences lists it; a viewer sees it without buttons.
    h.api.userSays(VIEWER.id, VIEWER, "/silences");
    const listed = await seen(h, VIEWER.id, /^Active silences \(1\)/, before);
    expect(listed.text).toContain("alertname=HighLoad, job=node · by Ada");
    expect(listed.keyboard).toBeUndefined();
    // /alerts shows the group with the local checks.
    h.api.userSays(ADMIN.id, ADMIN, "/alerts");
    const alerts = await seen(h, ADMIN.id, /📣 Alertmanager/, before);
    expect(alerts.text).toContain("🔥 HighLoad · 2 firing · alertname=HighLoad, job=node · 🔕 by Ada");
    expect(alerts.keyboard?.flat().map((b) => b.text)).toContain("🔔 Unmute 🔥 HighLoad · 2 firing");
    // Unmute: the silence is expired there.
    const mutedNow = h.api.state.messages.get(`${ADMIN.id}:${first.messageId}`) as BotMessage;
    h.api.press(ADMIN.id, first.messageId, button(mutedNow, "🔔 Unmute"), ADMIN);
    await seen(h, ADMIN.id, /^🔔 Ada unmuted/, before);
    expect((await am.silences()).filter((s) => s.status.state === "active")).toEqual([]);
    // Resolve both: the same message says so, without buttons.
    const now = new Date().toISOString();
    await am.post([alert("web1:9100", {}, now), alert("web2:9100", {}, now)]);
    const resolved = await seen(h, ADMIN.id, /^✅ HighLoad · resolved/, before);
    expect(resolved.messageId).toBe(first.messageId);
    expect(resolved.keyboard).toBeUndefined();
    // Routes by labels: team=db goes to the viewer's chat only.
    const routed = h.api.state.events.length;
    await am.post([alert("db1:9100", { alertname: "DiskFull", team: "db" })]);
    const db = await seen(h, VIEWER.id, /^🔥 DiskFull · 1 firing/, routed);
    // A viewer's press on its Mute is refused; Alertmanager gets no silence.
    const silencesBefore = (await am.silences()).length;
    h.api.press(VIEWER.id, db.messageId, button(db, "🔕 1h"), VIEWER);
    await h.api.waitFor((e) => e.type === "answer" && e.text === "Only admins may do that.", 5000, routed);
    expect(await am.silences()).toHaveLength(silencesBefore);
    await Bun.sleep(1500);
    const inAdmin = h.api.state.events
      .slice(routed)
      .some((e) => e.type === "message" && e.message.chatId === ADMIN.id && /DiskFull/.test(e.message.text));
    expect(inAdmin).toBe(false);
  }, 90_000);

  test("a wrong token, a garbage body, a body of another shape: refused with 401/400, nothing sent or stored", async () => {
    const { h, webhook } = await setUp();
    const since = h.api.state.events.length;
    const post = (body: string, token = TOKEN) =>
      fetch(webhook, { method: "POST", headers: { authorization: `Bearer ${token}` }, body });
    const wrong = await post("{}", "nope");
    expect(wrong.status).toBe(401);
    expect((await fetch(webhook, { method: "POST", body: "{}" })).status).toBe(401);
    const garbage = await post("{not json");
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).toBe("the body is not JSON\n");
    const other = await post(JSON.stringify({ version: "3", alerts: [] }));
    expect(other.status).toBe(400);
    expect(await other.text()).toStartWith("not an Alertmanager webhook (version 4)");
    const half = await post(
      JSON.stringify({
        version: "4",
        groupKey: "g",
        status: "firing",
        receiver: "octopus",
        groupLabels: { alertname: "X" },
        alerts: [{ status: "firing", labels: { alertname: "X" }, startsAt: "now" }, { status: "weird" }],
      }),
    );
    expect(half.status).toBe(400);
    expect((await fetch(webhook)).status).toBe(405);
    expect((await post(`"${"x".repeat(1100 * 1024)}"`)).status).toBe(413);
    await Bun.sleep(500);
    expect(h.api.state.events.slice(since).filter((e) => e.type === "message")).toEqual([]);
    expect(h.lines.some((l) => l.includes(TOKEN))).toBe(false);
    expect(h.lines.some((l) => l.includes("wrong or missing bearer token"))).toBe(true);
  }, 60_000);

  test("a restart mid-way: the group's message is still the one edited; Alertmanager unreachable: a clear answer, no pretended mute", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "octopus-am-state-"));
    const api = startLocalBotApi();
    const db = openDb(stateDir);
    const first = await setUp(api, db, stateDir);
    await first.am.post([alert("web1:9100")]);
    const fired = await seen(first.h, ADMIN.id, /^🔥 HighLoad · 1 firing/);
    await first.h.restart();
    const since = api.state.events.length;
    const now = new Date().toISOString();
    await first.am.post([alert("web1:9100", {}, now)]);
    const resolved = await seen(first.h, ADMIN.id, /^✅ HighLoad · resolved/, since);
    expect(resolved.messageId).toBe(fired.messageId);
    // Fires again: a new episode, a new message.
    await first.am.post([alert("web1:9100")]);
    const again = await seen(first.h, ADMIN.id, /^🔥 HighLoad · 1 firing/, since, "message");
    expect(again.messageId).not.toBe(fired.messageId);
    await first.am.stop();
    am = undefined;
    const before = api.state.events.length;
    api.press(ADMIN.id, again.messageId, button(again, "🔕 1h"), ADMIN);
    const refused = await seen(first.h, ADMIN.id, /^Not muted: Alertmanager is unreachable/, before);
    expect(refused).toBeDefined();
    const msg = api.state.messages.get(`${ADMIN.id}:${again.messageId}`) as BotMessage;
    expect(msg.text).not.toContain("Muted by");
    await h?.stop();
    h = undefined;
    await api.stop();
    db.close();
  }, 90_000);

  test("Telegram down while Alertmanager notifies: the webhook answers at once, the group's message arrives later, whole", async () => {
    const { h, am } = await setUp();
    const downUntil = Date.now() + 4000;
    h.api.faults = (method) =>
      method !== "getUpdates" && Date.now() < downUntil ? { status: 502 } : undefined;
    await am.post([alert("web1:9100"), alert("web2:9100")]);
    const shown = await seen(h, ADMIN.id, /^🔥 HighLoad · 2 firing/);
    expect(Date.now()).toBeGreaterThanOrEqual(downUntil);
    // Alertmanager was answered 200 meanwhile: it shows no failed notification.
    const metrics = await (await fetch(`${am.url}/metrics`)).text();
    expect(metrics).toMatch(/alertmanager_notifications_total\{integration="webhook"[^}]*\} [1-9]/);
    expect(metrics).not.toMatch(
      /alertmanager_notifications_failed_total\{integration="webhook"[^}]*\} [1-9]/,
    );
    const sent = h.api.state.events.filter(
      (e) => e.type === "message" && e.message.chatId === ADMIN.id && /HighLoad/.test(e.message.text),
    );
    expect(sent.map((e) => e.type === "message" && e.message.messageId)).toEqual([shown.messageId]);
  }, 60_000);
});
