import { afterEach, describe, expect, test } from "bun:test";
import {
  canRunAlertmanager,
  freePort,
  type RealAlertmanager,
  startAlertmanager,
} from "../../support/alertmanager.ts";
import { ADMIN, type Harness, VIEWER } from "../../support/harness.ts";
import { call, loginAs, startWeb } from "../../support/web.ts";

/**
 * An Alertmanager group on the dashboard's alerts page, against a real Alertmanager: the
 * same Mute and Unmute as in the chat (a silence made and expired there), told in the chat.
 */

const TOKEN = "am-token-web";
let h: Harness | undefined;
let am: RealAlertmanager | undefined;
afterEach(async () => {
  await h?.stop();
  await am?.stop();
  h = undefined;
  am = undefined;
});

interface AlertsPage {
  text: string;
  buttons: { text: string; data: string }[];
}

describe.skipIf(!canRunAlertmanager())("Alertmanager groups on the web", () => {
  test("Mute makes a silence in Alertmanager, Unmute expires it; a viewer may not", async () => {
    // The listener's port is chosen first: Alertmanager's webhook must point at it.
    const port = freePort();
    am = await startAlertmanager({ webhook: `http://127.0.0.1:${port}/alertmanager`, token: TOKEN });
    const w = await startWeb(
      `alertmanager:\n  url: ${am.url}\n`,
      "",
      { app: { alertmanagerToken: TOKEN } },
      undefined,
      port,
    );
    h = w.h;
    const { origin } = w;
    await am.post([{ labels: { alertname: "DiskFull", job: "node", instance: "db1" } }]);
    await h.api.waitFor((e) => e.type === "message" && /DiskFull · 1 firing/.test(e.message.text), 20_000);

    const ada = await loginAs(h, ADMIN, origin);
    const page = async (cookie: string) =>
      (await (await call(origin, cookie, "/web/api/alerts")).json()) as AlertsPage;
    const first = await page(ada);
    expect(first.text).toContain("📣 Alertmanager\n🔥 DiskFull · 1 firing");
    const mute = first.buttons.find((b) => b.text === "🔕 Mute 🔥 DiskFull · 1 firing 1h");
    if (!mute) throw new Error(JSON.stringify(first.buttons));

    const vic = await loginAs(h, VIEWER, origin);
    expect((await call(origin, vic, "/web/api/press", { data: mute.data })).status).toBe(403);
    expect((await page(vic)).buttons).toEqual([]);
    expect((await am.silences()).filter((s) => s.status.state === "active")).toEqual([]);

    const pressed = await call(origin, ada, "/web/api/press", { data: mute.data });
    expect(((await pressed.json()) as { answer: string }).answer).toBe("Silenced in Alertmanager for 1h.");
    const active = (await am.silences()).filter((s) => s.status.state === "active");
    expect(active.map((s) => s.createdBy)).toEqual(["Ada (web)"]);
    await h.api.waitFor(
      (e) =>
        e.type === "message" &&
        e.message.chatId === ADMIN.id &&
        /^🔕 Ada \(web\) muted 🔥 DiskFull/.test(e.message.text),
      5000,
    );
    const unmute = (await page(ada)).buttons.find((b) => b.text.startsWith("🔔 Unmute"));
    if (!unmute) throw new Error("no Unmute");
    await call(origin, ada, "/web/api/press", { data: unmute.data });
    expect((await am.silences()).filter((s) => s.status.state === "active")).toEqual([]);
  }, 60_000);
});
