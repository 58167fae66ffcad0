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
  test("a health report: one token, four calls in parallel (the service level is in the location), secrets never reach the result", async () => {
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
    expect(cloud.calls.length).toBe(n + 4);
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
      "the firewall's 403 (no API error body)",
      LOC.rateLimited,
      "rate-limited",
      "The Plume cloud is rate-limiting these credentials: try again in a minute.",
      1,
    ],
    [
      "a 403 with the API's error: no access to this customer (after one token refresh)",
      LOC.forbidden,
      "forbidden",
      "These Plume credentials may not see this customer or pod.",
      2,
    ],
    ["500 is retried twice for a GET", LOC.serverError, "api", "The Plume API failed (a server error).", 3],
    ["invalid JSON", LOC.badJson, "invalid", "The Plume API sent an answer that could not be read.", 1],
  ] as const)("%s", async (_, loc, kind, text, calls) => {
    const { client } = await service();
    const r = await client.location(CUSTOMER, loc);
    if (r.ok) throw new Error("expected an error");
    expect(r.error.kind).toBe(kind);
    expect(plumeErrorText(r.error)).toBe(text);
    expect(cloud.calls.filter((c) => c.path.includes(loc))).toHaveLength(calls);
  });

  test("a 403 saying the token expired refreshes it once and the call succeeds; the new token is kept", async () => {
    const { client } = await service();
    expect((await client.location(CUSTOMER, LOC.healthy)).ok).toBe(true);
    cloud.revokeTokens();
    cloud.expiredStatus = 403;
    const r = await client.location(CUSTOMER, LOC.healthy);
    expect(r.ok).toBe(true);
    expect(cloud.tokensIssued).toBe(2);
    expect((await client.nodes(CUSTOMER, LOC.healthy)).ok).toBe(true);
    expect(cloud.tokensIssued).toBe(2);
  });

  test("a 403 still saying expired after the refresh is an auth failure, not 'forbidden'", async () => {
    const { client } = await service();
    cloud.expiredStatus = 403;
    cloud.tokenLifetime = -1; // every token is born expired
    const r = await client.location(CUSTOMER, LOC.healthy);
    expect(!r.ok && r.error.kind).toBe("auth");
    expect(cloud.tokensIssued).toBe(2);
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
    expect(!r.ok && plumeErrorText(r.error)).toBe("The Plume API did not answer in time.");
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  test("network errors and wrong credentials map to their own lines", async () => {
    const bad = await service({ authHeader: "Basic d3Jvbmc6d3Jvbmc=" });
    const auth = await bad.client.location(CUSTOMER, LOC.healthy);
    expect(!auth.ok && plumeErrorText(auth.error)).toBe(
      "Plume authentication failed: check the credentials (/auth).",
    );
    // Which side failed is said: the SSO (no token yet) or the API (with a token).
    const fresh = await service();
    const withToken = await service();
    expect((await withToken.client.location(CUSTOMER, LOC.healthy)).ok).toBe(true);
    await cloud.stop();
    const sso = await fresh.client.location(CUSTOMER, LOC.healthy);
    expect(!sso.ok && plumeErrorText(sso.error)).toBe(
      "The Plume SSO (token endpoint) could not be reached (network error).",
    );
    const api = await withToken.client.location(CUSTOMER, LOC.healthy);
    expect(!api.ok && plumeErrorText(api.error)).toBe("The Plume API could not be reached (network error).");
    cloud = startFakePlume();
  });

  test("QoE that fails is 'no data': never unavailable, never a colour", async () => {
    const { plume, client } = await service();
    const r = await plume.health("server", client, CUSTOMER, LOC.qoe404, false);
    if (!r.ok) throw r.error;
    expect(r.value.unavailable).toEqual([]);
    expect([r.value.report.level, r.value.report.qoeNoData]).toEqual(["healthy", true]);
  });

  test.each([
    ["lists as bare arrays: the pod down is still seen", LOC.bareLists, "partial", [], [], 0],
    [
      "the nodes call fails: the summary's count still says a pod is down",
      LOC.nodes500,
      "partial",
      ["pods unavailable"],
      ["Pods: unavailable (server error)"],
      0,
    ],
    [
      "no leafToRoot on any node: the pod down is not taken for the gateway",
      LOC.noRoots,
      "partial",
      [],
      [],
      0,
    ],
    ["a device with odd field types is counted, the others shown", LOC.oddDevice, "healthy", [], [], 1],
  ] as const)("%s", async (_, loc, level, incomplete, unavailable, unreadable) => {
    const { plume, client } = await service();
    const r = await plume.health("server", client, CUSTOMER, loc, false);
    if (!r.ok) throw r.error;
    expect(r.value.report.level).toBe(level);
    expect(r.value.report.incomplete).toEqual([...incomplete]);
    expect(r.value.unavailable).toEqual([...unavailable]);
    expect(r.value.report.devices?.unreadable).toBe(unreadable);
    expect(r.value.report.devices?.online).toBe(1);
  });

  test("a firewall 403 pauses only the credentials that got it; the API's own 403 pauses nothing", async () => {
    const { plume, client, repo } = await service();
    const forbidden = await client.location(CUSTOMER, LOC.forbidden);
    expect(!forbidden.ok && forbidden.error.kind).toBe("forbidden");
    expect((await client.location(CUSTOMER, LOC.healthy)).ok).toBe(true);
    const limited = await client.location(CUSTOMER, LOC.rateLimited);
    expect(!limited.ok && limited.error.kind).toBe("rate-limited");
    const n = cloud.calls.length;
    const paused = await client.location(CUSTOMER, LOC.healthy);
    expect(!paused.ok && paused.error.kind).toBe("rate-limited");
    expect(cloud.calls.length).toBe(n); // refused without a call
    // A user with credentials of their own is not paused.
    await repo.saveCredentials(
      7,
      { ssoUrl: cloud.ssoUrl, authHeader: AUTH, partnerId: PARTNER, apiBase: cloud.apiBase },
      Date.now(),
    );
    const user = await plume.forUser(7);
    if (!user.ok) throw new Error(user.error);
    expect((await user.value.client.location(CUSTOMER, LOC.healthy)).ok).toBe(true);
  });

  test("nested and bare list shapes, Wi-Fi without keys, node lookup", async () => {
    const { client } = await service();
    const nodes = await client.nodes(CUSTOMER, LOC.healthy);
    expect(nodes.ok && nodes.value.items.map((n) => n.id)).toEqual(["GW0001", "POD002", "POD003"]);
    const wifi = await client.wifi(CUSTOMER, LOC.healthy);
    expect(wifi.ok && wifi.value.items).toMatchObject([
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
    await Promise.all(Array.from({ length: 15 }, () => client.devices(CUSTOMER, LOC.healthy)));
    const times = cloud.calls.filter((c) => c.path.includes("/devices")).map((c) => c.at);
    // Arrival times jitter under load: 5 per second at the client never shows more than 5 in 900 ms here.
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 900).length).toBeLessThanOrEqual(5);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
  });
});
