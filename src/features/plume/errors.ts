/** Where a Plume call can fail, and the short line a support engineer reads on a phone. */

export type PlumeErrorKind =
  | "timeout"
  | "network"
  | "auth"
  | "not-found"
  | "rate-limited"
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
      return "Plume did not answer in time (timed out).";
    case "network":
      return "Network error: the Plume cloud could not be reached.";
    case "auth":
      return "Plume authentication failed: check the credentials (/auth).";
    case "not-found":
      return "Customer or location not found, or not in your partner's scope.";
    case "rate-limited":
      return "Denied or rate-limited by Plume (403): try again in a minute.";
    case "api":
      return `Plume API error (status ${e.status ?? "?"}).`;
    case "invalid":
      return "Plume sent an invalid response.";
  }
}

/** Short form for a failed sub-call inside a report: "unavailable (404)". */
export function unavailableText(e: PlumeError): string {
  if (e.userHost) return "unavailable";
  return e.status ? `unavailable (${e.status})` : `unavailable (${e.kind})`;
}
