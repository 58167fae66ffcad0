import { createHash, timingSafeEqual } from "node:crypto";
import { readBounded } from "../../shared/bounded.ts";
import type { Logger } from "../../shared/log.ts";
import type { Bridge } from "./bridge.ts";
import { parsePayload } from "./payload.ts";

/**
 * The webhook Alertmanager posts to (on the http listener, at alertmanager.path): a bearer
 * token (Alertmanager's `http_config.authorization`), compared in constant time; a body of
 * at most MAX_BODY; payload version 4. Answers: 200 applied (or already shown), 400 a body
 * that is not a notification, 401 a wrong token, 413 too large, 500 not stored (Alertmanager
 * retries: nothing was half-applied).
 */

export const MAX_BODY = 1024 * 1024;

const digest = (s: string) => createHash("sha256").update(s).digest();

export function createReceiver(deps: { token: () => string | undefined; bridge: Bridge; log: Logger }) {
  const text = (body: string, status: number) =>
    new Response(`${body}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
  return async (req: Request): Promise<Response> => {
    if (req.method !== "POST") return text("POST an Alertmanager webhook here", 405);
    const token = deps.token();
    if (!token) {
      deps.log.error("alertmanager webhook refused: OCTOPUS_ALERTMANAGER_TOKEN is not set");
      return text("this bot has no token for Alertmanager (OCTOPUS_ALERTMANAGER_TOKEN)", 503);
    }
    const given = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1] ?? "";
    if (!timingSafeEqual(digest(given), digest(token))) {
      deps.log.warn("alertmanager webhook refused: wrong or missing bearer token");
      return text("wrong or missing bearer token", 401);
    }
    const length = Number(req.headers.get("content-length") ?? 0);
    if (length > MAX_BODY) return text(`the body is larger than ${MAX_BODY} bytes`, 413);
    const body = req.body ? await readBounded(req.body, MAX_BODY) : "";
    if (body === undefined) return text(`the body is larger than ${MAX_BODY} bytes`, 413);
    const payload = parsePayload(body);
    if (!payload.ok) {
      deps.log.warn("alertmanager webhook refused", { reason: payload.error });
      return text(payload.error, 400);
    }
    const r = deps.bridge.receive(payload.value);
    if (!r.ok) {
      deps.log.error("alertmanager notification not stored: Alertmanager will retry", { error: r.error });
      return text("not stored: retry later", 500);
    }
    return text(r.value, 200);
  };
}
