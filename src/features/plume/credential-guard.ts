import type { TextHook } from "../../telegram/feature.ts";

/**
 * A credential pasted into a chat where nothing asked for it (a `Basic …`/`Bearer …` header,
 * a JWT) stays in the chat's history and passed through the bot's inbox table. The bot
 * deletes the message, says why, and scrubs the database files so no copy is left in clear.
 * The /auth conversation's own step consumes its header before this hook sees it.
 */

const SHAPES = [
  /\b(?:Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{12,}/i,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/,
];

/** Does this text carry something that looks like a credential? (pure) */
export function looksLikeCredential(text: string): boolean {
  return SHAPES.some((re) => re.test(text));
}

export function createCredentialGuard(deps: { scrub(): void }): TextHook {
  return async (ctx) => {
    if (!looksLikeCredential(ctx.text)) return false;
    const deleted = await ctx.outbox.delete(ctx.chatId, ctx.messageId);
    deps.scrub();
    await ctx.reply(
      deleted
        ? "🗑 I deleted your message: it looked like a credential (an authorization header or a token). Never paste secrets into a chat; /auth asks for the Plume header when it needs it."
        : "⚠️ Your message looks like a credential and I could not delete it: delete it yourself, and change that secret.",
    );
    return true;
  };
}
