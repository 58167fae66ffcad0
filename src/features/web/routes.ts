import type { WebRuns } from "../../features/runs/web-runs.ts";
import type { HttpClient } from "../../http/server.ts";
import { readBounded } from "../../shared/bounded.ts";
import type { Clock } from "../../shared/clock.ts";
import { parseDuration } from "../../shared/duration.ts";
import type { Logger } from "../../shared/log.ts";
import type { Point } from "../../storage/history-repo.ts";
import { allows, type CallbackSpec, type CommandContext, type Role } from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import type { Assets } from "./assets.ts";
import type { Login, Refusal, WebAuth, WebUser } from "./auth.ts";
import { clearedCookie } from "./cookies.ts";
import { clientInfo, sameOrigin, wantsPage } from "./guard.ts";
import { htmlResponse, loginPage, refusalOf, refusalPage, SECURITY_HEADERS } from "./pages.ts";
import { createBroadcast, SSE_HEADERS, sseFrame } from "./sse.ts";
import type { StatusJson } from "./status-json.ts";

/**
 * Everything under /web: the login link's page and its POST, the Mini App's login, the page,
 * its files, the JSON it reads and the actions it posts. Deny by default: every path but the
 * login pages and the files needs a live session; every POST needs the dashboard's own origin;
 * an action needs the role the bot would need for it. A refusal is a page (or, to the page's
 * own fetch, JSON) saying why, and a log line; nothing runs.
 */

export interface WebDeps {
  auth: WebAuth;
  assets: Assets;
  log: Logger;
  clock: Clock;
  publicOrigin: string | undefined;
  statusEveryMs: number;
  status(): Promise<StatusJson>;
  history?:
    | {
        series(): string[];
        points(series: string, from: number, to: number): { points: Point[]; tier: string };
      }
    | undefined;
  runs: WebRuns;
  alerts(role: Role): { text: string; rows: InlineKeyboardRows };
  /** The bot's button routes an action on the page may press (alerts, Alertmanager groups). */
  press: readonly CallbackSpec[];
  fleet: {
    latest(): { name: string; at?: number; line?: string; ok?: boolean; detail?: string }[];
    refresh(): Promise<unknown>;
  };
  /** The user's private chat as a context: answers and runs started here are told there. */
  ctxFor(user: WebUser): CommandContext;
  /** A login happened: the chat is told (time, address, browser). */
  loggedIn(login: Login): void;
}

type Denied = Refusal | { kind: "csrf" } | { kind: "admin-only" } | { kind: "bad-request"; detail: string };

const json = (data: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(data, { status, headers: { ...SECURITY_HEADERS, ...headers } });

const MAX_BODY = 64 * 1024;
const MAX_RANGE = 90 * 86_400_000;
const RUN_POLL_MS = 500;
const FLEET_REFRESH_EVERY = 10_000;

export function createWebRoutes(deps: WebDeps) {
  const { auth, log } = deps;
  const statusStream = createBroadcast<Role>({
    everyMs: deps.statusEveryMs,
    // `sentAt`: when this tick's frame was made, to the microsecond (what `make bench`
    // measures an SSE update's latency from; a stamp, not logic: not the injected clock).
    compose: async () => ({ ...(await deps.status()), sentAt: performance.timeOrigin + performance.now() }),
    onError: (error) => log.error("dashboard status failed", { error }),
  });
  let fleetAskedAt = Number.NEGATIVE_INFINITY;

  function refuse(req: Request, client: HttpClient, denied: Denied): Response {
    const path = new URL(req.url).pathname;
    log.warn("web request refused", { refusal: denied.kind, path, address: clientInfo(req, client).address });
    if (wantsPage(req)) return refusalPage(denied, deps.assets.cssPath());
    const { status, title, text } = refusalOf(denied);
    return json({ error: `${title}: ${text}` }, status);
  }

  async function body(req: Request): Promise<Record<string, unknown> | undefined> {
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

  /** A login that could not be stored (a full or read-only state disk): said plainly, nothing half-made. */
  function stored<T>(req: Request, client: HttpClient, make: () => T): T | Response {
    try {
      return make();
    } catch (error) {
      log.error("web login could not be stored", { error });
      return refuse(req, client, {
        kind: "bad-request",
        detail: "The server cannot store a session now (its state disk takes no writes). Try again later.",
      });
    }
  }

  function loginResponse(login: Login, location: string | undefined): Response {
    deps.loggedIn(login);
    log.info("web login", { user: login.user.id, via: login.row.via, address: login.row.address });
    const headers = { ...SECURITY_HEADERS, "set-cookie": login.cookie };
    return location
      ? new Response(null, { status: 303, headers: { ...headers, location } })
      : json({ ok: true }, 200, headers);
  }

  /** POST /web/login: the link's button. */
  async function redeem(req: Request, client: HttpClient): Promise<Response> {
    if (!sameOrigin(req, deps.publicOrigin)) return refuse(req, client, { kind: "csrf" });
    const text = req.body ? await readBounded(req.body, 4096) : "";
    const secret = new URLSearchParams(text ?? "").get("t");
    const login = stored(req, client, () => auth.redeemLink(secret, clientInfo(req, client)));
    if (login instanceof Response) return login;
    if (!login.ok) return refuse(req, client, login.error);
    return loginResponse(login.value, "/web/");
  }

  async function miniApp(req: Request, client: HttpClient): Promise<Response> {
    if (!sameOrigin(req, deps.publicOrigin)) return refuse(req, client, { kind: "csrf" });
    const b = await body(req);
    if (!b || typeof b.initData !== "string")
      return refuse(req, client, { kind: "bad-request", detail: "expected initData" });
    const initData = b.initData;
    const login = stored(req, client, () => auth.miniApp(initData, clientInfo(req, client)));
    if (login instanceof Response) return login;
    if (!login.ok) return refuse(req, client, login.error);
    return loginResponse(login.value, undefined);
  }

  const idOf = (s: string | undefined) => (s && /^\d{1,12}$/.test(s) ? Number(s) : undefined);

  /** A press of one of the bot's buttons, as the logged-in user, answered like Telegram would. */
  async function press(req: Request, client: HttpClient, user: WebUser, data: unknown): Promise<Response> {
    if (typeof data !== "string" || data.length > 64)
      return refuse(req, client, { kind: "bad-request", detail: "expected a button's data" });
    const spec = deps.press.find((s) => s.matches(data));
    const decoded = spec?.decode(data);
    if (!spec || decoded === undefined)
      return refuse(req, client, { kind: "bad-request", detail: "this button is not valid any more" });
    if (!allows(user.role, spec.role)) return refuse(req, client, { kind: "admin-only" });
    const base = deps.ctxFor(user);
    let answer: string | undefined;
    let replied = false;
    const ctx = {
      ...base,
      reply: (...a: Parameters<CommandContext["reply"]>) => {
        replied = true;
        return base.reply(...a);
      },
      answer: async (text?: string) => {
        answer ??= text;
      },
      edit: async () => ({ ok: true as const, value: { skipped: true } }),
    };
    await spec.run(ctx, decoded);
    log.info("web action", { user: user.id, action: data.split(";")[0], answer });
    // Told in the chat too: what the button did, unless its handler said so there itself.
    if (!replied && answer) await base.reply(`🌐 ${answer} (from the web dashboard)`);
    return json({ answer: answer ?? "Done." });
  }

  function runEvents(user: WebUser, id: number, valid: () => boolean): Response | undefined {
    const first = deps.runs.live(user.role, id);
    if (!first) return undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        let last = "";
        const tick = () => {
          const view = valid() ? deps.runs.live(user.role, id) : undefined;
          try {
            if (!valid()) controller.enqueue(sseFrame("ended", { reason: "session ended" }));
            else if (view?.running) {
              const key = `${view.lines}:${view.tail.length}:${view.tail.slice(-64)}`;
              if (key !== last)
                controller.enqueue(sseFrame("output", { tail: view.tail, lines: view.lines }));
              last = key;
              return;
            } else if (view)
              controller.enqueue(sseFrame("end", { status: view.status, exitCode: view.exitCode ?? null }));
            clearInterval(timer);
            controller.close();
          } catch {
            clearInterval(timer);
          }
        };
        tick();
        timer = setInterval(tick, RUN_POLL_MS);
      },
      cancel: () => clearInterval(timer),
    });
    return new Response(stream, { headers: SSE_HEADERS });
  }

  /** Everything that needs a session. */
  async function authed(req: Request, client: HttpClient, path: string, user: WebUser): Promise<Response> {
    const cookie = req.headers.get("cookie");
    const valid = () => auth.resolve(cookie).ok;
    if (req.method === "GET" || req.method === "HEAD") {
      if (path === "/web/" || path === "/web/app") return deps.assets.index(req, SECURITY_HEADERS);
      if (path === "/web/api/me") return json({ id: user.id, name: user.name, role: user.role });
      if (path === "/web/api/status") return json(await deps.status());
      if (path === "/web/events") {
        client.keepOpen();
        return new Response(statusStream.subscribe(user.role, valid), { headers: SSE_HEADERS });
      }
      if (path === "/web/api/series") return json({ series: deps.history?.series() ?? [] });
      if (path === "/web/api/history") {
        const q = new URL(req.url).searchParams;
        const series = q.get("series") ?? "";
        const range = parseDuration(q.get("range") ?? "24h");
        if (!deps.history?.series().includes(series))
          return refuse(req, client, {
            kind: "bad-request",
            detail: `no history named ${series.slice(0, 40)}`,
          });
        if (range === undefined || range <= 0 || range > MAX_RANGE)
          return refuse(req, client, {
            kind: "bad-request",
            detail: "range is a duration up to 90d, such as 24h",
          });
        const to = deps.clock.now();
        const r = deps.history.points(series, to - range, to);
        const unit = /^load/.test(series) ? "load" : /^plume:/.test(series) ? "level" : "%";
        return json({ series, unit, from: to - range, to, tier: r.tier, points: r.points });
      }
      if (path === "/web/api/scripts") return json({ scripts: deps.runs.scripts(user.role) });
      const choices = /^\/web\/api\/scripts\/([^/]{1,64})\/choices\/([a-z][a-z0-9_]{0,31})$/.exec(path);
      if (choices) {
        const r = await deps.runs.choices(
          user.role,
          decodeURIComponent(choices[1] as string),
          choices[2] as string,
        );
        return r.ok
          ? json({ choices: r.value })
          : refuse(req, client, { kind: "bad-request", detail: r.error });
      }
      if (path === "/web/api/runs")
        return json({ active: deps.runs.active(user.role), recent: deps.runs.recent(user.role, 30) });
      const run = /^\/web\/api\/runs\/(\d{1,12})\/(events|log)$/.exec(path);
      if (run) {
        const id = idOf(run[1]) as number;
        if (run[2] === "log") {
          const r = await deps.runs.log(user.role, id);
          return r.ok ? json({ text: r.value }) : json({ error: r.error }, 404);
        }
        client.keepOpen();
        return runEvents(user, id, valid) ?? json({ error: `no run #${id} you may see` }, 404);
      }
      if (path === "/web/api/alerts") {
        const view = deps.alerts(user.role);
        return json({
          text: view.text,
          buttons: view.rows
            .flat()
            .flatMap((b) => ("callback_data" in b ? [{ text: b.text, data: b.callback_data }] : [])),
        });
      }
      if (path === "/web/api/fleet") return json({ servers: deps.fleet.latest() });
      return json({ error: "not found" }, 404);
    }
    if (req.method !== "POST") return json({ error: "method not allowed" }, 405);
    // Every POST: from the dashboard's own page, as JSON (a form from another site can send neither).
    if (!sameOrigin(req, deps.publicOrigin)) return refuse(req, client, { kind: "csrf" });
    if (path === "/web/logout") {
      const n = auth.logout(user.id, "logged out on the web");
      log.info("web logout", { user: user.id, sessions: n });
      await deps
        .ctxFor(user)
        .reply(`🔐 ${user.name} logged out of the web dashboard (${n} session${n === 1 ? "" : "s"} ended).`);
      return json({ ok: true }, 200, { "set-cookie": clearedCookie() });
    }
    if (!/^application\/json\b/.test(req.headers.get("content-type") ?? ""))
      return refuse(req, client, { kind: "csrf" });
    const b = await body(req);
    if (!b)
      return refuse(req, client, { kind: "bad-request", detail: "expected a JSON object of at most 64 KiB" });
    if (path === "/web/api/runs") {
      if (typeof b.script !== "string")
        return refuse(req, client, { kind: "bad-request", detail: "expected script" });
      const script = deps.runs.scripts("admin").find((s) => s.name === b.script);
      if (script && !deps.runs.scripts(user.role).some((s) => s.name === script.name))
        return refuse(req, client, { kind: "admin-only" });
      const values =
        b.values && typeof b.values === "object" && !Array.isArray(b.values)
          ? (b.values as Record<string, unknown>)
          : {};
      const r = await deps.runs.start(deps.ctxFor(user), b.script, values);
      log.info("web run", { user: user.id, script: b.script, started: r.ok ? r.value : r.error });
      return r.ok ? json(r.value) : json({ error: r.error }, 409);
    }
    const stop = /^\/web\/api\/runs\/(\d{1,12})\/stop$/.exec(path);
    if (stop) {
      if (user.role !== "admin") return refuse(req, client, { kind: "admin-only" });
      const id = idOf(stop[1]) as number;
      const stopped = deps.runs.stop(id, user.name);
      log.info("web stop", { user: user.id, run: id, stopped });
      if (stopped)
        await deps.ctxFor(user).reply(`🌐 ${user.name} stopped run #${id} from the web dashboard.`);
      return stopped ? json({ ok: true }) : json({ error: `run #${id} is not running` }, 409);
    }
    if (path === "/web/api/press") return press(req, client, user, b.data);
    if (path === "/web/api/fleet/refresh") {
      const now = deps.clock.now();
      if (now - fleetAskedAt >= FLEET_REFRESH_EVERY) {
        fleetAskedAt = now;
        await deps.fleet.refresh();
      }
      return json({ servers: deps.fleet.latest() });
    }
    return json({ error: "not found" }, 404);
  }

  async function handle(req: Request, client: HttpClient): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path === "/web") return new Response(null, { status: 301, headers: { location: "/web/" } });
    if (path.startsWith("/web/assets/"))
      return deps.assets.file(req, path) ?? json({ error: "not found" }, 404);
    if (path === "/web/login") {
      if (req.method === "POST") return redeem(req, client);
      const secret = url.searchParams.get("t");
      const peek = auth.peekLink(secret);
      if (!peek.ok) return refuse(req, client, peek.error);
      return htmlResponse(loginPage(secret as string, peek.value.userName, deps.assets.cssPath()));
    }
    if (path === "/web/miniapp" && req.method === "POST") return miniApp(req, client);
    const user = auth.resolve(req.headers.get("cookie"));
    // The Mini App's page loads without a session: its script trades initData for one.
    if (!user.ok && path === "/web/app" && req.method === "GET")
      return deps.assets.index(req, SECURITY_HEADERS);
    if (!user.ok) return refuse(req, client, user.error);
    return authed(req, client, path, user.value);
  }

  return { handle, stop: () => statusStream.stop(), watchers: () => statusStream.size() };
}
