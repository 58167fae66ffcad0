import type { HttpClient } from "../../http/server.ts";
import { readBounded } from "../../shared/bounded.ts";
import type { Logger } from "../../shared/log.ts";
import type { Assets } from "./assets.ts";
import type { Refusal } from "./auth.ts";
import { clientInfo, wantsPage } from "./guard.ts";
import { refusalOf, refusalPage, SECURITY_HEADERS } from "./pages.ts";

/** How the dashboard answers: JSON with its headers, a refusal (page or JSON, logged), a bounded JSON body. */

export type Denied =
  | Refusal
  | { kind: "csrf" }
  | { kind: "admin-only" }
  | { kind: "bad-request"; detail: string };

export type Refuse = (req: Request, client: HttpClient, denied: Denied) => Response;

export const json = (data: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(data, { status, headers: { ...SECURITY_HEADERS, ...headers } });

const MAX_BODY = 64 * 1024;

export function createRefuse(log: Logger, assets: Assets): Refuse {
  return (req, client, denied) => {
    const path = new URL(req.url).pathname;
    log.warn("web request refused", { refusal: denied.kind, path, address: clientInfo(req, client).address });
    if (wantsPage(req)) return refusalPage(denied, assets.cssPath());
    const { status, title, text } = refusalOf(denied);
    return json({ error: `${title}: ${text}` }, status);
  };
}

/** A JSON object of at most 64 KiB, or undefined (too large, not JSON, not an object). */
export async function readJson(req: Request): Promise<Record<string, unknown> | undefined> {
  if (!req.body) return {};
  const text = await readBounded(req.body, MAX_BODY);
  if (text === undefined) return undefined;
  try {
    const value: unknown = text ? JSON.parse(text) : {};
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
