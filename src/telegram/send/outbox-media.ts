import { err, ok } from "../../shared/result.ts";
import type { DocumentContent, InlineKeyboardRows, Outbox, SendOptions } from "./outbox.ts";
import type { OutboxQueue } from "./outbox-queue.ts";
import type { Upload } from "./transport.ts";

export const markup = (keyboard?: InlineKeyboardRows) =>
  keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {};

/** A new message's markup: its buttons, else ForceReply (placeholder at most 64 characters). */
export const sendMarkup = (keyboard?: InlineKeyboardRows, forceReply?: string) =>
  keyboard || forceReply === undefined
    ? markup(keyboard)
    : {
        reply_markup: {
          force_reply: true as const,
          input_field_placeholder: [...forceReply].slice(0, 64).join(""),
        },
      };
export const messageIdOf = (result: unknown) =>
  (result as { message_id?: number } | undefined)?.message_id ?? 0;

/** Pictures through the queue: a chart sent as a photo, and replaced in place by another. */
export function createMediaSender(deps: {
  queue: OutboxQueue;
  toUpload(content: DocumentContent, fileName: string): Upload;
  clean(text: string): string;
  waiting(opts: SendOptions): { onWaiting?: () => void };
}): Pick<Outbox, "photo" | "editPhoto"> {
  const { queue, clean, waiting } = deps;
  const options = { toUpload: deps.toUpload };
  const photo: Outbox["photo"] = async (chatId, png, fileName, caption, opts = {}) => {
    const r = await queue.enqueue({
      method: "sendPhoto",
      chatId,
      priority: opts.priority ?? "normal",
      ...waiting(opts),
      params: {
        photo: options.toUpload(png, fileName),
        ...(caption ? { caption: clean(caption).slice(0, 1024) } : {}),
        ...(opts.silent ? { disable_notification: true } : {}),
        ...markup(opts.keyboard),
      },
    });
    return r.ok ? ok({ messageIds: [messageIdOf(r.value)], asDocument: false }) : err(r.error);
  };

  const editPhoto: Outbox["editPhoto"] = async (chatId, messageId, png, fileName, caption, opts = {}) => {
    const r = await queue.enqueue({
      method: "editMessageMedia",
      chatId,
      priority: opts.priority ?? "normal",
      ...waiting(opts),
      params: {
        message_id: messageId,
        media: { type: "photo", media: "attach://file", caption: clean(caption).slice(0, 1024) },
        file: options.toUpload(png, fileName),
        ...markup(opts.keyboard),
      },
    });
    return r.ok ? ok({ skipped: false }) : err(r.error);
  };

  return { photo, editPhoto };
}
