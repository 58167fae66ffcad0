import { createHmac } from "node:crypto";
import { err, ok, type Result } from "../../shared/result.ts";
import { sameSecret } from "./secrets.ts";

/**
 * Pure: a Telegram Mini App's initData, checked as the Bot API documents it: the data-check
 * string is every field but `hash`, sorted, `key=value` joined by newlines; the secret key is
 * HMAC-SHA256 of the bot token keyed with "WebAppData"; `hash` is the hex HMAC-SHA256 of the
 * data-check string with that key. `auth_date` must be recent: a leaked initData soon expires.
 */

export interface MiniAppUser {
  id: number;
  name: string;
  authDate: number;
}

const MAX_INIT_DATA = 4096;

export function signInitData(fields: Record<string, string>, botToken: string): string {
  const key = createHmac("sha256", "WebAppData").update(botToken).digest();
  const check = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join("\n");
  return createHmac("sha256", key).update(check).digest("hex");
}

export function verifyInitData(
  initData: string,
  botToken: string,
  nowMs: number,
  maxAgeMs: number,
): Result<MiniAppUser, string> {
  if (initData.length > MAX_INIT_DATA) return err("initData is too long");
  const params = new URLSearchParams(initData);
  const hash = params.get("hash");
  if (!hash || !/^[0-9a-f]{64}$/.test(hash)) return err("initData has no hash");
  const fields: Record<string, string> = {};
  for (const [k, v] of params) if (k !== "hash") fields[k] = v;
  if (!sameSecret(signInitData(fields, botToken), hash)) return err("initData's signature does not match");
  const authDate = Number(fields.auth_date);
  if (!Number.isInteger(authDate)) return err("initData has no auth_date");
  const age = nowMs - authDate * 1000;
  if (age > maxAgeMs) return err("initData is too old: open the app again");
  if (age < -60_000) return err("initData is dated in the future");
  let user: unknown;
  try {
    user = JSON.parse(fields.user ?? "");
  } catch {
    return err("initData has no user");
  }
  const u = user as { id?: unknown; first_name?: unknown; last_name?: unknown; username?: unknown };
  if (typeof u?.id !== "number" || !Number.isSafeInteger(u.id)) return err("initData has no user");
  const name = [u.first_name, u.last_name].filter((x) => typeof x === "string" && x).join(" ");
  return ok({
    id: u.id,
    name: (name || (typeof u.username === "string" ? u.username : String(u.id))).slice(0, 64),
    authDate,
  });
}
