import type { HttpClient } from "../../http/server.ts";
import { readBounded } from "../../shared/bounded.ts";
import type { Logger } from "../../shared/log.ts";
import type { Login, WebAuth } from "./auth.ts";
import { clientInfo, sameOrigin } from "./guard.ts";
import { SECURITY_HEADERS } from "./pages.ts";
import { json, type Refuse, readJson } from "./respond.ts";

/** The two ways in: the link's button (POST /web/login) and a Mini App's initData (POST /web/miniapp). */

export function createLoginRoutes(deps: {
  auth: WebAuth;
  log: Logger;
  publicOrigin: string | undefined;
  loggedIn(login: Login): void;
  refuse: Refuse;
}) {
  const { auth, log, refuse } = deps;

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
    const b = await readJson(req);
    if (!b || typeof b.initData !== "string")
      return refuse(req, client, { kind: "bad-request", detail: "expected initData" });
    const initData = b.initData;
    const login = stored(req, client, () => auth.miniApp(initData, clientInfo(req, client)));
    if (login instanceof Response) return login;
    if (!login.ok) return refuse(req, client, login.error);
    return loginResponse(login.value, undefined);
  }

  return { redeem, miniApp };
}
