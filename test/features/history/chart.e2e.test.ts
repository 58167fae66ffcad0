import { afterEach, describe, expect, test } from "bun:test";
import { createFakeSnapshots } from "../../support/fake-snapshots.ts";
import { ADMIN, type Harness, startHarness } from "../../support/harness.ts";

const CONFIG = `
telegram:
  admins: [${ADMIN.id}]
monitored_devices:
  - { name: data, path: /data }
alerts:
  check: "0 0 1 1 *"
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** Width and height from a PNG's IHDR. */
const pngSize = (b: Uint8Array) => {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return [v.getUint32(16), v.getUint32(20)];
};

describe("charts in the chat", () => {
  test("/chart sends a PNG of the stated size; a range button redraws it in place; 📈 under /status", async () => {
    const disk = createFakeSnapshots({ data: 40 });
    h = await startHarness(CONFIG, { app: { snapshotter: disk.snapshotter } });
    for (const v of [40, 45, 50]) {
      disk.set("data", v);
      await h.app.alerts.monitor.tick();
    }
    h.api.userSays(ADMIN.id, ADMIN, "/chart disk data 6h");
    const chart = await h.nextMessage(ADMIN.id, 15_000);
    const photo = chart.photo?.content ?? new Uint8Array();
    expect([...photo.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(pngSize(photo)).toEqual([1000, 560]);
    // Three checks of history: the chart says from when, instead of a dot at the edge of 6 h.
    expect(chart.caption).toMatch(/^📈 disk:data · 6h · history since \d\d:\d\d \(\/chart disk data 6h\)$/);
    expect(chart.keyboard?.map((row) => row.map((b) => b.text))).toEqual([
      ["• 6h", "24h", "7d", "30d", "1y"],
      ["all", "cpu", "load", "memory"],
      ["• data"],
    ]);
    h.api.press(ADMIN.id, chart.messageId, chart.keyboard?.[0]?.[2]?.callback_data as string, ADMIN);
    await h.api.waitFor((e) => e.type === "edit" && e.message.messageId === chart.messageId, 15_000);
    const edited = h.api.state.messages.get(`${ADMIN.id}:${chart.messageId}`);
    expect(edited?.caption).toMatch(/^📈 disk:data · 7d · history since \d\d:\d\d \(\/chart disk data 7d\)$/);
    expect(pngSize(edited?.photo?.content ?? new Uint8Array(24))).toEqual([1000, 560]);
    // The metric row switches what is drawn, in place too.
    h.api.press(ADMIN.id, chart.messageId, edited?.keyboard?.[1]?.[1]?.callback_data as string, ADMIN);
    await h.api.waitFor(
      (e) =>
        e.type === "edit" &&
        e.message.messageId === chart.messageId &&
        (e.message.caption ?? "").startsWith("📈 cpu"),
      15_000,
    );
    // …and the disk row leads back from cpu to the disk.
    const onCpu = h.api.state.messages.get(`${ADMIN.id}:${chart.messageId}`);
    expect(onCpu?.keyboard?.[2]?.map((b) => b.text)).toEqual(["data"]);
    h.api.press(ADMIN.id, chart.messageId, onCpu?.keyboard?.[2]?.[0]?.callback_data as string, ADMIN);
    await h.api.waitFor(
      (e) =>
        e.type === "edit" &&
        e.message.messageId === chart.messageId &&
        (e.message.caption ?? "").startsWith("📈 disk:data · 7d"),
      15_000,
    );
    h.api.userSays(ADMIN.id, ADMIN, "/status");
    const status = await h.nextMessage(ADMIN.id);
    expect(status.keyboard?.flat().map((b) => b.text)).toEqual(["🔄 Refresh", "📈 Chart"]);
    expect(
      await (async () => {
        h?.api.userSays(ADMIN.id, ADMIN, "/chart disk nope");
        return (await (h as Harness).nextMessage(ADMIN.id)).text;
      })(),
    ).toBe("Which disk? data");
  }, 40_000);
});
