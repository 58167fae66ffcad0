import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createRunsRepo } from "../../../src/storage/runs-repo.ts";
import { CHROMIUM, launchChromium } from "../../support/chromium.ts";
import { ADMIN, type Harness } from "../../support/harness.ts";
import { SCRIPTS } from "../../support/runner-kit.ts";
import { linkFor, startWeb } from "../../support/web.ts";

/**
 * The dashboard in a real headless Chromium, as an operator uses it: logs in through the link
 * the bot sent, watches the status change live, starts a run (confirming), sees its output
 * stream, stops it, and is refused once logged out. With OCTOPUS_SCREENSHOTS=DIR each page is
 * also saved there (`make screenshots` writes the docs' pictures).
 */

const SHOTS = process.env.OCTOPUS_SCREENSHOTS;
const EXTRA = `
alerts:
  check: "* * * * * *"
  for: 1
  memory: { warn: 1, crit: 99.9 }
monitored_devices:
  - { name: root, path: / }
`;
const SCRIPTS_YAML = `
long_running_scripts:
  - name: ticker
    path: ${SCRIPTS}/ticker.sh
    description: A line every 200 ms
    env: { N: "200" }
one_time_scripts:
  - name: restart
    path: ${SCRIPTS}/args.sh
    args: ["--unit={unit}", "--force={force}"]
    description: Restart a unit
    params:
      - { name: unit, type: choice, choices: [nginx, postgres], default: nginx }
      - { name: force, type: boolean, default: "false" }
`;

if (!CHROMIUM) console.warn("browser.e2e: chromium is not installed, the browser tests are skipped");

describe.skipIf(!CHROMIUM)("the dashboard in Chromium", () => {
  let h: Harness;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    const w = await startWeb(EXTRA, SCRIPTS_YAML);
    h = w.h;
    // A day of history to chart: a minute apart, as the checks would have left it.
    const now = Date.now();
    for (let i = 1440; i > 0; i--) {
      const at = now - i * 60_000;
      const cpu = 30 + 20 * Math.sin(i / 90) + (i % 7);
      h.app.history.store.record(
        new Map([
          ["cpu", cpu],
          ["memory", 40 + (i % 30) / 3],
          ["load1", cpu / 40],
        ]),
        at,
      );
    }
    h.app.history.store.flush();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  test("log in with the link, live status, a run started and stopped, refused after logout", async () => {
    const page = await browser.page();
    await page.goto(await linkFor(h, ADMIN));
    expect(await page.eval("document.querySelector('#login').textContent")).toBe("Log in as Ada");
    if (SHOTS) await page.screenshot(join(SHOTS, "web-login.png"));
    await page.click("#login");
    await page.waitFor(
      "location.pathname === '/web/' && document.querySelector('#who').textContent === 'Ada (admin)'",
    );

    // Live: the figures arrive over SSE and change without a reload.
    const first = await page.waitFor<string>("document.querySelector('#status-at').dataset.at");
    await page.waitFor(`document.querySelector('#status-at').dataset.at !== '${first}'`, 10_000);
    expect(await page.eval("document.querySelector('#live').className")).toBe("live on");
    await page.waitFor("document.querySelector('#status-firing').textContent.includes('memory')", 10_000);
    expect(
      await page.eval("document.querySelector('[data-metric=\"Disk root\"] .value').textContent"),
    ).toMatch(/^\d+%$/);
    if (SHOTS) await page.screenshot(join(SHOTS, "web-status.png"));

    // Runs: start with a confirm, output streams, Stop.
    await page.eval("location.hash = '#runs'");
    await page.waitFor("document.querySelector('[data-run=\"ticker\"]')");
    await page.click('button[data-run="ticker"]');
    await page.waitFor("document.querySelector('#run-output').textContent.includes('tick 3')", 15_000);
    expect(page.dialogs.at(-1)).toContain("Run ticker?");
    const chat = await h.api.waitFor(
      (e) =>
        (e.type === "message" || e.type === "edit") &&
        e.message.chatId === ADMIN.id &&
        /ticker/.test(e.message.text),
      10_000,
    );
    expect(chat.type === "message" || chat.type === "edit").toBe(true);
    if (SHOTS) await page.screenshot(join(SHOTS, "web-runs.png"));
    await page.click("#run-stop");
    await page.waitFor("document.querySelector('#run-state').textContent.startsWith('stopped')", 15_000);
    const row = createRunsRepo(h.db).recent(1)[0];
    expect(row?.status).toBe("stopped");
    expect(row?.requestedByName).toBe("Ada (web)");
    await h.api.waitFor(
      (e) =>
        e.type === "message" &&
        e.message.chatId === ADMIN.id &&
        /stopped run #\d+ from the web/.test(e.message.text),
      5000,
    );

    // A runbook's form: its typed parameters, confirmed with their values.
    await page.click('button[data-run="restart"]');
    await page.waitFor("document.querySelector('form.params select[name=p-unit]')");
    await page.eval("document.querySelector('form.params select[name=p-unit]').value = 'postgres'");
    if (SHOTS) await page.screenshot(join(SHOTS, "web-runbook.png"));
    await page.eval("document.querySelector('form.params button[type=submit]').click()");
    await page.waitFor("document.querySelector('#run-state').textContent.startsWith('succeeded')", 15_000);
    expect(page.dialogs.at(-1)).toContain("Run restart with unit=postgres, force=false?");
    expect(await page.waitFor("document.querySelector('#run-output').textContent")).toContain(
      "[--unit=postgres]",
    );

    // Charts: a metric and a range picked.
    await page.eval("location.hash = '#charts'");
    await page.waitFor(
      "document.querySelector('#chart canvas') && document.querySelector('#chart-note').textContent.includes('points')",
    );
    await page.click('button[data-range="6h"]');
    await page.waitFor("document.querySelector('#chart-ranges .active').dataset.range === '6h'");
    if (SHOTS) await page.screenshot(join(SHOTS, "web-charts.png"));

    // Alerts: the firing check, with Ack and Mute as in /alerts.
    await page.eval("location.hash = '#alerts'");
    await page.waitFor("document.querySelector('#alerts-text').textContent.includes('Firing')", 10_000);
    const buttons = await page.eval<string[]>(
      "[...document.querySelectorAll('#alerts-buttons button')].map(b => b.textContent)",
    );
    expect(buttons).toContain("🔕 Mute memory 1h");
    if (SHOTS) await page.screenshot(join(SHOTS, "web-alerts.png"));
    await page.eval(
      "[...document.querySelectorAll('#alerts-buttons button')].find(b => b.textContent === '🔕 Mute memory 1h').click()",
    );
    await page.waitFor(
      "[...document.querySelectorAll('#alerts-buttons button')].some(b => b.textContent === '🔔 Unmute memory')",
      10_000,
    );
    await h.api.waitFor(
      (e) =>
        e.type === "message" &&
        e.message.chatId === ADMIN.id &&
        /memory muted until .*from the web dashboard/.test(e.message.text),
      5000,
    );

    await page.eval("location.hash = '#fleet'");
    await page.waitFor("document.querySelector('#fleet-list').textContent.includes('No servers')");
    if (SHOTS) await page.screenshot(join(SHOTS, "web-fleet.png"));

    // Logged out: the page and every call are refused.
    await page.click("#logout");
    await page.waitFor(
      "document.title.startsWith('Session ended') || document.title.startsWith('Not logged in')",
      10_000,
    );
    const status = await page.eval<number>("fetch('/web/api/me').then(r => r.status)");
    expect(status).toBe(401);
    if (SHOTS) await page.screenshot(join(SHOTS, "web-refused.png"));
  }, 120_000);
});
