import type * as v from "valibot";
import { err, ok, type Result } from "../../shared/result.ts";
import { hostOf } from "./endpoints.ts";
import { markUserEndpoint, PlumeError } from "./errors.ts";
import { type CallOptions, callOnce, parseAnswer } from "./http.ts";
import {
  DeviceSchema,
  LocationSchema,
  listOf,
  NodeSchema,
  PartnerNodeSchema,
  QoeSchema,
  ServiceLevelSchema,
  WifiNetworkSchema,
} from "./schemas.ts";
import type { TokenSource } from "./tokens.ts";

/**
 * The Plume Customer API calls the bot makes. A 401 refreshes the token once and retries;
 * a second 401 means "not found, or not in your partner's scope". A 403 is the firewall's
 * rate limit (or a refusal): everything pauses for a while.
 */

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

  async function send<S extends v.GenericSchema>(
    method: "GET" | "POST",
    path: string,
    schema: S,
    endpoint: string,
    form?: Record<string, string>,
  ): Promise<Result<v.InferOutput<S>, PlumeError>> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await deps.tokens.get(attempt > 0);
      if (!token.ok) return token;
      const answer = await callOnce(
        {
          ...deps.http,
          method,
          url: `${base}${path}`,
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
        deps.http.limiter.pause(10_000);
        return err(new PlumeError("rate-limited", endpoint, 403));
      }
      if (status === 404) return err(new PlumeError("not-found", endpoint, 404));
      if (status !== 200) return err(new PlumeError("api", endpoint, status));
      return parseAnswer(text, schema, endpoint);
    }
    return err(new PlumeError("not-found", endpoint, 401));
  }

  const request = <S extends v.GenericSchema>(...args: Parameters<typeof send<S>>) =>
    send(...args).then(told);

  const loc = (c: string, l: string) =>
    `/Customers/${encodeURIComponent(c)}/locations/${encodeURIComponent(l)}`;

  return {
    location: (c: string, l: string) =>
      request("GET", `${loc(c, l)}?include=summary`, LocationSchema, "location"),
    nodes: (c: string, l: string) =>
      request("GET", `${loc(c, l)}/nodes`, listOf("nodes", NodeSchema), "nodes"),
    devices: (c: string, l: string) =>
      request("GET", `${loc(c, l)}/devices?daysOffline=1`, listOf("devices", DeviceSchema), "devices"),
    serviceLevel: (c: string, l: string) =>
      request("GET", `${loc(c, l)}/serviceLevel`, ServiceLevelSchema, "serviceLevel"),
    qoe: (c: string, l: string) =>
      request("POST", `${loc(c, l)}/appqoe/AppQoeStatsByTrafficClass`, QoeSchema, "QoE", {
        timePeriod: "last24Hours",
      }),
    async wifi(c: string, l: string) {
      const list = await request(
        "GET",
        `${loc(c, l)}/wifiNetworks`,
        listOf("wifiNetworks", WifiNetworkSchema),
        "wifiNetworks",
      );
      if (list.ok || list.error.kind !== "not-found" || list.error.status !== 404) return list;
      // Only the singular form is documented: fall back to it.
      const one = await request(
        "GET",
        `${loc(c, l)}/wifiNetwork`,
        listOf("wifiNetwork", WifiNetworkSchema),
        "wifiNetwork",
      );
      return one.ok ? ok(one.value) : one;
    },
    partnerNode: (serial: string) =>
      request("GET", `/partners/nodes/${encodeURIComponent(serial)}`, PartnerNodeSchema, "node lookup"),
  };
}

export type PlumeClient = ReturnType<typeof createPlumeClient>;
