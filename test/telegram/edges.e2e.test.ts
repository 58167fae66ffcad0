import { afterEach, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { startLocalBotApi } from "../../src/console/local-api/server.ts";
import type { LocalUser } from "../../src/console/local-api/state.ts";
import { helpButton } from "../../src/features/start-help/buttons.ts";
import { openMemoryDb } from "../../src/storage/db.ts";
import { freePort } from "../support/bot-process.ts";
import { createFakeSnapshots } from "../support/fake-snapshots.ts";
import { ADMIN, type Harness, startHarness, VIEWER } from "../support/harness.ts";

/**
 * The Bot API misbehaving, through the real bot: failures that must stay with the failing
 * call, garbage answers, a webhook left set, a state disk that refuses writes.
 */

const SCRIPTS = resolve(import.meta.dir, "../fixtures/scripts");
let h: Harness | undefined;
const servers: ReturnType<typeof startLocalBotApi>[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const s of servers.splice(0)) await s.stop();
});

const admins: LocalUser[] = Array.from({ length: 10 }, (_, i) => ({ id: 2001 + i, first_name: `Op${i}` }));

function api() {
  const a = startLocalBotApi();
  servers.push(a);
  return a;
}

describe("one failing call never slows the others", () => {
  test("setMyCommands and answerCallbackQuery failing for good: 10 chats each get /help within 2 s", async () => {
    const a = api();
    a.faults = (method) =>
      method === "setMyCommands" || method === "answerCallbackQuery" ? { status: 500 } : undefined;
    h = await startHarness(
      `
telegram:
  admins: [${admins.map((u) => u.id).join(", ")}]
`,
      { api: a },
    );
    // A button press first: its answer fails, and must not hold anything up.
    a.openChat(admins[0]?.id as number, admins[0] as LocalUser);
    a.press(admins[0]?.id as number, 1, helpButton.pack({}), admins[0] as LocalUser);
    const sentAt = Date.now();
    const waits = admins.map((u) => {
      a.userSays(u.id, u, "/help");
      return a
        .waitFor(
          (e) => e.type === "message" && e.message.chatId === u.id && e.message.text.includes("Commands"),
          2000,
        )
        .then(() => Date.now() - sentAt);
    });
    const times = await Promise.all(waits);
    expect(Math.max(...times)).toBeLessThan(2000);
  });

  test("a document that keeps failing: /whoami after it is answered at once; the chat is told in text", async () => {
    const a = api();
    h = await startHarness(
      `
telegram:
  admins: [${ADMIN.id}]
one_time_scripts:
  - { name: hello, path: ${join(SCRIPTS, "exit-with.sh")} }
`,
      { api: a },
    );
    a.userSays(ADMIN.id, ADMIN, "/run hello");
    await h.nextMessage(ADMIN.id);
    // Past the private chat's burst window, so only the failing document and /whoami use it.
    await Bun.sleep(3100);
    a.faults = (method) => (method === "sendDocument" ? { status: 500 } : undefined);
    a.userSays(ADMIN.id, ADMIN, "/log 1");
    await Bun.sleep(300);
    const asked = Date.now();
    a.userSays(ADMIN.id, ADMIN, "/whoami");
    const who = await a.waitFor(
      (e) => e.type === "message" && e.message.text.startsWith("You are Ada"),
      5000,
    );
    expect(who.type).toBe("message");
    expect(Date.now() - asked).toBeLessThan(1500);
    const told = await a.waitFor(
      (e) => e.type === "message" && e.message.text.includes("could not be sent"),
      20_000,
    );
    if (told.type !== "message") throw new Error("unexpected");
    expect(told.message.text).toMatch(/^⚠️ The file octopus-run-1-hello\.txt \(#1 .*\) could not be sent: /);
    const attempts = a.state.calls.filter((c) => c.method === "sendDocument").length;
    expect(attempts).toBeLessThanOrEqual(4);
  }, 30_000);
});

describe("answers that are not the Bot API's", () => {
  test("garbage from getUpdates is skipped; the metric label says invalid, never NaN", async () => {
    const a = api();
    const port = freePort();
    const garbage = [
      { body: '{"ok":true,"result":[null]}' },
      { body: '{"ok":true,"result":{}}' },
      { body: '{"ok":true,"result":[{"update_id":"x1"}]}' },
      { status: 502, body: "<html><body>502 Bad Gateway</body></html>" },
    ];
    a.faults = (method) => (method === "getUpdates" ? garbage.shift() : undefined);
    h = await startHarness(
      `
telegram:
  admins: [${ADMIN.id}]
http:
  listen: 127.0.0.1:${port}
`,
      { api: a },
    );
    a.userSays(ADMIN.id, ADMIN, "/whoami");
    const reply = await h.nextMessage(ADMIN.id, 15_000);
    expect(reply.text).toStartWith("You are Ada");
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('octopus_telegram_api_errors_total{method="getUpdates",code="invalid"} 2');
    expect(metrics).not.toContain("NaN");
    expect(h.lines.filter((l) => l.includes("skipped an update that is not Telegram-shaped"))).toHaveLength(
      2,
    );
  }, 30_000);

  test("a webhook left set is removed before polling, and the bot answers", async () => {
    const a = api();
    a.state.webhook = "https://example.invalid/hook";
    h = await startHarness(BASE(), { api: a });
    a.userSays(ADMIN.id, ADMIN, "/whoami");
    expect((await h.nextMessage(ADMIN.id)).text).toStartWith("You are Ada");
    expect(a.state.webhook).toBeUndefined();
  });
});

const BASE = () => `
telegram:
  admins: [${ADMIN.id}]
  viewers: [${VIEWER.id}]
  alert_chats: [${ADMIN.id}]
monitored_devices:
  - { name: data, path: /data, alert_threshold: 80, critical_threshold: 90 }
alerts:
  check: "0 0 1 1 *"
  for: 1
one_time_scripts:
  - { name: hello, path: ${join(SCRIPTS, "exit-with.sh")} }
`;

describe("a state directory that refuses writes", () => {
  test("commands, runs and the disk alert still work from memory; recovery is logged; /healthz says which areas fail", async () => {
    const a = api();
    const db = openMemoryDb();
    const port = freePort();
    const disk = createFakeSnapshots({ data: 10 });
    a.openChat(ADMIN.id, ADMIN);
    h = await startHarness(`${BASE()}http:\n  listen: 127.0.0.1:${port}\n`, {
      api: a,
      db,
      app: { snapshotter: disk.snapshotter },
    });
    // Every write now fails as on a full disk (SQLITE_READONLY instead of SQLITE_FULL).
    db.run("PRAGMA query_only = 1");
    a.userSays(ADMIN.id, ADMIN, "/whoami");
    expect((await h.nextMessage(ADMIN.id)).text).toStartWith("You are Ada");
    a.userSays(ADMIN.id, ADMIN, "/run hello");
    expect((await h.nextMessage(ADMIN.id)).text).toStartWith("✅ hello");
    disk.set("data", 97);
    await h.app.alerts.monitor.tick();
    const alert = await a.waitFor(
      (e) => e.type === "message" && e.message.text.includes("CRIT disk:data"),
      5000,
    );
    expect(alert.type).toBe("message");
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
      ok: boolean;
      storage: { ok: boolean; failing: { area: string }[] };
    };
    expect(health.ok).toBe(true);
    expect(health.storage.ok).toBe(false);
    expect(health.storage.failing.map((f) => f.area).sort()).toEqual(
      ["alert incidents", "alert outbox", "alert states", "inbox", "run history"].sort(),
    );
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('octopus_storage_failing{area="inbox"} 1');
    // One error line per area and outage, not one per write.
    const errors = h.lines.filter((l) => l.includes("storage failing: inbox"));
    expect(errors).toHaveLength(1);
    // Writable again: durable mode resumes and says so.
    db.run("PRAGMA query_only = 0");
    a.userSays(ADMIN.id, ADMIN, "/whoami");
    await h.nextMessage(ADMIN.id);
    for (let i = 0; i < 100 && !h.lines.some((l) => l.includes("storage works again: inbox")); i++)
      await Bun.sleep(20);
    expect(h.lines.some((l) => l.includes("storage works again: inbox"))).toBe(true);
  }, 30_000);
});
