import type { Database } from "bun:sqlite";
import type { Config } from "../../config/parse.ts";
import type { HttpClient } from "../../http/server.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import { formatDateTime } from "../../shared/time-format.ts";
import { createWebRepo } from "../../storage/web-repo.ts";
import type { CommandContext, CommandSpec, Feature, Role } from "../../telegram/feature.ts";
import type { InlineKeyboardRows, Outbox } from "../../telegram/send/outbox.ts";
import { createAssets } from "./assets.ts";
import { createWebAuth, LINK_MS, type Login, type WebUser } from "./auth.ts";
import { createWebRoutes, type WebDeps } from "./routes.ts";

/**
 * The web dashboard: `/web` sends a one-time login link (and, where http.public_url is
 * https, a Mini App button); the pages under /web/ show what the bot shows and act as the bot
 * acts, with the same roles. Each login is told in the user's private chat; so is every
 * action taken on the page. Off unless http.dashboard is true.
 */

export interface WebFeatureDeps
  extends Omit<
    WebDeps,
    "auth" | "assets" | "log" | "clock" | "publicOrigin" | "ctxFor" | "loggedIn" | "statusEveryMs"
  > {
  config: Config;
  db: Database;
  clock: Clock;
  log: Logger;
  outbox: Outbox;
  botToken: string;
  roleOf(userId: number): Role | undefined;
  statusEveryMs?: number;
}

export function createWebFeature(deps: WebFeatureDeps) {
  const { config, clock, log, outbox } = deps;
  const http = config.http;
  const on = http.dashboard && http.listen !== undefined;
  const base = http.public_url ?? (http.listen ? `http://${http.listen}` : "");
  const https = base.startsWith("https://");
  const auth = createWebAuth({
    repo: createWebRepo(deps.db),
    clock,
    roleOf: deps.roleOf,
    sessionMs: http.session,
    botToken: deps.botToken,
  });
  const at = (ms: number) => formatDateTime(ms, clock.timeZone);

  const ctxFor = (user: WebUser): CommandContext => ({
    chatId: user.id,
    chatType: "private",
    user: { id: user.id, name: `${user.name} (web)` },
    role: user.role,
    args: "",
    messageId: 0,
    reply: (text, options) => outbox.send(user.id, text, options),
    usage: (text, options) => outbox.send(user.id, text, options),
    outbox,
  });

  const loggedIn = (login: Login) => {
    const how = login.row.via === "miniapp" ? " (Mini App)" : "";
    void outbox.send(
      login.user.id,
      `🔐 Web dashboard login${how}: ${login.user.name} at ${at(login.row.createdAt)} from ${login.row.address}, ${login.row.agent}. Session until ${at(login.row.expiresAt)}.\nNot you? /web logout ends every session.`,
    );
  };

  const routes = createWebRoutes({
    ...deps,
    auth,
    assets: createAssets(),
    log,
    clock,
    publicOrigin: http.public_url,
    statusEveryMs: deps.statusEveryMs ?? 2000,
    ctxFor,
    loggedIn,
  });

  async function web(ctx: CommandContext) {
    const arg = ctx.args.trim().toLowerCase();
    if (!on)
      return void (await ctx.reply(
        "The web dashboard is off. To turn it on: http.listen and http.dashboard: true in the config (see OPERATIONS.md).",
      ));
    if (arg === "logout") {
      const n = auth.logout(ctx.user.id);
      log.info("web logout", { user: ctx.user.id, sessions: n });
      return void (await ctx.reply(
        n ? `Logged out: ${n} web session${n === 1 ? "" : "s"} ended.` : "No web session was open.",
      ));
    }
    if (arg) return void (await ctx.usage("Usage: /web (a login link) or /web logout (ends every session)"));
    if (ctx.chatType !== "private")
      return void (await ctx.reply("A login link is personal: send /web to me in a private chat."));
    let link: ReturnType<typeof auth.issueLink>;
    try {
      link = auth.issueLink(ctx.user.id, ctx.user.name);
    } catch (error) {
      log.error("web login link could not be stored", { error });
      return void (await ctx.reply(
        "No link: the state disk takes no writes now, so a login could not be kept. Try again later.",
      ));
    }
    const url = `${base}/web/login?t=${link.secret}`;
    const open = auth.sessionsOf(ctx.user.id).length;
    const keyboard: InlineKeyboardRows = https
      ? [
          [{ text: "🌐 Open the dashboard", url }],
          [{ text: "📱 Open as Mini App", web_app: { url: `${base}/web/app` } }],
        ]
      : [];
    await ctx.reply(
      `🔗 Your login link for the web dashboard. It works once, within ${LINK_MS / 1000} s; do not forward it.\n${url}${open ? `\n${open} session${open === 1 ? " is" : "s are"} open: /web logout ends them.` : ""}`,
      keyboard.length ? { keyboard } : {},
    );
  }

  const command: CommandSpec = {
    name: "web",
    description: "A login link for the web dashboard",
    usage: "web [logout]",
    role: "viewer",
    listedFor: () => on,
    run: web,
  };

  const feature: Feature = {
    name: "web",
    commands: [command],
    callbacks: [],
    start() {
      try {
        for (const s of auth.sweep())
          log.info("web session ended: role removed", { user: s.userId, session: s.id });
      } catch (error) {
        log.warn("web sessions could not be swept", { error });
      }
    },
    stop: () => routes.stop(),
  };
  return {
    ...feature,
    /** The /web tree for the http listener, or undefined when the dashboard is off. */
    mount: on ? (req: Request, client: HttpClient) => routes.handle(req, client) : undefined,
    watchers: routes.watchers,
  };
}
