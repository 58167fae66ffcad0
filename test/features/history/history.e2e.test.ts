import { afterEach, describe, expect, test } from "bun:test";
import { createFakeSnapshots } from "../../support/fake-snapshots.ts";
import { ADMIN, type Harness, startHarness } from "../../support/harness.ts";

/**
 * The history through the bot: each check is kept, /status shows the trend, and a disk that
 * fills steadily gets a forecast and the predictive alert. Time is real and short here: the
 * forecast's minimum span is 2 s (history.forecast_min_span) and the checks are run by hand.
 */
const CONFIG = `
telegram:
  admins: [${ADMIN.id}]
  alert_chats: [${ADMIN.id}]
monitored_devices:
  - { name: data, path: /data, alert_threshold: 95, critical_threshold: 99 }
alerts:
  check: "0 0 1 1 *"
  disk_full_within: 1h
history:
  forecast_min_span: 2s
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe("history through the bot", () => {
  test("a disk filling steadily: the sparkline and 'full in' in /status, and the predictive alert", async () => {
    const disk = createFakeSnapshots({ data: 40 });
    h = await startHarness(CONFIG, { app: { snapshotter: disk.snapshotter } });
    h.api.openChat(ADMIN.id, ADMIN);
    // 2 % every 200 ms: 10 %/s, 30 s from 50 % to full.
    for (let i = 0; i <= 14; i++) {
      disk.set("data", 40 + 2 * i);
      await h.app.alerts.monitor.tick();
      await Bun.sleep(200);
    }
    h.api.userSays(ADMIN.id, ADMIN, "/status");
    const status = (await h.api.waitFor((e) => e.type === "message" && e.message.text.startsWith("🖥"))) as {
      message: { text: string };
    };
    expect(status.message.text).toMatch(/\n📈 24 h\n/);
    expect(status.message.text).toMatch(/\ndata {5}[ ▁▂▃▄▅▆▇█]{16} full in ~1 min\n/);
    expect(status.message.text).toMatch(/\nload {5}[ ▁▂▃▄▅▆▇█]{16}\n/);
    const alert = await h.api.waitFor(
      (e) => e.type === "message" && e.message.text.startsWith("⚠️ WARN forecast:disk:data full in"),
    );
    expect(alert.type === "message" && alert.message.text).toMatch(
      /^⚠️ WARN forecast:disk:data full in ~\d+ min \(\+\d+\.\d\d %\/h\)\ntesthost · since \d\d:\d\d$/,
    );
  }, 20_000);

  test("a restart keeps the history", async () => {
    const { openMemoryDb } = await import("../../../src/storage/db.ts");
    const db = openMemoryDb();
    const disk = createFakeSnapshots({ data: 40 });
    h = await startHarness(CONFIG, { db, app: { snapshotter: disk.snapshotter } });
    await h.app.alerts.monitor.tick();
    await h.stop(); // settles: what waited in memory is written
    h = await startHarness(CONFIG, { db, app: { snapshotter: disk.snapshotter } });
    const kept = h.app.history.store.points("disk:data", 0, Date.now() + 1, 0);
    expect(kept.map((p) => p.avg)).toEqual([40]);
  });
});
