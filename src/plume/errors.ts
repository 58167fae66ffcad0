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
  constructor(
    readonly kind: PlumeErrorKind,
    readonly endpoint: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(`${endpoint}: ${kind}${status ? ` (${status})` : ""}`, options);
  }
}

/** One short line per kind (pure). */
export function plumeErrorText(e: PlumeError): string {
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
  return e.status ? `unavailable (${e.status})` : `unavailable (${e.kind})`;
}
