import { afterEach, describe, expect, test } from "bun:test";
import { startLocalBotApi } from "../../../src/console/local-api/server.ts";
import { MAX_SERIES } from "../../../src/features/alerts/monitor.ts";
import type { Reading } from "../../../src/shared/reading.ts";
import { ADMIN, type Harness, startHarness } from "../../support/harness.ts";

let h: Harness | undefined;
let stopApi = async () => {};
afterEach(async () => {
  await h?.stop();
  h = undefined;
  await stopApi();
});

const reading = (id: string, value: number): Reading => ({ id, value, warn: 80, crit: 90, unit: "%" });

describe("the alert engine's bound on checks", () => {
  test("past MAX_SERIES new checks are not kept, known ones still are; said once in the log and the alert chat", async () => {
    const api = startLocalBotApi();
    api.openChat(ADMIN.id, ADMIN);
    h = await startHarness(`telegram:\n  admins: [${ADMIN.id}]\nalerts:\n  for: 1\n`, { api });
    stopApi = () => api.stop();
    const { db } = h;
    const count = () =>
      (db.query("SELECT count(*) AS n FROM alert_state WHERE check_id LIKE 'x:%'").get() as { n: number }).n;
    const many = Array.from({ length: MAX_SERIES }, (_, i) => reading(`x:${i}`, 1));
    h.app.alerts.evaluateExternal(many);
    expect(count()).toBe(MAX_SERIES);
    h.app.alerts.evaluateExternal([reading("x:new1", 99), reading("x:new2", 99), reading("x:0", 99)]);
    h.app.alerts.evaluateExternal([reading("x:new3", 99)]);
    expect(count()).toBe(MAX_SERIES);
    // A known check still fires.
    await h.api.waitFor((e) => e.type === "message" && /^🔴 CRIT x:0 /.test(e.message.text), 10_000);
    await h.api.waitFor((e) => e.type === "message" && /watched already/.test(e.message.text), 10_000);
    expect(h.lines.filter((l) => l.includes("too many alert checks"))).toHaveLength(1);
    const said = h.messagesIn(ADMIN.id).filter((m) => m.text.includes("alert checks are watched already"));
    expect(said.map((m) => m.text)).toEqual([
      `⚠️ ${MAX_SERIES} alert checks are watched already: new ones (2 now, first x:new1) are not watched. Said once; see the log.`,
    ]);
  }, 30_000);
});
