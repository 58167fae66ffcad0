/** Where a Plume call can fail, and the short line a support engineer reads on a phone. */

export type PlumeErrorKind =
  | "timeout"
  | "network"
  | "auth"
  | "not-found"
  | "rate-limited"
  | "forbidden"
  | "api"
  | "invalid";

export class PlumeError extends Error {
  override readonly name = "PlumeError";
  /** Set when the failing endpoint came from a chat user (/auth): the chat gets one sentence. */
  readonly userHost: { host: string; side: "SSO" | "API" } | undefined;
  constructor(
    readonly kind: PlumeErrorKind,
    readonly endpoint: string,
    readonly status?: number,
    options?: ErrorOptions & { userHost?: { host: string; side: "SSO" | "API" } },
  ) {
    super(`${endpoint}: ${kind}${status ? ` (${status})` : ""}`, options);
    this.userHost = options?.userHost;
  }
}

/** Failures that say something about an endpoint's network position (not about the request). */
const REACHABILITY: readonly PlumeErrorKind[] = ["timeout", "network", "api", "invalid"];

/**
 * The same error marked as coming from a user-supplied endpoint, when it is about reaching
 * it: what such an endpoint answered must not reach the chat (it would make /auth a probe).
 */
export function markUserEndpoint(e: PlumeError, host: string, side: "SSO" | "API"): PlumeError {
  if (!REACHABILITY.includes(e.kind)) return e;
  return new PlumeError(e.kind, e.endpoint, e.status, { cause: e, userHost: { host, side } });
}

/** One short line per kind (pure). */
export function plumeErrorText(e: PlumeError): string {
  if (e.userHost) return `Could not reach the ${e.userHost.side} at ${e.userHost.host}.`;
  switch (e.kind) {
    case "timeout":
      return `The Plume ${side(e)} did not answer in time.`;
    case "network":
      return `The Plume ${side(e)} could not be reached (network error).`;
    case "auth":
      return "Plume authentication failed: check the credentials (/auth).";
    case "not-found":
      return "Customer or location not found, or not in your partner's scope.";
    case "rate-limited":
      return "The Plume cloud is rate-limiting these credentials: try again in a minute.";
    case "forbidden":
      return "These Plume credentials may not see this customer or pod.";
    case "api":
      return `The Plume ${side(e)} failed (${(e.status ?? 0) >= 500 ? "a server error" : "an unexpected answer"}).`;
    case "invalid":
      return `The Plume ${side(e)} sent an answer that could not be read.`;
  }
}

/** Which side failed, in a support engineer's words: the SSO (token endpoint) or the API. */
const side = (e: PlumeError) => (e.endpoint === "token" ? "SSO (token endpoint)" : "API");

/** Short form for a failed sub-call inside a report: "unavailable (timed out)"; never a bare status. */
export function unavailableText(e: PlumeError): string {
  if (e.userHost) return "unavailable";
  const why: Record<PlumeErrorKind, string> = {
    timeout: "timed out",
    network: "unreachable",
    auth: "authentication failed",
    "not-found": "not found",
    "rate-limited": "rate-limited",
    forbidden: "no access",
    api: (e.status ?? 0) >= 500 ? "server error" : "unexpected answer",
    invalid: "unexpected answer",
  };
  return `unavailable (${why[e.kind]})`;
}
