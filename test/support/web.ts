import type { LocalUser } from "../../src/console/local-api/state.ts";
import { freePort } from "./alertmanager.ts";
import { ADMIN, type Harness, startHarness, VIEWER } from "./harness.ts";

/** The dashboard under test: a harness with http.dashboard on, and logins as a browser makes them. */

export const webConfig = (port: number, extra = "", admins: readonly number[] = [ADMIN.id]) => `
telegram:
  admins: [${admins.join(", ")}]
  viewers: [${VIEWER.id}]
  alert_chats: [${ADMIN.id}]
http:
  listen: 127.0.0.1:${port}
  dashboard: true
${extra}`;

export async function startWeb(
  extraYaml = "",
  scriptsYaml = "",
  options: Parameters<typeof startHarness>[1] = {},
  admins: readonly number[] = [ADMIN.id],
  port = freePort(),
) {
  const h = await startHarness(`${webConfig(port, extraYaml, admins)}\n${scriptsYaml}`, options);
  h.api.openChat(ADMIN.id, ADMIN);
  h.api.openChat(VIEWER.id, VIEWER);
  return { h, port, origin: `http://127.0.0.1:${port}` };
}

/** Sends /web as the user and returns the link the bot answered with. */
export async function linkFor(h: Harness, user: LocalUser): Promise<string> {
  const since = h.api.state.events.length;
  h.api.userSays(user.id, user, "/web");
  const e = await h.api.waitFor(
    (ev) =>
      ev.type === "message" && ev.message.chatId === user.id && /\/web\/login\?t=/.test(ev.message.text),
    10_000,
    since,
  );
  if (e.type !== "message") throw new Error("no link");
  const m = /(http:\/\/\S+\/web\/login\?t=[A-Za-z0-9_-]+)/.exec(e.message.text);
  if (!m) throw new Error(`no link in ${e.message.text}`);
  return m[1] as string;
}

/** Posts the link's login form as its page would; returns the response (303 with the cookie on success). */
export async function redeem(link: string, origin: string, headers: Record<string, string> = {}) {
  const token = new URL(link).searchParams.get("t") ?? "";
  return fetch(`${origin}/web/login`, {
    method: "POST",
    redirect: "manual",
    headers: {
      origin,
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36",
      ...headers,
    },
    body: `t=${token}`,
  });
}

/** A logged-in session's Cookie header. */
export async function loginAs(h: Harness, user: LocalUser, origin: string): Promise<string> {
  const res = await redeem(await linkFor(h, user), origin);
  const set = res.headers.get("set-cookie") ?? "";
  const m = /^(__Host-octopus=[^;]+)/.exec(set);
  if (res.status !== 303 || !m) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return m[1] as string;
}

/** A JSON call as the dashboard's own page makes it. */
export function call(
  origin: string,
  cookie: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return fetch(`${origin}${path}`, {
    ...(body === undefined ? {} : { method: "POST", body: JSON.stringify(body) }),
    headers: { cookie, origin, "content-type": "application/json", ...headers },
  });
}
