import { describe, expect, test } from "bun:test";
import { alertButton } from "../../../src/features/alerts/buttons.ts";
import {
  type Handling,
  incidentKeyboard,
  incidentText,
  planFor,
} from "../../../src/features/alerts/messages.ts";
import { digestText, restartNotice } from "../../../src/features/alerts/notices.ts";
import { readingsFrom } from "../../../src/features/alerts/readings.ts";
import type { AlertEvent } from "../../../src/features/alerts/rules.ts";
import { createFakeSnapshots } from "../../support/fake-snapshots.ts";
import { configOf } from "../../support/runner-kit.ts";

const MIN = 60_000;

describe("restartNotice", () => {
  const now = Date.UTC(2026, 10, 22, 3, 30);
  test.each([
    ["no heartbeat yet: first start", undefined, now - 60 * MIN, false],
    ["down for less than two intervals", now - 50_000, now - 60 * MIN, false],
    ["down longer: a crash", now - 20 * MIN, now - 600 * MIN, true],
    ["down longer: a reboot", now - 20 * MIN, now - 5 * MIN, true],
  ] as const)("%s", (_, heartbeat, bootedAt, says) => {
    const text = restartNotice(heartbeat, now, 30_000, bootedAt, "UTC");
    expect(text !== undefined).toBe(says);
    if (text) expect(text.includes("rebooted")).toBe(bootedAt > (heartbeat as number));
  });

  test("times are shown in the clock's zone, not the process's", () => {
    const at = (zone: string) => restartNotice(now - 20 * MIN, now, 30_000, now - 5 * MIN, zone);
    expect(at("UTC")).toStartWith("🔄 Octopus restarted: checks were down from 03:10 to 03:30 (20m)");
    expect(at("Asia/Kolkata")).toStartWith("🔄 Octopus restarted: checks were down from 08:40 to 09:00");
    expect(at("Asia/Kolkata")).toEndWith("The server rebooted at 08:55.");
  });
});

describe("digestText", () => {
  test("all quiet is quiet", () => {
    expect(digestText(2880, [])).toEqual({
      text: "✅ All quiet for 24 h: 2880 checks, no alerts.",
      quiet: true,
    });
  });

  test("a day with incidents, one still open, rings", () => {
    const incident = (id: number, checkId: string, endedAt: number | null) => ({
      id,
      checkId,
      level: "crit",
      startedAt: 0,
      endedAt,
      peak: 95,
    });
    expect(
      digestText(2880, [incident(1, "disk:root", 5), incident(2, "disk:root", 9), incident(3, "load", null)]),
    ).toEqual({
      text: "📋 Last 24 h: 2880 checks, 3 incidents (disk:root ×2, load). 1 still open: load.",
      quiet: false,
    });
  });
});

describe("readings and plans", () => {
  test("an incident message says who acknowledged and muted it; its buttons follow", () => {
    const reading = { id: "disk:Root FS", value: 97, warn: 80, crit: 90, unit: "%" as const };
    const handling = { ackedBy: "Ada", mutedBy: "Bob", mutedUntil: Date.UTC(2026, 10, 22, 15, 3) };
    const at = {
      incidentId: 9,
      startedAt: Date.UTC(2026, 10, 22, 14, 0),
      host: "web-01",
      timeZone: "UTC",
      handling,
    };
    expect(incidentText(reading, "crit", at).text).toBe(
      "🔴 CRIT disk:Root FS 97%\nweb-01 · since 14:00 (crit at 90%)\n✔️ Acknowledged by Ada\n🔕 Muted by Bob until 15:03",
    );
    const labels = (h: Handling) =>
      incidentKeyboard(9, h)
        .flat()
        .map((b) => b.text);
    expect(labels({})).toEqual(["✔️ Ack", "🔕 1h", "🔕 8h", "🔕 Until resolved"]);
    expect(labels({ ackedBy: "Ada" })).toEqual(["🔕 1h", "🔕 8h", "🔕 Until resolved"]);
    expect(labels(handling)).toEqual(["🔔 Unmute"]);
    expect(labels({ mutedBy: "Bob", mutedUntil: "resolved" })).toEqual(["✔️ Ack", "🔔 Unmute"]);
    const unmute = incidentKeyboard(9, handling)[0]?.[0]?.callback_data ?? "";
    expect(alertButton.unpack(unmute)).toEqual({ action: "unmute", incident: 9 });
  });

  test("a snapshot gives disk, inode, load and memory readings with the configured thresholds", async () => {
    const config = configOf(
      "monitored_devices:\n  - { name: root, path: /, alert_threshold: 70 }\nalerts:\n  load: { warn: 2, crit: 4 }\n",
    );
    const fake = createFakeSnapshots({ root: 75 });
    fake.setLoad(3);
    const readings = readingsFrom(await fake.snapshotter.take(config.monitored_devices), config);
    expect(readings.map((r) => [r.id, r.value, r.warn, r.crit])).toEqual([
      ["disk:root", 75, 70, 80],
      ["inodes:root", 1, 90, 97],
      ["load", 1.5, 2, 4],
      ["memory", 25, 90, 97],
    ]);
  });

  test("muted events only update the incident message", () => {
    const reading = {
      id: "load",
      value: 3.5,
      warn: 1.5,
      crit: 3,
      unit: "/core" as const,
    };
    const event: AlertEvent = { kind: "change", from: "warn", to: "crit", id: "load", reading, muted: true };
    const at = { incidentId: 7, startedAt: 0, host: "web-01", timeZone: "UTC", handling: {} };
    expect(planFor(event, at).map((p) => p.kind)).toEqual(["edit"]);
    expect(planFor({ ...event, muted: false }, at).map((p) => [p.kind, p.silent])).toEqual([
      ["edit", true],
      ["reply", false],
    ]);
  });
});
