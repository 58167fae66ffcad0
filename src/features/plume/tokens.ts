import type { Clock } from "../../shared/clock.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import type { PlumeCredentials, PlumeRepo } from "../../storage/plume-repo.ts";
import { PlumeError } from "./errors.ts";
import { type CallOptions, callOnce, parseAnswer } from "./http.ts";
import { TokenSchema } from "./schemas.ts";

/**
 * An OAuth client-credentials token for one owner (`server` or `user:<id>`): fetched from
 * the SSO URL, kept (sealed in SQLite) until 60 s before it expires, refreshed once for
 * everyone who asks at the same time.
 */

export interface TokenSource {
  /** A valid token; `refresh` forces a new one (after a 401). */
  get(refresh?: boolean): Promise<Result<string, PlumeError>>;
}

/** The header as the partner portal gives it; a bare base64 value gets its "Basic " scheme. */
export const authorizationHeader = (given: string) =>
  /^\w+\s/.test(given.trim()) ? given.trim() : `Basic ${given.trim()}`;

export function createTokenSource(deps: {
  owner: string;
  credentials: PlumeCredentials;
  repo: PlumeRepo;
  clock: Clock;
  http: Omit<CallOptions, "method" | "url" | "headers" | "body">;
  /** Registers a secret with the log redactor and the script environment filter. */
  onSecret(value: string): void;
}): TokenSource {
  const { credentials: c, clock } = deps;
  let cached: { token: string; expiresAt: number } | undefined;
  let inflight: Promise<Result<string, PlumeError>> | undefined;

  async function fetchToken(): Promise<Result<string, PlumeError>> {
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      scope: `partnerId:${c.partnerId} role:partnerIdAdmin`,
    }).toString();
    const answer = await callOnce(
      {
        ...deps.http,
        // The SSO (Okta) is not the API's firewall: a token fetch does not use the API budget.
        limiter: { acquire: async () => true, pause: () => {} },
        method: "POST",
        url: c.ssoUrl,
        headers: {
          Authorization: authorizationHeader(c.authHeader),
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/json",
        },
        body,
      },
      "token",
    );
    if (!answer.ok) return answer;
    const { status, text } = answer.value;
    if (status === 400 || status === 401 || status === 403)
      return err(new PlumeError("auth", "token", status));
    if (status !== 200) return err(new PlumeError("api", "token", status));
    const parsed = parseAnswer(text, TokenSchema, "token");
    if (!parsed.ok) return parsed;
    const token = parsed.value.access_token;
    deps.onSecret(token);
    cached = { token, expiresAt: clock.now() + parsed.value.expires_in * 1000 };
    await deps.repo.saveToken(deps.owner, token, cached.expiresAt);
    return ok(token);
  }

  const fresh = (t: { expiresAt: number } | undefined) =>
    t !== undefined && clock.now() < t.expiresAt - 60_000;

  return {
    async get(refresh = false) {
      if (!refresh && fresh(cached)) return ok((cached as { token: string }).token);
      if (!refresh && !cached) {
        const stored = await deps.repo.token(deps.owner);
        if (stored && fresh(stored)) {
          cached = stored;
          deps.onSecret(stored.token);
          return ok(stored.token);
        }
      }
      inflight ??= fetchToken().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
  };
}
