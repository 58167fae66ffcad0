import type { HttpClient } from "../../http/server.ts";
import { parseDuration } from "../../shared/duration.ts";
import { allows, type CommandContext, type Role } from "../../telegram/feature.ts";
import type { WebUser } from "./auth.ts";
import { clearedCookie } from "./cookies.ts";
import { sameOrigin } from "./guard.ts";
import { SECURITY_HEADERS } from "./pages.ts";
import { json, type Refuse, readJson } from "./respond.ts";
import { createBroadcast, SSE_HEADERS, sseFrame } from "./sse.ts";
import type { WebDeps } from "./web-deps.ts";

/**
 * What a logged-in page reads and posts: the status stream, history, scripts and runs,
 * alerts and presses, the fleet, logout. Every POST comes from the dashboard's own origin, as
 * JSON; an action needs the role the bot would need for it.
 */

const MAX_RANGE = 90 * 86_400_000;
const RUN_POLL_MS = 500;
const FLEET_REFRESH_EVERY = 10_000;

const safeDecode = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
};

export function createApi(deps: WebDeps, refuse: Refuse) {
  const { auth, log } = deps;
  const statusStream = createBroadcast<Role>({
    everyMs: deps.statusEveryMs,
    // `sentAt`: when this tick's frame was made, to the microsecond (what `make bench`
    // measures an SSE update's latency from; a stamp, not logic: not the injected clock).
    compose: async () => ({ ...(await deps.status()), sentAt: performance.timeOrigin + performance.now() }),
    onError: (error) => log.error("dashboard status failed", { error }),
  });
  let fleetAskedAt = Number.NEGATIVE_INFINITY;

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

  /** A run's output as it grows (its bounded tail, twice a second), then its end. */
  function runEvents(user: WebUser, id: number, valid: () => boolean): Response | undefined {
    if (!deps.runs.live(user.role, id)) return undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        let last = "";
        const tick = () => {
          const live = valid();
          const view = live ? deps.runs.live(user.role, id) : undefined;
          try {
            if (!live) controller.enqueue(sseFrame("ended", { reason: "session ended" }));
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
        const name = safeDecode(choices[1] as string);
        if (name === undefined)
          return refuse(req, client, { kind: "bad-request", detail: "a script name is not encoded right" });
        const r = await deps.runs.choices(user.role, name, choices[2] as string);
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
    const b = await readJson(req);
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

  return { authed, stop: () => statusStream.stop(), watchers: () => statusStream.size() };
}
