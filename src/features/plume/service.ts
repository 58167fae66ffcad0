import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import type { PlumeCredentials, PlumeRepo } from "../../storage/plume-repo.ts";
import { createPlumeClient, type Http, type PlumeClient } from "./client.ts";
import { checkUserEndpoint, type EndpointPolicy, hostOf } from "./endpoints.ts";

import { PlumeError, unavailableText } from "./errors.ts";
import { analyzeHealth, type HealthInput, type HealthReport } from "./health.ts";
import { createCredentialGate, createPlumeLimiter } from "./limiter.ts";
import type { PlumeLocation, PlumeNode } from "./schemas.ts";
import { createTokenSource } from "./tokens.ts";

/**
 * Who talks to Plume with which credentials, and the reports built from several calls.
 * Per-user credentials (/auth) take precedence over the server's (PLUME_* environment).
 */

export const DEFAULT_API_BASE = "https://piranha-gamma.prod.us-west-2.aws.plumenet.io/api";

export interface HealthResult {
  report: HealthReport;
  location?: PlumeLocation;
  nodes?: PlumeNode[];
  /** "Pods: unavailable (timed out)" lines for sub-calls that failed (QoE never: it has no data). */
  unavailable: string[];
  calls: number;
  /** When the location answer was fetched (older than now when it came from the cache). */
  fetchedAt: number;
}

export function createPlumeService(deps: {
  server?: PlumeCredentials;
  repo: PlumeRepo;
  clock: Clock;
  log: Logger;
  timeoutMs: number;
  cacheTtlMs: number;
  defaultApiBase?: string;
  /** Checked again at use for credentials a user entered (stored before a policy change, say). */
  endpoints?: EndpointPolicy;
  onSecret(value: string): void;
  sleep(ms: number): Promise<void>;
  random(): number;
  onCall?(endpoint: string, seconds: number, error?: string): void;
}) {
  const limiter = createPlumeLimiter(deps.clock, deps.sleep);
  const http: Http = {
    timeoutMs: deps.timeoutMs,
    limiter,
    sleep: deps.sleep,
    random: deps.random,
    ...(deps.onCall ? { onCall: deps.onCall } : {}),
  };
  const clients = new Map<string, { fingerprint: string; client: PlumeClient }>();
  const cache = new Map<string, { at: number; value: unknown }>();
  if (deps.server) deps.onSecret(deps.server.authHeader);

  async function credentialsFor(
    userId: number,
  ): Promise<{ owner: string; creds: PlumeCredentials } | undefined> {
    const own = await deps.repo.credentials(userId);
    if (own) {
      deps.onSecret(own.authHeader);
      return { owner: `user:${userId}`, creds: own };
    }
    return deps.server ? { owner: "server", creds: deps.server } : undefined;
  }

  function clientFor(owner: string, creds: PlumeCredentials): PlumeClient {
    const fingerprint = `${creds.ssoUrl}|${creds.partnerId}|${creds.apiBase ?? ""}|${Bun.hash(creds.authHeader)}`;
    const known = clients.get(owner);
    if (known?.fingerprint === fingerprint) return known.client;
    // A firewall 403 pauses these credentials' calls, not everyone's.
    const own: Http = { ...http, limiter: createCredentialGate(limiter, deps.clock) };
    const tokens = createTokenSource({
      owner,
      credentials: creds,
      repo: deps.repo,
      clock: deps.clock,
      http: own,
      onSecret: deps.onSecret,
    });
    const client = createPlumeClient({
      apiBase: creds.apiBase ?? deps.defaultApiBase ?? DEFAULT_API_BASE,
      tokens,
      http: own,
      ...(owner === "server"
        ? {}
        : {
            userSupplied: { sso: true, api: creds.apiBase !== undefined, ssoHost: hostOf(creds.ssoUrl) },
            onUserEndpointFailure: (e: PlumeError) =>
              deps.log.warn("a Plume endpoint given in /auth failed", {
                owner,
                endpoint: e.endpoint,
                kind: e.kind,
                status: e.status,
              }),
          }),
    });
    clients.set(owner, { fingerprint, client });
    return client;
  }

  /** Runs `call` through the cache (successes only) unless `refresh`. */
  async function cached<T>(
    key: string,
    refresh: boolean,
    call: () => Promise<Result<T, PlumeError>>,
  ): Promise<Result<T, PlumeError>> {
    const hit = cache.get(key);
    if (!refresh && hit && deps.clock.now() - hit.at < deps.cacheTtlMs) return ok(hit.value as T);
    const result = await call();
    if (result.ok) cache.set(key, { at: deps.clock.now(), value: result.value });
    if (cache.size > 2000) cache.delete(cache.keys().next().value as string);
    return result;
  }

  /** The client for a user, or why there is none. */
  async function forUser(userId: number): Promise<Result<{ owner: string; client: PlumeClient }, string>> {
    const found = await credentialsFor(userId);
    if (!found)
      return err(
        "Plume is not set up: use /auth to enter your credentials, or ask the operator to set PLUME_* on the server.",
      );
    if (found.owner !== "server" && deps.endpoints) {
      const { ssoUrl, apiBase } = found.creds;
      const sso = checkUserEndpoint(ssoUrl, "sso", deps.endpoints);
      const api = apiBase ? checkUserEndpoint(apiBase, "api", deps.endpoints) : ok(apiBase);
      if (!sso.ok || !api.ok)
        return err(
          `Your Plume credentials point at a host that is not allowed: ${sso.ok ? (api.ok ? "" : api.error) : sso.error} Use /auth again.`,
        );
    }
    return ok({ owner: found.owner, client: clientFor(found.owner, found.creds) });
  }

  return {
    forUser,
    /** The client with the server's credentials (unattended watch), if they are set. */
    serverClient: () => (deps.server ? clientFor("server", deps.server) : undefined),
    /** Forgets a user's client (after /logout or new credentials). */
    forget(userId: number) {
      clients.delete(`user:${userId}`);
      deps.repo.deleteToken(`user:${userId}`);
    },
    /** Fetches a token with these credentials, without storing anything (the /auth confirmation). */
    async verify(creds: PlumeCredentials): Promise<Result<void, PlumeError>> {
      const scratch = createTokenSource({
        owner: "verify",
        credentials: creds,
        repo: { ...deps.repo, saveToken: async () => {}, token: async () => undefined },
        clock: deps.clock,
        http,
        onSecret: deps.onSecret,
      });
      const token = await scratch.get(true);
      return token.ok ? ok(undefined) : token;
    },
    /** One call through the cache. */
    cached,
    /** When the cached answer under this key was fetched (undefined: none cached). */
    fetchedAt: (key: string) => cache.get(key)?.at,
    /** The cached answer under this key, if any (no call). */
    peek: <T>(key: string): T | undefined => cache.get(key)?.value as T | undefined,
    /**
     * The health report: four calls in parallel (the service level is in the location). A
     * sub-call that fails makes the report incomplete, never healthier; without both the
     * location and the pods there is no report.
     */
    async health(
      owner: string,
      client: PlumeClient,
      c: string,
      l: string,
      refresh: boolean,
    ): Promise<Result<HealthResult, PlumeError>> {
      const key = (e: string) => `${owner}|${c}|${l}|${e}`;
      const [location, nodes, devices, qoe] = await Promise.all([
        cached(key("location"), refresh, () => client.location(c, l)),
        cached(key("nodes"), refresh, () => client.nodes(c, l)),
        cached(key("devices"), refresh, () => client.devices(c, l)),
        cached(key("qoe"), refresh, () => client.qoe(c, l)),
      ]);
      if (!location.ok && (location.error.kind === "not-found" || location.error.kind === "auth"))
        return location;
      if (!location.ok && !nodes.ok) return location;
      const input: HealthInput = {
        ...(location.ok ? { location: location.value } : {}),
        ...(nodes.ok ? { nodes: nodes.value.items, unreadableNodes: nodes.value.skipped } : {}),
        ...(devices.ok ? { devices: devices.value.items, unreadableDevices: devices.value.skipped } : {}),
        ...(qoe.ok ? { qoe: qoe.value } : {}),
      };
      const failed = { Location: location, Pods: nodes, Devices: devices };
      const unavailable = Object.entries(failed).flatMap(([name, r]) =>
        r.ok ? [] : [`${name}: ${unavailableText(r.error)}`],
      );
      return ok({
        report: analyzeHealth(input, deps.clock.now()),
        ...(input.location ? { location: input.location } : {}),
        ...(input.nodes ? { nodes: input.nodes } : {}),
        unavailable,
        calls: 4,
        fetchedAt: cache.get(key("location"))?.at ?? deps.clock.now(),
      });
    },
  };
}

export type PlumeService = ReturnType<typeof createPlumeService>;
export { PlumeError };
