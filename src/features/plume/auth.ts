import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { Conversation, PlumeRepo } from "../../storage/plume-repo.ts";
import {
  type CallbackSpec,
  type CommandContext,
  type CommandSpec,
  callbackRoute,
  type TextHook,
} from "../../telegram/feature.ts";
import { authButton } from "./buttons.ts";
import { checkUserEndpoint, type EndpointPolicy, hostOf, looksLikeAuthHeader } from "./endpoints.ts";
import { plumeErrorText } from "./errors.ts";
import { DEFAULT_API_BASE, type PlumeService } from "./service.ts";

/**
 * The /auth conversation of the original Plume bot: SSO URL, authorization header (deleted
 * from the chat as soon as it is read), partner id, API base or /skip, then a confirmation
 * that fetches a token before anything is stored. State lives in SQLite (sealed), so it
 * survives a restart; it expires after 10 minutes; /cancel works at every step.
 */

const EXPIRY_MS = 10 * 60_000;

const STEPS = {
  sso: "Step 1/4: send the SSO URL (https://…/oauth2/<cloud id>/v1/token). /cancel stops.",
  header:
    "Step 2/4: send the authorization header (Basic …). I delete your message as soon as I have read it.",
  partner: "Step 3/4: send your partner id (at least 20 characters).",
} as const;

export function createPlumeAuthCommands(deps: {
  plume: PlumeService;
  repo: PlumeRepo;
  clock: Clock;
  /** What a chat user may point the bot at (plume.allowed_hosts, plume.allow_http). */
  endpoints: EndpointPolicy;
  /** The API base used when the user skips the step (plume.api_base, else the gamma cloud). */
  defaultApiBase?: string;
  log?: Logger;
}) {
  const { repo, clock } = deps;
  const defaultApi = deps.defaultApiBase ?? DEFAULT_API_BASE;
  const apiStep = `Step 4/4: send the API base URL, or /skip for the default (${defaultApi}).`;
  const now = () => clock.now();

  /** The live conversation of a user, or undefined (an expired one is removed and reported). */
  async function current(ctx: Pick<CommandContext, "user" | "reply">): Promise<Conversation | undefined> {
    const c = await repo.conversation(ctx.user.id);
    if (!c) return undefined;
    if (now() - c.updatedAt > EXPIRY_MS) {
      repo.deleteConversation(ctx.user.id);
      await ctx.reply(
        "The /auth conversation expired after 10 minutes: nothing was stored. Start again with /auth.",
      );
      return undefined;
    }
    return c;
  }

  const save = (c: Conversation, step: string, data: Record<string, string>) =>
    repo.saveConversation({ ...c, step, data: { ...c.data, ...data }, updatedAt: now() });

  async function askConfirmation(ctx: CommandContext, c: Conversation, apiBase: string | undefined) {
    await save(c, "confirm", apiBase ? { apiBase } : {});
    const d: Record<string, string | undefined> = { ...c.data, ...(apiBase ? { apiBase } : {}) };
    await ctx.reply(
      `Check:\nSSO URL: ${d.ssoUrl}\nPartner id: ${d.partnerId}\nAPI: ${d.apiBase ?? `${defaultApi} (default)`}\n\nI will fetch a token now; nothing is stored unless that works.`,
      {
        keyboard: [
          [
            { text: "✅ Fetch token and save", callback_data: authButton.pack({ answer: "ok" }) },
            { text: "✖️ Cancel", callback_data: authButton.pack({ answer: "no" }) },
          ],
        ],
      },
    );
  }

  const textHook: TextHook = async (ctx) => {
    const c = await current(ctx);
    if (!c || c.chatId !== ctx.chatId) return false;
    const text = ctx.text.trim();
    const refuse = async (answer: string) => {
      await ctx.reply(answer);
      return true;
    };
    if (c.step === "sso") {
      const sso = checkUserEndpoint(text, "sso", deps.endpoints);
      if (!sso.ok) return refuse(`${sso.error} Send the SSO URL, or /cancel.`);
      await save(c, "header", { ssoUrl: sso.value });
      await ctx.reply(STEPS.header);
    } else if (c.step === "header") {
      // A credential typed into a chat stays in its history: remove it first.
      const deleted = await ctx.outbox.delete(ctx.chatId, ctx.messageId);
      if (!text) return refuse("The header is empty. Send it again, or /cancel.");
      if (!looksLikeAuthHeader(text)) {
        repo.scrub();
        return refuse(
          `${deleted ? "🗑 I deleted your message. " : ""}That does not look like the authorization header: "Basic " and the base64 of client-id:secret (or the base64 alone). Send it again, or /cancel.`,
        );
      }
      await save(c, "partner", { authHeader: text });
      // The header was in the inbox table in clear for a moment: leave no copy in the files.
      repo.scrub();
      await ctx.reply(
        `${deleted ? "🗑 I deleted your message with the authorization header." : "⚠️ I could not delete your message with the header: delete it yourself."}\n${STEPS.partner}`,
      );
    } else if (c.step === "partner") {
      if (!/^[A-Za-z0-9_-]{20,}$/.test(text))
        return refuse("A partner id has at least 20 letters, digits, - or _. Send it again, or /cancel.");
      await save(c, "api", { partnerId: text });
      await ctx.reply(apiStep);
    } else if (c.step === "api") {
      const api = checkUserEndpoint(text, "api", deps.endpoints);
      if (!api.ok) return refuse(`${api.error} Send the API base, /skip for the default, or /cancel.`);
      await askConfirmation(ctx, c, api.value);
    } else {
      await ctx.reply("Press ✅ to fetch a token and save, or /cancel.");
    }
    return true;
  };

  const commands: CommandSpec[] = [
    {
      name: "auth",
      description: "Enter your Plume credentials",
      role: "viewer",
      run: async (ctx) => {
        if (ctx.chatType !== "private")
          return void (await ctx.reply(
            "Use /auth in a private chat with me: credentials must not go into a group.",
          ));
        await repo.saveConversation({
          userId: ctx.user.id,
          chatId: ctx.chatId,
          step: "sso",
          data: {},
          updatedAt: now(),
        });
        await ctx.reply(STEPS.sso);
      },
    },
    {
      name: "skip",
      description: "Use the default in /auth",
      role: "viewer",
      menu: false,
      run: async (ctx) => {
        const c = await current(ctx);
        if (c?.step !== "api") return void (await ctx.reply("Nothing to skip."));
        await askConfirmation(ctx, c, undefined);
      },
    },
    {
      name: "logout",
      description: "Forget your Plume credentials",
      role: "viewer",
      run: async (ctx) => {
        const had = await repo.credentials(ctx.user.id);
        repo.deleteCredentials(ctx.user.id);
        deps.plume.forget(ctx.user.id);
        repo.audit(ctx.user.id, now(), "logout", had ? "ok" : "nothing stored");
        await ctx.reply(
          had ? "Your Plume credentials and tokens are forgotten." : "You had no Plume credentials stored.",
        );
      },
    },
  ];

  const callbacks: CallbackSpec[] = [
    callbackRoute(authButton, "viewer", async (ctx, data) => {
      const c = await current(ctx);
      if (c?.step !== "confirm") return void (await ctx.answer("No /auth conversation is waiting."));
      if (data.answer === "no") {
        repo.deleteConversation(ctx.user.id);
        await ctx.answer();
        return void (await ctx.edit("Cancelled: nothing was stored."));
      }
      await ctx.answer("Fetching a token…");
      const creds = {
        ssoUrl: c.data.ssoUrl as string,
        authHeader: c.data.authHeader as string,
        partnerId: c.data.partnerId as string,
        ...(c.data.apiBase ? { apiBase: c.data.apiBase } : {}),
      };
      const verified = await deps.plume.verify(creds);
      repo.deleteConversation(ctx.user.id);
      if (!verified.ok) {
        const e = verified.error;
        repo.audit(ctx.user.id, now(), "auth set", `failed: ${e.kind}`);
        // The SSO URL came from the chat: what it answered (status, timing) goes to the log for
        // admins, and the chat gets one sentence, so /auth cannot be used to probe a network.
        deps.log?.warn("/auth: the token fetch failed", {
          user: ctx.user.id,
          host: hostOf(creds.ssoUrl),
          kind: e.kind,
          status: e.status,
        });
        const why =
          e.kind === "auth" ? plumeErrorText(e) : `Could not reach the SSO at ${hostOf(creds.ssoUrl)}.`;
        return void (await ctx.edit(`❌ ${why} Nothing was stored: check the values and /auth again.`));
      }
      await repo.saveCredentials(ctx.user.id, creds, now());
      repo.scrub();
      deps.plume.forget(ctx.user.id);
      repo.audit(ctx.user.id, now(), "auth set", "ok");
      await ctx.edit("✅ Token fetched: your Plume credentials are saved (encrypted). Try /health.");
    }),
  ];

  /** /cancel: the /auth conversation ends, nothing stored. */
  async function cancel(ctx: CommandContext): Promise<string | undefined> {
    const c = await repo.conversation(ctx.user.id);
    if (!c) return undefined;
    repo.deleteConversation(ctx.user.id);
    return "Cancelled /auth: nothing was stored.";
  }

  return { commands, callbacks, textHook, cancel };
}
