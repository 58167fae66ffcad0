import type { HttpClient } from "../../http/server.ts";
import { isLoopbackHost } from "../../shared/url.ts";
import type { ClientInfo } from "./auth.ts";
import { browserOf } from "./user-agent.ts";

/**
 * Pure request checks. A request that changes something must come from the dashboard's own
 * page: its Origin is this listener's (or `http.public_url`'s) and the browser does not call it
 * cross-site. Browsers send Origin on every POST; a form or fetch from another site cannot
 * forge it, and the SameSite=Strict cookie is not sent with it anyway.
 */

export function sameOrigin(req: Request, publicOrigin: string | undefined): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin") return false;
  const origin = req.headers.get("origin");
  if (!origin) return false;
  return origin === new URL(req.url).origin || origin === publicOrigin;
}

/**
 * Who is asking: the socket's address; behind a proxy on loopback, the address it forwarded
 * (the last one: the one the proxy itself added). Only ever shown, never trusted for access.
 */
export function clientInfo(req: Request, client: HttpClient): ClientInfo {
  const peer = client.address.replace(/^::ffff:/, "");
  const forwarded = req.headers.get("x-forwarded-for");
  const last = forwarded?.split(",").at(-1)?.trim();
  const address =
    peer && isLoopbackHost(peer) && last && /^[0-9a-f.:]{2,45}$/i.test(last) ? last : peer || "unknown";
  return { address, browser: browserOf(req.headers.get("user-agent")) };
}

/** Whether the answer should be a page (a browser navigating) rather than JSON (the page's fetch). */
export const wantsPage = (req: Request): boolean => /\btext\/html\b/.test(req.headers.get("accept") ?? "");
