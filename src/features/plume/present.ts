import type { RichText } from "../../shared/text.ts";
import type { CallbackContext, CommandContext } from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";

/** What a Plume command answers with. */
export interface Answer {
  text: RichText | string;
  keyboard?: InlineKeyboardRows;
  /** The location was found (its name, if it has one): it goes into the user's recent ones. */
  seen?: { name: string | null };
}

export type PlumeCtx = Pick<CommandContext, "user" | "reply" | "chatId" | "outbox"> &
  Partial<Pick<CallbackContext, "edit" | "answer">>;

/** How long a report may take before the chat is shown "⏳ Checking …" (then edited into it). */
export const PROGRESS_AFTER_MS = 600;

const options = (a: Answer) => (a.keyboard ? { keyboard: a.keyboard } : {});

/**
 * Shows an answer. `inPlace` (a Refresh button): the message with the button is edited. Else
 * an answer that is ready within a moment is sent as it is; a slower one first shows
 * "⏳ Checking …" at once and that message is edited into the answer.
 */
export async function present(
  ctx: PlumeCtx,
  waiting: string,
  inPlace: boolean,
  build: () => Promise<Answer>,
  progressAfterMs = PROGRESS_AFTER_MS,
): Promise<void> {
  const answer = build();
  if (inPlace && ctx.edit) {
    const a = await answer;
    const edited = await ctx.edit(a.text, options(a));
    await ctx.answer?.(edited.ok ? (edited.value.skipped ? "No change" : "Refreshed") : undefined);
    if (!edited.ok) await ctx.reply(a.text, options(a));
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<"slow">((resolve) => {
    timer = setTimeout(() => resolve("slow"), progressAfterMs);
  });
  const first = await Promise.race([answer, slow]);
  clearTimeout(timer);
  if (first !== "slow") return void (await ctx.reply(first.text, options(first)));
  const placeholder = await ctx.reply(`⏳ ${waiting}…`);
  const a = await answer;
  const id = placeholder.ok ? placeholder.value.messageIds[0] : undefined;
  const edited = id === undefined ? undefined : await ctx.outbox.edit(ctx.chatId, id, a.text, options(a));
  if (!edited?.ok) await ctx.reply(a.text, options(a));
}
