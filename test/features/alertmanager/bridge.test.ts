import { describe, expect, test } from "bun:test";
import { createBridge } from "../../../src/features/alertmanager/bridge.ts";
import { groupKeyboard, groupText, matchersOf } from "../../../src/features/alertmanager/group-message.ts";
import { type AmPayload, digestOf, parsePayload } from "../../../src/features/alertmanager/payload.ts";
import { chatsFor } from "../../../src/features/alertmanager/routes.ts";
import { createManualClock } from "../../../src/shared/clock.ts";
import { createAlertsRepo } from "../../../src/storage/alerts-repo.ts";
import { createAmGroupsRepo } from "../../../src/storage/am-groups-repo.ts";
import { openMemoryDb } from "../../../src/storage/db.ts";
import { captureLog } from "../../support/harness.ts";

const payload = (status: "firing" | "resolved", instances: string[], extra: Partial<AmPayload> = {}) =>
  ({
    version: "4",
    groupKey: '{}:{alertname="HighLoad"}',
    truncatedAlerts: 0,
    status,
    receiver: "octopus",
    groupLabels: { alertname: "HighLoad" },
    commonLabels: { alertname: "HighLoad", severity: "critical" },
    commonAnnotations: {},
    externalURL: "",
    alerts: instances.map((i) => ({
      status,
      labels: { alertname: "HighLoad", severity: "critical", instance: i },
      annotations: { summary: `high on ${i}` },
      startsAt: "2026-12-07T10:00:00Z",
      endsAt: "",
      generatorURL: "",
      fingerprint: `fp-${i}`,
    })),
    ...extra,
  }) as AmPayload;

function bridge() {
  const db = openMemoryDb();
  const clock = createManualClock(1_800_000_000_000, "UTC");
  let kicks = 0;
  const alerts = createAlertsRepo(db);
  const groups = createAmGroupsRepo(db);
  const b = createBridge({
    db,
    groups,
    alerts,
    clock,
    log: captureLog().log,
    routes: () => [{ match: { team: "db" }, chats: [7], continue: false }],
    fallbackChats: () => [1, 2],
    kick: () => void kicks++,
  });
  const queued = () => {
    const rows = [];
    for (let r = alerts.nextOutbox(0); r; r = alerts.nextOutbox(r.id)) rows.push(r);
    return rows;
  };
  return { db, b, groups, alerts, queued, kicks: () => kicks, clock };
}

describe("the bridge's core", () => {
  test("a group fires (a message per chat), grows (edits), a repeat sends nothing, resolves (edits)", () => {
    const k = bridge();
    expect(k.b.receive(payload("firing", ["a"]))).toEqual({ ok: true, value: "shown" });
    expect(k.queued().map((r) => [r.chatId, r.kind])).toEqual([
      [1, "incident"],
      [2, "incident"],
    ]);
    // Alertmanager's repeat_interval, or a retry: the same notification again.
    expect(k.b.receive(payload("firing", ["a"]))).toEqual({ ok: true, value: "unchanged" });
    expect(k.queued()).toHaveLength(2);
    expect(k.b.receive(payload("firing", ["a", "b"]))).toEqual({ ok: true, value: "shown" });
    expect(
      k
        .queued()
        .slice(2)
        .map((r) => r.kind),
    ).toEqual(["edit", "edit"]);
    const incident = k.queued()[0]?.incidentId as number;
    expect(k.alerts.incident(incident)).toMatchObject({
      checkId: "Alertmanager HighLoad",
      level: "crit",
      endedAt: null,
    });
    k.b.receive(payload("resolved", ["a", "b"]));
    expect(k.alerts.incident(incident)?.endedAt).toBe(k.clock.now());
    const last = JSON.parse(k.queued().at(-1)?.payload as string);
    expect(last.text.text).toStartWith("✅ HighLoad · resolved");
    expect(last.keyboard).toBeUndefined();
    expect(k.kicks()).toBe(3);
    // Fires again: a new incident, a new message.
    k.b.receive(payload("firing", ["a"]));
    expect(k.queued().at(-1)).toMatchObject({ kind: "incident" });
    expect(k.queued().at(-1)?.incidentId).not.toBe(incident);
  });

  test("resolved before it was seen firing: remembered, nothing sent", () => {
    const k = bridge();
    expect(k.b.receive(payload("resolved", ["a"]))).toEqual({ ok: true, value: "unchanged" });
    expect(k.queued()).toEqual([]);
    expect(k.groups.byKey('{}:{alertname="HighLoad"}')?.status).toBe("resolved");
  });

  test("a state that takes no writes: an error (Alertmanager retries), nothing half-applied", () => {
    const k = bridge();
    k.db.exec("PRAGMA query_only = ON");
    const r = k.b.receive(payload("firing", ["a"]));
    expect(r.ok).toBe(false);
    k.db.exec("PRAGMA query_only = OFF");
    expect(k.queued()).toEqual([]);
    expect(k.groups.firing()).toEqual([]);
    expect(k.b.receive(payload("firing", ["a"])).ok).toBe(true);
  });

  test("routes: first match, continue adds, no match falls back", () => {
    const routes = [
      { match: { severity: "critical" }, chats: [1], continue: true },
      { match: { team: "db" }, chats: [2], continue: false },
      { match: { team: "db", env: "prod" }, chats: [3], continue: false },
    ];
    expect(chatsFor({ severity: "critical", team: "db" }, routes, [9])).toEqual([1, 2]);
    expect(chatsFor({ team: "db", env: "prod" }, routes, [9])).toEqual([2]);
    expect(chatsFor({ team: "web" }, routes, [9])).toEqual([9]);
  });
});

describe("the webhook body and the group message", () => {
  test("version 4 with unknown fields tolerated; other shapes refused with where", () => {
    const good = { ...payload("firing", ["a"]), extra: { x: 1 } };
    expect(parsePayload(JSON.stringify(good)).ok).toBe(true);
    expect(parsePayload("[]")).toMatchObject({ ok: false });
    const bad = parsePayload(JSON.stringify({ ...good, alerts: [{ status: "firing" }] }));
    expect(bad.ok ? "" : bad.error).toStartWith("not an Alertmanager webhook (version 4): alerts.0.labels");
    const many = {
      ...good,
      groupLabels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, "v"])),
    };
    expect(parsePayload(JSON.stringify(many)).ok).toBe(false);
  });

  test("the digest ignores order, not status", () => {
    const p = payload("firing", ["a", "b"]);
    const reversed = { ...p, alerts: [...p.alerts].reverse() };
    expect(digestOf(reversed)).toBe(digestOf(p));
    expect(digestOf(payload("resolved", ["a", "b"]))).not.toBe(digestOf(p));
  });

  test("the text lists at most 15 alerts and counts the rest; buttons by state", () => {
    const p = payload(
      "firing",
      Array.from({ length: 20 }, (_, i) => `h${i}`),
      { truncatedAlerts: 3 },
    );
    const text = groupText(p, undefined, "UTC").text;
    expect(text.split("\n").filter((l) => l.startsWith("🔴"))).toHaveLength(15);
    expect(text).toContain("… 8 more");
    expect(groupKeyboard(4, p, false)?.[0]?.map((b) => b.text)).toEqual(["🔕 1h", "🔕 8h", "🔕 24h"]);
    expect(groupKeyboard(4, p, true)?.[0]?.map((b) => b.text)).toEqual(["🔔 Unmute"]);
    expect(groupKeyboard(4, payload("resolved", ["a"]), false)).toBeUndefined();
    // No group labels (group_by: ['...']): the silence matches what every alert shares.
    expect(matchersOf({ ...p, groupLabels: {} })).toEqual(p.commonLabels);
  });
});
