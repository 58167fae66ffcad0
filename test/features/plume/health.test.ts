import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { healthText, wifiText } from "../../../src/features/plume/format.ts";
import { analyzeHealth, type HealthInput } from "../../../src/features/plume/health.ts";
import {
  DeviceSchema,
  LocationAnswerSchema,
  LocationSchema,
  listIn,
  NodeSchema,
  type PlumeNode,
  QoeSchema,
  readItems,
  stripSecrets,
  unwrapLocation,
  WifiNetworkSchema,
} from "../../../src/features/plume/schemas.ts";
import { zoneOf } from "../../../src/shared/time-zone.ts";
import { LOC, PPPOE, scenario, WPA_KEY } from "../../support/fake-plume.ts";

const HOUR = 3_600_000;
function inputOf(locationId: string, over: Partial<HealthInput> = {}): HealthInput {
  const s = scenario(locationId);
  return {
    location: v.parse(LocationSchema, stripSecrets(s.location)),
    nodes: readItems(listIn(stripSecrets(s.nodes), "nodes") ?? [], NodeSchema).items,
    devices: readItems(listIn(stripSecrets(s.devices), "devices") ?? [], DeviceSchema).items,
    qoe: v.parse(QoeSchema, s.qoe),
    ...over,
  };
}

describe("analyzeHealth", () => {
  test.each([
    ["healthy", LOC.healthy, "healthy", []],
    [
      "one pod down",
      LOC.podDown,
      "partial",
      [/^Pod Office is offline since \d\d \w{3} \d\d:\d\d \S+ \(2h\)$/],
    ],
    [
      "gateway offline: one finding, not one per pod",
      LOC.gatewayOffline,
      "offline",
      [/^Gateway Living room is offline since .* \(3h\)$/],
    ],
    ["not provisioned", LOC.notProvisioned, "not-provisioned", []],
    [
      "poor QoE (video conferencing below 4, gaming 3.5 below 4)",
      LOC.poorQoe,
      "degraded",
      [/^App QoE video_conferencing: 2\.1\/5$/, /^App QoE gaming: 3\.5\/5$/],
    ],
    ["QoE disabled ({}) is not poor", LOC.qoeDisabled, "healthy", []],
  ] as const)("%s", (_, loc, level, findings) => {
    const input = inputOf(loc);
    const r = analyzeHealth(input, Date.now());
    expect(r.level).toBe(level);
    expect(r.findings).toHaveLength(findings.length);
    for (const [i, f] of findings.entries()) expect(r.findings[i]?.text).toMatch(f);
    expect(r.timeZone).toBe("America/New_York");
  });

  const now = Date.now() + 1000;
  test("a pod offline for more than 7 days is probably unplugged: degraded, not partial", () => {
    const input = inputOf(LOC.podDown);
    const nodes = input.nodes?.map((n) =>
      n.id === "POD002" ? { ...n, connectionStateChangeAt: new Date(now - 9 * 24 * HOUR).toISOString() } : n,
    );
    const r = analyzeHealth({ ...input, nodes }, now);
    expect(r.level).toBe("degraded");
    expect(r.findings[0]?.text).toMatch(/probably unplugged$/);
  });

  test.each([
    [
      "a pod with fair health",
      { health: { status: "fair", score: 3 } },
      /^Pod Pod 003 health is fair \(3\/5\)$/,
    ],
    ["a pod with alerts", { alerts: [{ type: "poorHealth" }] }, /^Pod Pod 003 has 1 active alert$/],
  ])("degraded: %s", (_, over, finding) => {
    const input = inputOf(LOC.healthy);
    const nodes = input.nodes?.map((n) => (n.id === "POD003" ? { ...n, ...over } : n));
    const r = analyzeHealth({ ...input, nodes }, now);
    expect(r.level).toBe("degraded");
    expect(r.findings.map((f) => f.text)).toContainEqual(expect.stringMatching(finding));
  });

  test("a gateway rebooted 10 minutes ago, a failed speed test, onboarding and service level", () => {
    const input = inputOf(LOC.healthy);
    const nodes = input.nodes?.map((n) =>
      n.id === "GW0001"
        ? {
            ...n,
            bootAt: new Date(now - 10 * 60_000).toISOString(),
            speedTest: { status: "failed", startedAt: new Date(now - 2 * HOUR).toISOString() },
          }
        : n,
    );
    const location = {
      ...input.location,
      summary: { ...input.location?.summary, onboardingStatus: "PodsAdded" },
      serviceLevel: { status: "basic" },
    };
    const r = analyzeHealth({ ...input, nodes, location }, now);
    expect(r.level).toBe("degraded");
    expect(r.findings.map((f) => f.text.replace(/\(\d\d \w{3} \d\d:\d\d \S+\)/, "(DATE)"))).toEqual([
      "Gateway rebooted 10m ago",
      "Last speed test failed (DATE)",
      "Onboarding not complete (PodsAdded)",
      "Service level: basic",
    ]);
  });

  test("at most 5 findings, worst first", () => {
    const input = inputOf(LOC.podDown);
    const many = Array.from({ length: 8 }, (_, i) => ({
      ...input.nodes?.[1],
      id: `P${i}`,
      nickname: `p${i}`,
      health: { status: "poor", score: 1 },
    }));
    const r = analyzeHealth({ ...input, nodes: [...(input.nodes ?? []), ...many] }, now);
    expect(r.findings).toHaveLength(5);
    expect(r.findings[0]?.text).toMatch(/^Pod Office is offline/);
  });

  test("devices that left are counted, never raise the level", () => {
    const r = analyzeHealth(inputOf(LOC.healthy), now);
    expect(r.level).toBe("healthy");
    expect(r.devices).toEqual({ online: 1, offlineHour: 1, offlineToday: 2, unreadable: 0 });
  });

  test("secrets are gone after parsing", () => {
    const text = JSON.stringify(inputOf(LOC.healthy));
    expect(text).not.toContain(WPA_KEY);
    expect(text).not.toContain(PPPOE);
  });
});

describe("the verdict combines the sources and never gets better for a missing one", () => {
  const at = Date.UTC(2026, 10, 22, 12, 0);
  const ago = (h: number) => new Date(at - h * HOUR).toISOString();
  const node = (id: string, state: string, over: Partial<PlumeNode> = {}): PlumeNode => ({
    id,
    nickname: id,
    connectionState: state,
    connectionStateChangeAt: ago(2),
    ...over,
  });
  const summary = (gateway: string | undefined, up: number, claimed: number) => ({
    summary: {
      ...(gateway ? { gatewayConnectionState: gateway } : {}),
      nodeConnectedCount: up,
      nodeClaimedCount: claimed,
    },
  });
  const pod = (id: string, state: string) => node(id, state, { leafToRoot: [{ id: "GW" }] });
  const gw = (state: string) => node("GW", state, { leafToRoot: [] });

  test.each([
    [
      "no leafToRoot on any node, one pod down, summary 2 of 3",
      {
        location: summary(undefined, 2, 3),
        nodes: [node("A", "connected"), node("B", "disconnected"), node("C", "connected")],
      },
      "partial",
      ["Pod B is offline"],
      [],
    ],
    [
      "a disconnected pod first with an empty leafToRoot, summary: gateway connected",
      {
        location: summary("connected", 2, 3),
        nodes: [node("B", "disconnected", { leafToRoot: [] }), gw("connected"), pod("C", "connected")],
      },
      "partial",
      ["Pod B is offline"],
      [],
    ],
    [
      "the pod list failed, summary 2 of 3",
      { location: summary("connected", 2, 3) },
      "partial",
      ["1 pod offline (names unavailable)"],
      ["pods unavailable"],
    ],
    [
      "the pod list failed, summary 3 of 3: healthy, but says it is incomplete",
      { location: summary("connected", 3, 3) },
      "healthy",
      [],
      ["pods unavailable"],
    ],
    [
      "the summary says the gateway is down although the list says connected: the summary decides",
      { location: summary("DISCONNECTED", 0, 2), nodes: [gw("connected"), pod("B", "connected")] },
      "offline",
      ["Gateway GW is offline"],
      [],
    ],
    [
      "no location (no summary) and no node connected",
      { nodes: [gw("disconnected"), pod("B", "disconnected")] },
      "offline",
      ["Gateway GW is offline"],
      ["location unavailable"],
    ],
    [
      "the summary counts more pods down than the list shows",
      { location: summary("connected", 1, 3), nodes: [gw("connected"), pod("B", "disconnected")] },
      "partial",
      ["Pod B is offline", "1 more pod offline (not in the pod list)"],
      [],
    ],
    [
      "the summary says all up but the list shows a pod down: the worse wins",
      { location: summary("connected", 2, 2), nodes: [gw("connected"), pod("B", "disconnected")] },
      "partial",
      ["Pod B is offline"],
      [],
    ],
    [
      "a pod that could not be read makes the report incomplete",
      {
        location: summary("connected", 2, 2),
        nodes: [gw("connected"), pod("B", "connected")],
        unreadableNodes: 1,
      },
      "healthy",
      [],
      ["1 pod unreadable"],
    ],
    [
      "health status in capitals",
      {
        location: summary("connected", 2, 2),
        nodes: [gw("connected"), pod("B", "Connected")].map((n) => ({ ...n, health: { status: "FAIR" } })),
      },
      "degraded",
      ["Pod GW health is FAIR", "Pod B health is FAIR"],
      [],
    ],
    [
      "two connected roots and nothing to tell them apart: no gateway is named, nothing is offline",
      {
        location: summary("connected", 2, 2),
        nodes: [node("A", "connected", { leafToRoot: [] }), node("B", "connected", { leafToRoot: [] })],
      },
      "healthy",
      [],
      [],
    ],
  ] as const)("%s", (_, input, level, findings, incomplete) => {
    const r = analyzeHealth({ devices: [], ...(input as HealthInput) }, at);
    expect(r.level).toBe(level);
    expect(r.findings.map((f) => f.text.replace(/ since .*$/, ""))).toEqual([...findings]);
    expect(r.incomplete).toEqual([...incomplete]);
  });

  test("a time in a finding says its zone (the customer's is not the server's)", () => {
    const r = analyzeHealth(
      {
        location: { ...summary("connected", 1, 2), geoIp: { timezone: "America/New_York" } },
        nodes: [gw("connected"), pod("B", "disconnected")],
        devices: [],
      },
      at,
    );
    expect(r.findings[0]?.text).toBe("Pod B is offline since 22 Nov 05:00 GMT-5 (2h)");
  });

  test("QoE that cannot be read is 'no data' and never changes the colour", () => {
    const base = { location: summary("connected", 1, 1), nodes: [gw("connected")], devices: [] };
    const without = analyzeHealth(base, at);
    expect([without.level, without.qoeNoData]).toEqual(["healthy", true]);
    const empty = analyzeHealth({ ...base, qoe: {} }, at);
    expect([empty.level, empty.qoeNoData]).toEqual(["healthy", true]);
  });
});

describe("never greener than the evidence; odd answers from another cloud", () => {
  const HEAD = { title: "Home", customerId: "c", locationId: "l" };
  const at = Date.UTC(2026, 10, 22, 12, 0);
  test("no summary and no pod list is unknown (⚪), never healthy", () => {
    const r = analyzeHealth(
      { location: v.parse(LocationSchema, { id: "x", name: "Home" }), devices: [] },
      at,
    );
    expect(r.level).toBe("unknown");
    expect(r.incomplete).toContain("pods unavailable");
    expect(r.findings.map((f) => f.text)).toEqual([
      "No evidence of health: no summary and no pod list could be read",
    ]);
  });

  test("a location answer wrapped one level deeper is read as the location", () => {
    const wrapped = {
      location: {
        id: "x",
        summary: { gatewayConnectionState: "Connected", nodeConnectedCount: 1, nodeClaimedCount: 1 },
      },
    };
    const loc = v.parse(LocationAnswerSchema, wrapped);
    expect(loc.summary?.nodeConnectedCount).toBe(1);
    expect(analyzeHealth({ location: loc, devices: [] }, at).level).toBe("healthy");
    expect(v.parse(LocationAnswerSchema, { data: { id: "y" } }).id).toBe("y");
    // An object that is a location itself is left alone.
    expect(unwrapLocation({ id: "z", location: { id: "inner" } })).toEqual({
      id: "z",
      location: { id: "inner" },
    });
  });

  test.each([
    ["America/New_York", "America/New_York", undefined],
    ["GMT-5", "-05:00", undefined],
    ["UTC+05:30", "+05:30", undefined],
    ["Mars/Base", "UTC", "Mars/Base"],
    ["", "UTC", ""],
  ] as const)("time zone %p is used as %p", (given, zone, unknown) => {
    expect(zoneOf(given)).toEqual(unknown === undefined ? { zone } : { zone, unknown });
  });

  test("an unknown or offset zone never breaks a report: offsets convert, unknown ones are UTC and say so", () => {
    const node = { id: "GW", nickname: "GW", connectionState: "disconnected", leafToRoot: [] };
    const offset = analyzeHealth(
      {
        location: v.parse(LocationSchema, { id: "x", geoIp: { timezone: "GMT-5" } }),
        nodes: [node],
        devices: [],
      },
      at,
    );
    expect(offset.level).toBe("offline");
    const unknown = analyzeHealth(
      {
        location: v.parse(LocationSchema, { id: "x", geoIp: { timezone: "Mars/Base" } }),
        nodes: [{ ...node, connectionStateChangeAt: new Date(at - HOUR).toISOString() }],
        devices: [],
      },
      at,
    );
    expect(unknown.findings[0]?.text).toBe("Gateway GW is offline since 22 Nov 11:00 UTC (1h)");
    const text = healthText(HEAD, unknown, []).text;
    expect(text).toContain('Times in UTC: the location\'s time zone "Mars/Base" is not one I know');
  });

  const gwNode = (over: Record<string, unknown> = {}) =>
    ({ id: "GW", nickname: "GW", connectionState: "connected", leafToRoot: [], ...over }) as never;
  const upSummary = (up: number, claimed: number) =>
    v.parse(LocationSchema, {
      id: "x",
      summary: { gatewayConnectionState: "connected", nodeConnectedCount: up, nodeClaimedCount: claimed },
    });

  test.each([
    ["still running", { status: "running", startedAt: new Date(at - HOUR).toISOString() }],
    ["failed 45 days ago", { status: "failed", startedAt: new Date(at - 45 * 24 * HOUR).toISOString() }],
    ["failed, no date", { status: "failed" }],
  ])("a speed test %s does not make the location degraded", (_, speedTest) => {
    const r = analyzeHealth({ location: upSummary(1, 1), nodes: [gwNode({ speedTest })], devices: [] }, at);
    expect([r.level, r.findings.map((f) => f.text)]).toEqual(["healthy", []]);
  });

  test("a summary claiming 0 pods while connected pods are listed trusts the list", () => {
    const r = analyzeHealth({ location: upSummary(0, 0), nodes: [gwNode()], devices: [] }, at);
    expect(r.level).toBe("healthy");
  });

  test("a pod with no state or 'unavailable' is not offline when the summary counts all connected", () => {
    const pods = [
      gwNode(),
      { id: "P1", nickname: "P1", leafToRoot: [{ id: "GW" }] },
      { id: "P2", nickname: "P2", connectionState: "unavailable", leafToRoot: [{ id: "GW" }] },
    ] as never[];
    expect(analyzeHealth({ location: upSummary(3, 3), nodes: pods, devices: [] }, at).level).toBe("healthy");
    // Without the summary's word for it, a pod that says nothing is not taken as up.
    expect(analyzeHealth({ location: upSummary(1, 3), nodes: pods, devices: [] }, at).level).toBe("partial");
  });

  test("a boot time ahead of the bot's clock is said, never 'rebooted 0 ms ago'", () => {
    const r = analyzeHealth(
      {
        location: upSummary(1, 1),
        nodes: [gwNode({ bootAt: new Date(at + 3 * HOUR).toISOString() })],
        devices: [],
      },
      at,
    );
    expect(r.level).toBe("healthy");
    expect(r.findings.map((f) => f.text)).toEqual([
      "Gateway boot time is ahead of this bot's clock (one of the clocks is wrong)",
    ]);
  });

  test("/wifi reads enable as the cloud sends it (and enabled as older answers did)", () => {
    const networks = ["enable", "enabled"].map((key) =>
      v.parse(WifiNetworkSchema, { ssid: `Guest-${key}`, [key]: false }),
    );
    const text = wifiText(HEAD, { items: networks, skipped: 0 }).text;
    expect(text).toContain("⚪ off · Guest-enable");
    expect(text).toContain("⚪ off · Guest-enabled");
    expect(text).not.toContain("🟢");
  });
});

describe("listIn: a list answer in any of its shapes, never a wrong shape as an empty list", () => {
  test.each([
    ["a bare list", [1, 2], [1, 2]],
    ["{nodes: [...]}", { nodes: [1] }, [1]],
    ["{nodes: {nodes: [...]}}", { nodes: { nodes: [1] } }, [1]],
    ["an empty list is a list", { nodes: [] }, []],
    ["another key", { pods: [1] }, undefined],
    ["no key", {}, undefined],
    ["null", null, undefined],
    ["a string", "nodes", undefined],
    ["{nodes: null}", { nodes: null }, undefined],
    ["{nodes: {}} is not a list of one (only singular answers are)", { nodes: {} }, undefined],
  ] as const)("%s", (_, json, expected) => {
    expect(listIn(json, "nodes")).toEqual(expected as unknown[] | undefined);
  });

  test("a singular answer is a list of one; items that do not fit are counted, not fatal", () => {
    expect(listIn({ wifiNetwork: { ssid: "x" } }, "wifiNetwork", true)).toEqual([{ ssid: "x" }]);
    expect(readItems([{ mac: "aa" }, { mac: 42 }, { mac: "bb", name: ["x"] }], DeviceSchema)).toEqual({
      items: [{ mac: "aa" }],
      skipped: 2,
    });
  });
});
