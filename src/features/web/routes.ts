import type { HttpClient } from "../../http/server.ts";
import { createApi } from "./api.ts";
import { createLoginRoutes } from "./login-routes.ts";
import { htmlResponse, loginPage, SECURITY_HEADERS } from "./pages.ts";
import { createRefuse, json } from "./respond.ts";
import type { WebDeps } from "./web-deps.ts";

/**
 * Everything under /web: the login link's page and its POST, the Mini App's login, the page,
 * its files, the JSON it reads and the actions it posts. Deny by default: every path but the
 * login pages and the files needs a live session; every POST needs the dashboard's own origin;
 * an action needs the role the bot would need for it. A refusal is a page (or, to the page's
 * own fetch, JSON) saying why, and a log line; nothing runs.
 */

export type { WebDeps };

export function createWebRoutes(deps: WebDeps) {
  const { auth } = deps;
  const refuse = createRefuse(deps.log, deps.assets);
  const { redeem, miniApp } = createLoginRoutes({ ...deps, refuse });
  const api = createApi(deps, refuse);
  const { authed } = api;

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

  return { handle, stop: api.stop, watchers: api.watchers };
}
