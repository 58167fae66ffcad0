import { err, ok, type Result } from "../../shared/result.ts";
import { isAcceptableApiUrl } from "../../shared/url.ts";
import type { PlumeCredentials } from "../../storage/plume-repo.ts";

/**
 * Server-side Plume credentials from the environment (the recommended way): PLUME_SSO_URL,
 * PLUME_AUTH_HEADER, PLUME_PARTNER_ID and optional PLUME_API_BASE. Pure. All three or none;
 * plain http only for loopback addresses.
 */
export function plumeFromEnv(
  env: Record<string, string | undefined>,
): Result<PlumeCredentials | undefined, string> {
  const sso = env.PLUME_SSO_URL?.trim();
  const header = env.PLUME_AUTH_HEADER?.trim();
  const partner = env.PLUME_PARTNER_ID?.trim();
  const api = env.PLUME_API_BASE?.trim();
  if (!sso && !header && !partner) return ok(undefined);
  const missing = [
    !sso && "PLUME_SSO_URL",
    !header && "PLUME_AUTH_HEADER",
    !partner && "PLUME_PARTNER_ID",
  ].filter(Boolean);
  if (missing.length) return err(`Plume: ${missing.join(", ")} missing (set all three, or none)`);
  if (!isAcceptableApiUrl(sso as string))
    return err("Plume: PLUME_SSO_URL must be an https:// URL (plain http only for loopback)");
  if (api && !isAcceptableApiUrl(api))
    return err("Plume: PLUME_API_BASE must be an https:// URL (plain http only for loopback)");
  if ((partner as string).length < 20) return err("Plume: PLUME_PARTNER_ID must have at least 20 characters");
  return ok({
    ssoUrl: sso as string,
    authHeader: header as string,
    partnerId: partner as string,
    ...(api ? { apiBase: api.replace(/\/+$/, "") } : {}),
  });
}
