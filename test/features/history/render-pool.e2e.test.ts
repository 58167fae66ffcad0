import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import type { LocalUser } from "../../../src/console/local-api/state.ts";
import { CHART_POOL } from "../../../src/features/history/render-pool.ts";
import { ADMIN, type Harness, startHarness } from "../../support/harness.ts";

const USERS: LocalUser[] = Array.from({ length: 40 }, (_, i) => ({ id: 3000 + i, first_name: `U${i}` }));

const CONFIG = `
telegram:
  admins: [${ADMIN.id}]
  viewers: [${USERS.map((u) => u.id).join(", ")}]
monitored_devices:
  - { name: root, path: / }
alerts:
  check: "0 0 1 1 *"
`;

/** This process's `render-chart` children now, read from /proc as `ps` would. */
function renderers(): number {
  let n = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("render-chart")) n++;
    } catch {
      // Gone between the listing and the read.
    }
  }
  return n;
}

/** The most renderers seen at once while `during` runs. */
async function peakRenderers(during: () => Promise<void>): Promise<number> {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, renderers());
  }, 5);
  try {
    await during();
  } finally {
    clearInterval(timer);
  }
  return peak;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const BUSY_ALL = /^Charts are busy \(\d being drawn, \d waiting\): try again in a moment\.$/;

describe("charts through a bounded pool", () => {
  test("forty /chart at once from forty chats: at most two renderers, each chat a chart or 'busy', /status answers meanwhile", async () => {
    h = await startHarness(CONFIG);
    await h.app.alerts.monitor.tick();
    const harness = h;
    const answered = (chatId: number) =>
      harness.api.waitFor((e) => e.type === "message" && e.message.chatId === chatId, 30_000);
    let statusMs = 0;
    const peak = await peakRenderers(async () => {
      for (const u of USERS) harness.api.userSays(u.id, u, "/chart cpu 6h");
      const started = performance.now();
      harness.api.userSays(ADMIN.id, ADMIN, "/status");
      await answered(ADMIN.id);
      statusMs = performance.now() - started;
      await Promise.all(USERS.map((u) => answered(u.id)));
    });
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(CHART_POOL.running);
    const replies = USERS.map((u) => harness.messagesIn(u.id));
    for (const r of replies) expect(r).toHaveLength(1);
    const charts = replies.filter((r) => r[0]?.photo).length;
    const busy = replies.filter((r) => BUSY_ALL.test(r[0]?.text ?? "")).length;
    expect(charts + busy).toBe(USERS.length);
    expect(charts).toBeGreaterThanOrEqual(CHART_POOL.running);
    expect(busy).toBeGreaterThan(0);
    // Not held behind forty renders: the bot answered /status (a generous bound: a noisy machine).
    expect(statusMs).toBeLessThan(5000);
    // The pool is free again afterwards.
    harness.api.userSays(USERS[0]?.id ?? 0, USERS[0] as LocalUser, "/chart memory 24h");
    const again = await harness.nextMessage(USERS[0]?.id ?? 0, 20_000);
    expect(again.photo).toBeDefined();
    expect(harness.lines.some((l) => l.includes("chart refused: busy"))).toBe(true);
  }, 90_000);

  test("one chat: two charts in its share, a third refused at once, a busy button says so on the button", async () => {
    h = await startHarness(CONFIG);
    await h.app.alerts.monitor.tick();
    for (const range of ["6h", "24h", "7d"]) h.api.userSays(ADMIN.id, ADMIN, `/chart cpu ${range}`);
    h.api.userSays(ADMIN.id, ADMIN, "/status");
    const harness = h;
    await harness.api.waitFor(() => harness.messagesIn(ADMIN.id).filter((m) => m.photo).length === 2, 30_000);
    const texts = harness.messagesIn(ADMIN.id).map((m) => m.text ?? "");
    expect(texts).toContain(
      `This chat already has ${CHART_POOL.perKey} charts being drawn: try again when they have arrived.`,
    );
    expect(texts.some((t) => t.includes("CPU") || t.includes("Load"))).toBe(true);
    // A range button pressed while the chat's two places are taken: a toast, no redraw.
    const chart = harness.messagesIn(ADMIN.id).find((m) => m.photo);
    const data = chart?.keyboard?.[0]?.[4]?.callback_data as string;
    for (const range of ["6h", "24h"]) harness.api.userSays(ADMIN.id, ADMIN, `/chart load ${range}`);
    harness.api.press(ADMIN.id, chart?.messageId ?? 0, data, ADMIN);
    const toast = await harness.api.waitFor(
      (e) => e.type === "answer" && (e.text ?? "").startsWith("This chat already has"),
      30_000,
    );
    expect(toast.type).toBe("answer");
    await harness.api.waitFor(() => harness.messagesIn(ADMIN.id).filter((m) => m.photo).length === 4, 30_000);
  }, 90_000);
});
