import type * as v from "valibot";
import { err, ok, type Result } from "../../shared/result.ts";
import { hostOf } from "./endpoints.ts";
import { markUserEndpoint, PlumeError } from "./errors.ts";
import { type CallOptions, callOnce, parseAnswer, parseList } from "./http.ts";
import {
  DeviceSchema,
  LocationAnswerSchema,
  LocationSchema,
  NodeSchema,
  OnlineSampleSchema,
  PartnerNodeSchema,
  type PlumeLocation,
  QoeSchema,
  WanSampleSchema,
  WifiNetworkSchema,
} from "./schemas.ts";

/** `https://host/api` → `https://host/reports` (the same host, `/reports/` instead of `/api/`). Pure. */
export function reportsBaseOf(apiBase: string): string {
  const base = apiBase.replace(/\/+$/, "");
  return /\/api$/.test(base) ? `${base.slice(0, -4)}/reports` : `${new URL(base).origin}/reports`;
}

import type { TokenSource } from "./tokens.ts";

/**
 * The Plume Customer API calls the bot makes. A 401 refreshes the token once and retries;
 * a second 401 means "not found, or not in your partner's scope". A 403 has two meanings: with
 * the API's own error JSON it is "these credentials may not see this" (that request only),
 * after one token refresh (an expired token answered as 403 is fixed by it; one still saying
 * "expired" after it is an auth failure); without the JSON it is the firewall's rate limit,
 * and calls with these credentials pause.
 */

/** Does an API error say the token expired or is invalid (not that these credentials may not see it)? Pure. */
export function isExpiredToken(body: string): boolean {
  try {
    const e = (JSON.parse(body) as { error?: { message?: unknown; code?: unknown } })?.error;
    return /expired|invalid token|token (is )?invalid/i.test(`${e?.message ?? ""}`);
  } catch {
    return false;
  }
}

const LOCATION_PAGE = 100;
const LOCATION_PAGES = 10;

/** A customer's locations as far as they were read; `complete` false: more pages, unread. */
export interface CustomerLocations {
  items: PlumeLocation[];
  skipped: number;
  /** What the cloud says the customer has, when its answer says (`total`, `count`, `meta.total`). */
  total?: number;
  complete: boolean;
}

/** The total an envelope states, if any. Pure. */
export function totalIn(text: string): number | undefined {
  try {
    const json = JSON.parse(text) as Record<string, unknown> | unknown[];
    if (Array.isArray(json) || typeof json !== "object" || json === null) return undefined;
    const meta = (json.meta ?? json.pagination ?? {}) as Record<string, unknown>;
    for (const v of [json.total, json.count, json.totalCount, meta.total, meta.count, meta.totalCount])
      if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  } catch {
    // Not JSON: the parser says so.
  }
  return undefined;
}

/** Does a 403's body carry the API's own error shape (`{"error":{"statusCode":403,…}}`)? Pure. */
export function isApiRefusal(body: string): boolean {
  try {
    const e = (JSON.parse(body) as { error?: unknown })?.error;
    return typeof e === "object" && e !== null && ("statusCode" in e || "message" in e || "code" in e);
  } catch {
    return false;
  }
}

export type Http = Omit<CallOptions, "method" | "url" | "headers" | "body">;

export function createPlumeClient(deps: {
  apiBase: string;
  tokens: TokenSource;
  http: Http;
  /** Endpoints that came from a chat user (/auth): failures reaching them are told as one sentence. */
  userSupplied?: { sso: boolean; api: boolean; ssoHost: string };
  /** Where the details of such a failure go (status, endpoint): the log, for admins. */
  onUserEndpointFailure?(e: PlumeError): void;
}) {
  const base = deps.apiBase.replace(/\/+$/, "");
  const host = hostOf(base);
  const reportsRoot = reportsBaseOf(base);

  /** A failure reaching an endpoint a chat user gave becomes one sentence (details to the log). */
  function told<T>(r: Result<T, PlumeError>): Result<T, PlumeError> {
    const user = deps.userSupplied;
    if (r.ok || !user) return r;
    const sso = r.error.endpoint === "token";
    if (sso ? !user.sso : !user.api) return r;
    const marked = markUserEndpoint(r.error, sso ? user.ssoHost : host, sso ? "SSO" : "API");
    if (marked !== r.error) deps.onUserEndpointFailure?.(r.error);
    return marked === r.error ? r : err(marked);
  }

  async function send<T>(
    method: "GET" | "POST",
    path: string,
    endpoint: string,
    parse: (text: string) => Result<T, PlumeError>,
    form?: Record<string, string>,
  ): Promise<Result<T, PlumeError>> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await deps.tokens.get(attempt > 0);
      if (!token.ok) return token;
      const answer = await callOnce(
        {
          ...deps.http,
          method,
          // The Reports API lives beside the Customer API: `/reports/…` instead of `/api/…`.
          url: path.startsWith("/reports/")
            ? `${reportsRoot}${path.slice("/reports".length)}`
            : `${base}${path}`,
          headers: {
            Authorization: `Bearer ${token.value}`,
            Accept: "application/json",
            ...(form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
          },
          ...(form ? { body: new URLSearchParams(form).toString() } : {}),
        },
        endpoint,
      );
      if (!answer.ok) return answer;
      const { status, text } = answer.value;
      if (status === 401) continue;
      if (status === 403) {
        // The API's own 403 may mean an expired token (some clouds answer so instead of 401):
        // refresh once, then a second one is a real refusal, or expiry the new token did not fix.
        if (isApiRefusal(text)) {
          if (attempt === 0) continue;
          return err(new PlumeError(isExpiredToken(text) ? "auth" : "forbidden", endpoint, 403));
        }
        deps.http.limiter.pause(10_000);
        return err(new PlumeError("rate-limited", endpoint, 403));
      }
      if (status === 404) return err(new PlumeError("not-found", endpoint, 404));
      if (status !== 200) return err(new PlumeError("api", endpoint, status));
      return parse(text);
    }
    return err(new PlumeError("not-found", endpoint, 401));
  }

  const request = <T>(...args: Parameters<typeof send<T>>) => send(...args).then(told);
  const one =
    <S extends v.GenericSchema>(schema: S, endpoint: string) =>
    (text: string) =>
      parseAnswer(text, schema, endpoint);
  const list =
    <S extends v.GenericSchema>(key: string, item: S, endpoint: string, single = false) =>
    (text: string) =>
      parseList(text, key, item, endpoint, single);

  const loc = (c: string, l: string) =>
    `/Customers/${encodeURIComponent(c)}/locations/${encodeURIComponent(l)}`;

  return {
    location: (c: string, l: string) =>
      request("GET", `${loc(c, l)}?include=summary`, "location", one(LocationAnswerSchema, "location")),
    nodes: (c: string, l: string) =>
      request("GET", `${loc(c, l)}/nodes`, "nodes", list("nodes", NodeSchema, "nodes")),
    devices: (c: string, l: string) =>
      request(
        "GET",
        `${loc(c, l)}/devices?daysOffline=1`,
        "devices",
        list("devices", DeviceSchema, "devices"),
      ),
    qoe: (c: string, l: string) =>
      request("POST", `${loc(c, l)}/appqoe/AppQoeStatsByTrafficClass`, "QoE", one(QoeSchema, "QoE"), {
        timePeriod: "last24Hours",
      }),
    async wifi(c: string, l: string) {
      const path = `${loc(c, l)}/wifiNetworks`;
      const all = await request(
        "GET",
        path,
        "wifiNetworks",
        list("wifiNetworks", WifiNetworkSchema, "wifiNetworks"),
      );
      if (all.ok || all.error.kind !== "not-found" || all.error.status !== 404) return all;
      // Only the singular form is documented: fall back to it.
      const parse = list("wifiNetwork", WifiNetworkSchema, "wifiNetwork", true);
      const single = await request("GET", `${loc(c, l)}/wifiNetwork`, "wifiNetwork", parse);
      return single.ok ? ok(single.value) : single;
    },
    /**
     * A customer's locations, every page: LoopBack's `filter` (limit, skip) 100 at a time,
     * until a short page or one with nothing new (a cloud that ignores the filter), at most
     * 10 pages. A bare list or `{locations: […]}`; `total` when the cloud says one.
     */
    async locations(c: string): Promise<Result<CustomerLocations, PlumeError>> {
      const seen = new Set<string>();
      const out: CustomerLocations = { items: [], skipped: 0, complete: false };
      const parse = list("locations", LocationSchema, "locations");
      for (let page = 0; page < LOCATION_PAGES; page++) {
        const filter = encodeURIComponent(
          JSON.stringify({ limit: LOCATION_PAGE, skip: page * LOCATION_PAGE }),
        );
        let total: number | undefined;
        const r = await request(
          "GET",
          `/Customers/${encodeURIComponent(c)}/locations?filter=${filter}`,
          "locations",
          (text) => {
            total = totalIn(text);
            return parse(text);
          },
        );
        // A later page failing keeps what the first ones gave, said as incomplete.
        if (!r.ok) return page === 0 ? r : ok(out);
        if (total !== undefined) out.total = total;
        let fresh = 0;
        for (const l of r.value.items) {
          const key = l.id ?? JSON.stringify(l);
          if (seen.has(key)) continue;
          seen.add(key);
          out.items.push(l);
          fresh++;
        }
        out.skipped += r.value.skipped;
        if (r.value.items.length + r.value.skipped < LOCATION_PAGE || fresh === 0) {
          out.complete = true;
          return ok(out);
        }
      }
      return ok(out);
    },
    /** Uptime history (Reports API): online/offline samples. */
    onlineStats: (c: string, l: string, granularity: "minutes" | "hours" | "days", limit: number) =>
      request(
        "GET",
        `/reports${loc(c, l)}/onlineStats?granularity=${granularity}&limit=${limit}`,
        "onlineStats",
        list("locationState", OnlineSampleSchema, "onlineStats"),
      ),
    /** WAN consumption (Reports API): 15-minute samples. */
    wanStats: (c: string, l: string, period: "daily" | "weekly" | "monthly") =>
      request(
        "GET",
        `/reports${loc(c, l)}/wanStats?period=${period}`,
        "wanStats",
        list("fifteenMins", WanSampleSchema, "wanStats"),
      ),
    partnerNode: (serial: string) =>
      request(
        "GET",
        `/partners/nodes/${encodeURIComponent(serial)}`,
        "node lookup",
        one(PartnerNodeSchema, "node lookup"),
      ),
  };
}

export type PlumeClient = ReturnType<typeof createPlumeClient>;
