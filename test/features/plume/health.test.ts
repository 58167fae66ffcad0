import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { analyzeHealth, type HealthInput } from "../../../src/features/plume/health.ts";
import {
  DeviceSchema,
  LocationSchema,
  listOf,
  NodeSchema,
  QoeSchema,
  stripSecrets,
} from "../../../src/features/plume/schemas.ts";
import { LOC, PPPOE, scenario, WPA_KEY } from "../../support/fake-plume.ts";

const HOUR = 3_600_000;
function inputOf(locationId: string, over: Partial<HealthInput> = {}): HealthInput {
  const s = scenario(locationId);
  return {
    location: v.parse(LocationSchema, stripSecrets(s.location)),
    nodes: v.parse(listOf("nodes", NodeSchema), stripSecrets(s.nodes)),
    devices: v.parse(listOf("devices", DeviceSchema), stripSecrets(s.devices)),
    qoe: v.parse(QoeSchema, s.qoe),
    ...over,
  };
}

describe("analyzeHealth", () => {
  test.each([
    ["healthy", LOC.healthy, "healthy", []],
    ["one pod down", LOC.podDown, "partial", [/^Pod Office is offline since \d\d \w{3} \d\d:\d\d \(2h\)$/]],
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
        ? { ...n, bootAt: new Date(now - 10 * 60_000).toISOString(), speedTest: { status: "failed" } }
        : n,
    );
    const location = {
      ...input.location,
      summary: { ...input.location?.summary, onboardingStatus: "PodsAdded" },
      serviceLevel: { status: "basic" },
    };
    const r = analyzeHealth({ ...input, nodes, location }, now);
    expect(r.level).toBe("degraded");
    expect(r.findings.map((f) => f.text)).toEqual([
      "Gateway rebooted 10m ago",
      "Last speed test failed",
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
    expect(r.devices).toEqual({ online: 1, offlineHour: 1, offlineToday: 2 });
  });

  test("secrets are gone after parsing", () => {
    const text = JSON.stringify(inputOf(LOC.healthy));
    expect(text).not.toContain(WPA_KEY);
    expect(text).not.toContain(PPPOE);
  });
});
