/**
 * A fake Plume cloud on 127.0.0.1 (Bun.serve, port 0): the Okta client-credentials token
 * endpoint and the Customer API endpoints the bot calls, with scenarios chosen by location
 * id. It records every call so tests assert on what the cloud received.
 */

export const PARTNER = "partner-0123456789abcdef";
export const AUTH = "Basic dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQtdmFsdWU=";
export const CUSTOMER = "5f0c8e2a9d3b4c1a2b3c4d00";
/** A customer with 130 locations, answered in pages as LoopBack's `filter` (limit, skip) asks. */
export const BIG_CUSTOMER = "5f0c8e2a9d3b4c1a2b3c4d01";
export const BIG_CUSTOMER_LOCATIONS = 130;
export const WPA_KEY = "wpa-super-secret-key-123";
export const PPPOE = "pppoe-password-9876";

/** Location ids (24 hex) that select a scenario. */
export const LOC = {
  healthy: "aaaaaaaaaaaaaaaaaaaa0001",
  podDown: "aaaaaaaaaaaaaaaaaaaa0002",
  gatewayOffline: "aaaaaaaaaaaaaaaaaaaa0003",
  notProvisioned: "aaaaaaaaaaaaaaaaaaaa0004",
  poorQoe: "aaaaaaaaaaaaaaaaaaaa0005",
  qoeDisabled: "aaaaaaaaaaaaaaaaaaaa0006",
  missing: "aaaaaaaaaaaaaaaaaaaa0007",
  rateLimited: "aaaaaaaaaaaaaaaaaaaa0008",
  serverError: "aaaaaaaaaaaaaaaaaaaa0009",
  slow: "aaaaaaaaaaaaaaaaaaaa000a",
  badJson: "aaaaaaaaaaaaaaaaaaaa000b",
  qoe404: "aaaaaaaaaaaaaaaaaaaa000c",
  /** 403 with the API's own error JSON: these credentials may not see it. */
  forbidden: "aaaaaaaaaaaaaaaaaaaa000d",
  /** A pod down, the lists answered as bare arrays. */
  bareLists: "aaaaaaaaaaaaaaaaaaaa000e",
  /** A pod down, the nodes call failing (500): only the summary knows. */
  nodes500: "aaaaaaaaaaaaaaaaaaaa000f",
  /** One device whose fields have unexpected types. */
  oddDevice: "aaaaaaaaaaaaaaaaaaaa0010",
  /** A pod down and no leafToRoot on any node. */
  noRoots: "aaaaaaaaaaaaaaaaaaaa0011",
} as const;

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const HOUR = 3_600_000;

function node(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    nickname: null,
    defaultName: `Pod ${id.slice(-3)}`,
    model: "SuperPod",
    firmwareVersion: "4.2.0",
    connectionState: "connected",
    connectionStateChangeAt: iso(48 * HOUR),
    backhaulType: "wifi",
    leafToRoot: [{ id: "GW0001" }],
    connectedDeviceCount: 3,
    bootAt: iso(48 * HOUR),
    health: { status: "excellent", score: 5 },
    alerts: [],
    ...over,
  };
}

function devicesOf(locationId: string, bare: boolean) {
  const devices: Record<string, unknown>[] = [
    {
      mac: "aa:bb:cc:00:00:01",
      name: "Phone",
      medium: "wifi",
      freqBand: "5G",
      connectionState: "connected",
      leafToRoot: [{ id: "POD003" }],
    },
    {
      mac: "aa:bb:cc:00:00:02",
      hostName: "laptop",
      medium: "wifi",
      freqBand: "2.4G",
      connectionState: "disconnected",
      offlineSince: iso(0.5 * HOUR),
    },
    {
      mac: "aa:bb:cc:00:00:03",
      nickname: "TV",
      medium: "ethernet",
      connectionState: "disconnected",
      offlineSince: iso(5 * HOUR),
    },
  ];
  // One device with fields of unexpected types: it is counted, the others still shown.
  if (locationId === LOC.oddDevice)
    devices.push({ mac: 42, name: ["not", "a", "name"], connectionState: "connected" });
  return bare ? devices : { devices };
}

export function scenario(locationId: string) {
  const gateway = node("GW0001", {
    nickname: "Living room",
    leafToRoot: [],
    backhaulType: "ethernet",
    speedTest: { status: "succeeded", download: 480, upload: 40, rtt: 9, startedAt: iso(HOUR) },
  });
  let nodes = [gateway, node("POD002", { nickname: "Office" }), node("POD003")];
  let qoe: unknown = [
    { trafficClass: "video_conferencing", score: 4.6 },
    { trafficClass: "gaming", score: 4.4 },
    { trafficClass: "av_streaming", score: 4.8 },
  ];
  let summary = {
    gatewayConnectionState: "connected",
    nodeConnectedCount: 3,
    nodeClaimedCount: 3,
    connectedDeviceCount: 9,
    onboardingStatus: "OnboardingComplete",
  };
  if (locationId === LOC.podDown || locationId === LOC.bareLists || locationId === LOC.nodes500) {
    nodes = [
      gateway,
      node("POD002", {
        nickname: "Office",
        connectionState: "disconnected",
        connectionStateChangeAt: iso(2 * HOUR),
      }),
      node("POD003"),
    ];
    summary = { ...summary, nodeConnectedCount: 2 };
  }
  if (locationId === LOC.gatewayOffline) {
    nodes = nodes.map((n) => ({
      ...n,
      connectionState: "disconnected",
      connectionStateChangeAt: iso(3 * HOUR),
    }));
    summary = { ...summary, gatewayConnectionState: "disconnected", nodeConnectedCount: 0 };
  }
  if (locationId === LOC.notProvisioned) {
    nodes = [];
    summary = { ...summary, nodeClaimedCount: 0, nodeConnectedCount: 0 };
  }
  if (locationId === LOC.poorQoe)
    qoe = [
      { trafficClass: "video_conferencing", score: 2.1 },
      { trafficClass: "gaming", score: 3.5 },
    ];
  if (locationId === LOC.qoeDisabled) qoe = {};
  if (locationId === LOC.noRoots) {
    nodes = [
      { ...gateway, leafToRoot: undefined as unknown as never[] },
      node("POD002", { nickname: "Office", connectionState: "disconnected", leafToRoot: undefined }),
      node("POD003", { leafToRoot: undefined }),
    ];
    summary = { ...summary, nodeConnectedCount: 2 };
  }
  const bare = locationId === LOC.bareLists;
  return {
    location: {
      id: locationId,
      name: `Home ${locationId.slice(-4)}`,
      serviceLevel: { status: "fullService" },
      geoIp: { timezone: "America/New_York", city: "Boston" },
      summary,
      backhaul: { mode: "auto", wpaKey: WPA_KEY },
      wanSettings: { pppoe: { username: "user", password: PPPOE } },
    },
    nodes: bare ? nodes : { nodes: { nodes } },
    devices: devicesOf(locationId, bare),
    wifi: {
      wifiNetworks: [
        {
          ssid: "HomeNet",
          enabled: true,
          wpaMode: "wpa2-psk",
          vapType: "home",
          encryptionKey: WPA_KEY,
          keys: [{ encryptionKey: WPA_KEY }],
        },
      ],
    },
    qoe,
  };
}

export interface FakePlume {
  url: string;
  ssoUrl: string;
  apiBase: string;
  calls: { method: string; path: string; at: number }[];
  tokensIssued: number;
  /** Lifetime of new tokens, seconds. */
  tokenLifetime: number;
  /** How an unknown or expired token is refused: 401 (Plume's usual) or 403 with the API's error JSON. */
  expiredStatus: 401 | 403;
  /** Forgets every token issued (the cloud revoked or expired them early). */
  revokeTokens(): void;
  /** Delay of every API answer, ms (bench). */
  delayMs: number;
  /** How long the "slow" location takes to answer, ms. */
  slowMs: number;
  stop(): Promise<void>;
}

export function startFakePlume(): FakePlume {
  const tokens = new Map<string, number>();
  const json = (body: unknown, status = 200) => Response.json(body, { status });
  const fake: FakePlume = {
    url: "",
    ssoUrl: "",
    apiBase: "",
    calls: [],
    tokensIssued: 0,
    tokenLifetime: 600,
    expiredStatus: 401,
    revokeTokens: () => tokens.clear(),
    delayMs: 0,
    slowMs: 15_000,
    stop: async () => {},
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 60,
    async fetch(req) {
      const url = new URL(req.url);
      fake.calls.push({ method: req.method, path: url.pathname + url.search, at: Date.now() });
      if (url.pathname === "/oauth2/test/v1/token") {
        const body = new URLSearchParams(await req.text());
        if (req.headers.get("authorization") !== AUTH)
          return json({ error: "invalid_client", error_description: "Client authentication failed." }, 401);
        if (
          body.get("grant_type") !== "client_credentials" ||
          body.get("scope") !== `partnerId:${PARTNER} role:partnerIdAdmin`
        ) {
          return json({ error: "invalid_scope", error_description: "bad scope" }, 400);
        }
        const token = `tok-${++fake.tokensIssued}-${crypto.randomUUID()}`;
        tokens.set(token, Date.now() + fake.tokenLifetime * 1000);
        return json({
          token_type: "Bearer",
          expires_in: fake.tokenLifetime,
          access_token: token,
          scope: body.get("scope"),
        });
      }
      if (fake.delayMs) await Bun.sleep(fake.delayMs);
      const bearer = req.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
      const expires = tokens.get(bearer);
      if (!expires || expires < Date.now()) {
        if (fake.expiredStatus === 403)
          return json({ error: { statusCode: 403, message: "Token expired", code: "AUTH00001" } }, 403);
        return json({ error: { statusCode: 401, message: "Authorization Required", code: "AUTH" } }, 401);
      }
      const partner = /^\/api\/partners\/nodes\/([^/]+)$/.exec(url.pathname);
      if (partner) {
        if (partner[1] === "POD002")
          return json({
            customerId: CUSTOMER,
            locationId: LOC.podDown,
            serialNumber: "POD002",
            partnerId: PARTNER,
          });
        if (partner[1] === "SPARE01") return json({ serialNumber: "SPARE01", partnerId: PARTNER });
        return json({ error: { statusCode: 404, message: "not found" } }, 404);
      }
      const reports =
        /^\/reports\/Customers\/[0-9a-f]{24}\/locations\/([0-9a-f]{24})\/(onlineStats|wanStats)$/.exec(
          url.pathname,
        );
      if (reports) return reportsAnswer(reports[1] as string, reports[2] as string, url.searchParams);
      const customer = /^\/api\/Customers\/([0-9a-f]{24})\/locations$/.exec(url.pathname);
      if (customer) {
        if (customer[1] === BIG_CUSTOMER) {
          const filter = JSON.parse(url.searchParams.get("filter") ?? "{}") as {
            limit?: number;
            skip?: number;
          };
          const all = Array.from({ length: BIG_CUSTOMER_LOCATIONS }, (_, i) => ({
            ...scenario(LOC.healthy).location,
            id: `bbbbbbbbbbbbbbbbbbbb${i.toString(16).padStart(4, "0")}`,
            name: `Branch ${i + 1}`,
          }));
          const skip = filter.skip ?? 0;
          const page = all.slice(skip, skip + (filter.limit ?? all.length));
          return json({ locations: page, total: all.length });
        }
        if (customer[1] !== CUSTOMER)
          return json({ error: { statusCode: 404, message: "no customer" } }, 404);
        // A bare list, as the explorer shows for this call.
        return json([LOC.healthy, LOC.podDown].map((id) => scenario(id).location));
      }
      const m = /^\/api\/Customers\/([0-9a-f]{24})\/locations\/([0-9a-f]{24})(\/.*)?$/.exec(url.pathname);
      if (!m) return json({ error: { statusCode: 404, message: "no route" } }, 404);
      const [, , loc, rest = ""] = m;
      if (loc === LOC.missing)
        return json(
          { error: { statusCode: 401, message: "Authorization required or customer id not found" } },
          401,
        );
      if (loc === LOC.rateLimited) return new Response("Forbidden", { status: 403 });
      if (loc === LOC.forbidden)
        return json({ error: { statusCode: 403, message: "Access denied", code: "AUTH00003" } }, 403);
      if (loc === LOC.nodes500 && rest === "/nodes")
        return json({ error: { statusCode: 500, message: "boom" } }, 500);
      if (loc === LOC.serverError) return json({ error: { statusCode: 500, message: "boom" } }, 500);
      if (loc === LOC.slow) await Bun.sleep(fake.slowMs);
      if (loc === LOC.badJson)
        return new Response("{not json", { headers: { "content-type": "application/json" } });
      const s = scenario(loc as string);
      if (rest === "") return json(s.location);
      if (rest === "/nodes") return json(s.nodes);
      if (rest === "/devices") return json(s.devices);
      if (rest === "/wifiNetworks") return json(s.wifi);
      if (rest === "/appqoe/AppQoeStatsByTrafficClass" && req.method === "POST") {
        if (loc === LOC.qoe404) return json({ error: { statusCode: 404, message: "no qoe" } }, 404);
        const form = new URLSearchParams(await req.text());
        if (form.get("timePeriod") !== "last24Hours")
          return json({ error: { statusCode: 422, message: "timePeriod" } }, 422);
        return json(s.qoe);
      }
      return json({ error: { statusCode: 404, message: "unknown endpoint" } }, 404);
    },
  });
  fake.url = `http://127.0.0.1:${server.port}`;
  fake.ssoUrl = `${fake.url}/oauth2/test/v1/token`;
  fake.apiBase = `${fake.url}/api`;
  fake.stop = async () => {
    await server.stop(true);
  };
  return fake;
}

/**
 * The Reports API: `onlineStats` (hourly samples; the "podDown" location was offline for two
 * hours, three hours ago) and `wanStats` (15-minute samples, 100 MB down and 10 MB up each).
 */
function reportsAnswer(location: string, kind: string, q: URLSearchParams): Response {
  const now = Date.now();
  if (kind === "onlineStats") {
    const limit = Number(q.get("limit") ?? 24);
    const step =
      q.get("granularity") === "minutes" ? 60_000 : q.get("granularity") === "days" ? 24 * HOUR : HOUR;
    const locationState = Array.from({ length: limit }, (_, i) => {
      const at = now - (limit - i) * step;
      const down = location === LOC.podDown && at >= now - 4 * HOUR && at < now - 2 * HOUR;
      return { timestamp: new Date(at).toISOString(), value: down ? "offline" : "online" };
    });
    return Response.json({
      statsDateRange: { start: locationState[0]?.timestamp, end: new Date(now).toISOString() },
      locationState,
    });
  }
  const period = q.get("period");
  if (period !== "daily" && period !== "weekly" && period !== "monthly")
    return Response.json({ error: { statusCode: 422, message: "period" } }, { status: 422 });
  const n = period === "daily" ? 96 : period === "weekly" ? 96 * 7 : 96 * 30;
  const fifteenMins = Array.from({ length: n }, (_, i) => ({
    timestamp: now - (n - i) * 15 * 60_000,
    rxMbytes: 100,
    txMbytes: 10,
    rxMaxMbps: i === 3 ? 450 : 120,
    txMaxMbps: 40,
  }));
  return Response.json({ fifteenMins });
}
