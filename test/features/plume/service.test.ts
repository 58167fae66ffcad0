import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { plumeErrorText } from "../../../src/features/plume/errors.ts";
import { createPlumeService } from "../../../src/features/plume/service.ts";
import { systemClock } from "../../../src/shared/clock.ts";
import { createSecretBox } from "../../../src/storage/crypto.ts";
import { openMemoryDb } from "../../../src/storage/db.ts";
import { createPlumeRepo } from "../../../src/storage/plume-repo.ts";
import {
  AUTH,
  CUSTOMER,
  type FakePlume,
  LOC,
  PARTNER,
  startFakePlume,
  WPA_KEY,
} from "../../support/fake-plume.ts";
import { captureLog } from "../../support/harness.ts";

let cloud: FakePlume;
beforeEach(() => {
  cloud = startFakePlume();
});
afterEach(async () => {
  await cloud.stop();
});

async function service(over: { timeoutMs?: number; authHeader?: string } = {}) {
  const repo = createPlumeRepo(
    openMemoryDb(),
    await createSecretBox(crypto.getRandomValues(new Uint8Array(32))),
  );
  const secrets: string[] = [];
  const { log, lines } = captureLog();
  const plume = createPlumeService({
    server: {
      ssoUrl: cloud.ssoUrl,
      authHeader: over.authHeader ?? AUTH,
      partnerId: PARTNER,
      apiBase: cloud.apiBase,
    },
    repo,
    clock: systemClock,
    log,
    timeoutMs: over.timeoutMs ?? 2000,
    cacheTtlMs: 60_000,
    onSecret: (s) => secrets.push(s),
    sleep: Bun.sleep,
    random: () => 0.5,
  });
  const client = plume.serverClient();
  if (!client) throw new Error("no client");
  return { plume, client, repo, secrets, lines };
}

describe("Plume client against the fake cloud", () => {
  test("a health report: one token, five calls in parallel, secrets never reach the result", async () => {
    const { plume, client, secrets } = await service();
    const r = await plume.health("server", client, CUSTOMER, LOC.healthy, false);
    if (!r.ok) throw r.error;
    expect(r.value.report.level).toBe("healthy");
    expect(r.value.unavailable).toEqual([]);
    expect(cloud.tokensIssued).toBe(1);
    expect(
      cloud.calls
        .filter((c) => c.path.startsWith("/api"))
        .map((c) => `${c.method} ${c.path.split("/").slice(6).join("/") || "location"}`)
        .sort(),
    ).toEqual(
      [
        "GET appqoe/AppQoeStatsByTrafficClass".replace("GET", "POST"),
        "GET devices?daysOffline=1",
        "GET location",
        "GET nodes",
        "GET serviceLevel",
      ].sort(),
    );
    expect(JSON.stringify(r.value)).not.toContain(WPA_KEY);
    expect(secrets).toContain(AUTH);
    expect(secrets.some((s) => s.startsWith("tok-"))).toBe(true);
  });

  test("the cache answers a repeat without calls; refresh bypasses it", async () => {
    const { plume, client } = await service();
    await plume.health("server", client, CUSTOMER, LOC.healthy, false);
    const n = cloud.calls.length;
    await plume.health("server", client, CUSTOMER, LOC.healthy, false);
    expect(cloud.calls.length).toBe(n);
    await plume.health("server", client, CUSTOMER, LOC.healthy, true);
    expect(cloud.calls.length).toBe(n + 5);
  });

  test("a token that expires is refreshed from the stored credentials; concurrent requests share one refresh", async () => {
    cloud.tokenLifetime = 61; // kept until 60 s before expiry: stale after ~1 s
    const { client } = await service();
    expect((await client.location(CUSTOMER, LOC.healthy)).ok).toBe(true);
    expect(cloud.tokensIssued).toBe(1);
    await Bun.sleep(1100);
    const all = await Promise.all([
      client.location(CUSTOMER, LOC.healthy),
      client.nodes(CUSTOMER, LOC.healthy),
      client.devices(CUSTOMER, LOC.healthy),
    ]);
    expect(all.every((r) => r.ok)).toBe(true);
    expect(cloud.tokensIssued).toBe(2);
  });

  test("a 401 from the API refreshes once; a second 401 means not found or not yours", async () => {
    const { client } = await service();
    const r = await client.location(CUSTOMER, LOC.missing);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("not-found");
    expect(plumeErrorText(r.error)).toBe("Customer or location not found, or not in your partner's scope.");
    expect(cloud.tokensIssued).toBe(2);
    expect(cloud.calls.filter((c) => c.path.includes(LOC.missing))).toHaveLength(2);
  });

  test.each([
    [
      "rate limit (403)",
      LOC.rateLimited,
      "rate-limited",
      "Denied or rate-limited by Plume (403): try again in a minute.",
      1,
    ],
    ["500 is retried twice for a GET", LOC.serverError, "api", "Plume API error (status 500).", 3],
    ["invalid JSON", LOC.badJson, "invalid", "Plume sent an invalid response.", 1],
  ] as const)("%s", async (_, loc, kind, text, calls) => {
    const { client } = await service();
    const r = await client.location(CUSTOMER, loc);
    if (r.ok) throw new Error("expected an error");
    expect(r.error.kind).toBe(kind);
    expect(plumeErrorText(r.error)).toBe(text);
    expect(cloud.calls.filter((c) => c.path.includes(loc))).toHaveLength(calls);
  });

  test("a POST is never retried", async () => {
    const { client } = await service();
    const r = await client.qoe(CUSTOMER, LOC.serverError);
    expect(!r.ok && r.error.kind).toBe("api");
    expect(cloud.calls.filter((c) => c.method === "POST" && c.path.includes(LOC.serverError))).toHaveLength(
      1,
    );
  });

  test("a slow answer times out per attempt with a fresh signal", async () => {
    cloud.slowMs = 3000;
    const { client } = await service({ timeoutMs: 300 });
    const t0 = Date.now();
    const r = await client.location(CUSTOMER, LOC.slow);
    expect(!r.ok && plumeErrorText(r.error)).toBe("Plume did not answer in time (timed out).");
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  test("network errors and wrong credentials map to their own lines", async () => {
    const bad = await service({ authHeader: "Basic d3Jvbmc6d3Jvbmc=" });
    const auth = await bad.client.location(CUSTOMER, LOC.healthy);
    expect(!auth.ok && plumeErrorText(auth.error)).toBe(
      "Plume authentication failed: check the credentials (/auth).",
    );
    const { client } = await service();
    await cloud.stop();
    const net = await client.location(CUSTOMER, LOC.healthy);
    expect(!net.ok && plumeErrorText(net.error)).toBe("Network error: the Plume cloud could not be reached.");
    cloud = startFakePlume();
  });

  test("a failed sub-call shows as unavailable and the rest of the report still comes", async () => {
    const { plume, client } = await service();
    const r = await plume.health("server", client, CUSTOMER, LOC.qoe404, false);
    if (!r.ok) throw r.error;
    expect(r.value.unavailable).toEqual(["QoE: unavailable (404)"]);
    expect(r.value.report.level).toBe("healthy");
  });

  test("nested and bare list shapes, Wi-Fi without keys, node lookup", async () => {
    const { client } = await service();
    const nodes = await client.nodes(CUSTOMER, LOC.healthy);
    expect(nodes.ok && nodes.value.map((n) => n.id)).toEqual(["GW0001", "POD002", "POD003"]);
    const wifi = await client.wifi(CUSTOMER, LOC.healthy);
    expect(wifi.ok && wifi.value).toMatchObject([
      { ssid: "HomeNet", enabled: true, wpaMode: "wpa2-psk", vapType: "home" },
    ]);
    expect(JSON.stringify(wifi)).not.toContain(WPA_KEY);
    expect(JSON.stringify(wifi)).not.toContain("encryptionKey");
    const found = await client.partnerNode("POD002");
    expect(found.ok && found.value.locationId).toBe(LOC.podDown);
  });

  test("the client-side limiter keeps the bot under 5 requests a second", async () => {
    const { client } = await service();
    await client.location(CUSTOMER, LOC.healthy); // token
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 15 }, () => client.serviceLevel(CUSTOMER, LOC.healthy)));
    const times = cloud.calls.filter((c) => c.path.endsWith("/serviceLevel")).map((c) => c.at);
    // Arrival times jitter under load: 5 per second at the client never shows more than 5 in 900 ms here.
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 900).length).toBeLessThanOrEqual(5);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
  });
});
