import type { Result } from "../../shared/result.ts";

/**
 * Which endpoints a chat user may make the bot call (pure). The /auth SSO URL and API base
 * come from a chat, so the bot must not become a way to probe the server's network: only
 * https (plain http only with `plume.allow_http`), only hosts on an allowlist (the documented
 * Plume hosts, extended by `plume.allowed_hosts`), no credentials in the URL, and a port only
 * where the allowlist entry names it. Endpoints the operator sets (PLUME_* environment,
 * `plume.api_base`) are trusted as written and do not pass through here.
 */

export const DEFAULT_SSO_HOSTS = ["*.sso.plume.com"] as const;
export const DEFAULT_API_HOSTS = ["*.plumenet.io", "*.plume.com"] as const;

export interface EndpointPolicy {
  /** `plume.allowed_hosts`: `host`, `*.domain` (its subdomains), either with an optional `:port`. */
  allowedHosts: readonly string[];
  /** `plume.allow_http`: plain http to allowlisted hosts (the tests' fake cloud on loopback). */
  allowHttp: boolean;
}

function matches(pattern: string, host: string, port: string): boolean {
  const m = /^(\*\.)?([^:]+)(?::(\d+))?$/.exec(pattern.toLowerCase());
  if (!m) return false;
  const [, wildcard, name = "", wantPort] = m;
  if (wantPort ? wantPort !== port : port !== "") return false;
  return wildcard ? host.endsWith(`.${name}`) && host.length > name.length + 1 : host === name;
}

/** The URL (normalized, no trailing slash) if a chat user may point the bot at it, else why not. */
export function checkUserEndpoint(
  text: string,
  kind: "sso" | "api",
  policy: EndpointPolicy,
): Result<string, string> {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, error: "That is not a URL." };
  }
  const httpOk = policy.allowHttp && url.protocol === "http:";
  if (url.protocol !== "https:" && !httpOk)
    return {
      ok: false,
      error: policy.allowHttp ? "Only https:// or http:// URLs." : "That is not an https:// URL.",
    };
  if (url.username || url.password)
    return { ok: false, error: "A URL with a user name or password is not accepted." };
  const host = url.hostname.toLowerCase();
  const defaults = kind === "sso" ? DEFAULT_SSO_HOSTS : DEFAULT_API_HOSTS;
  if (![...defaults, ...policy.allowedHosts].some((p) => matches(p, host, url.port)))
    return {
      ok: false,
      error: `${url.host} is not a Plume ${kind === "sso" ? "SSO" : "API"} host (${defaults.join(", ")}; an admin can add hosts with plume.allowed_hosts).`,
    };
  return { ok: true, value: url.toString().replace(/\/+$/, "") };
}

/**
 * Does this look like the Plume authorization header (pure)? `Basic <base64>` or the bare
 * base64, decoding to a printable `client-id:secret`. Anything else is a paste mistake.
 */
export function looksLikeAuthHeader(text: string): boolean {
  const b64 = /^\s*(?:Basic\s+)?([A-Za-z0-9+/]+={0,2})\s*$/i.exec(text)?.[1];
  if (!b64 || b64.length % 4 !== 0) return false;
  const decoded = Buffer.from(b64, "base64").toString("utf8");
  return /^[\x21-\x7e]+:[\x20-\x7e]+$/.test(decoded);
}

/** The host (and port) of a URL, for messages; the text itself when it is not a URL. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
