import { MASK, type Redactor } from "../../shared/redact.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import {
  headTail,
  joinRich,
  MESSAGE_LIMIT,
  maskRich,
  plain,
  type RichText,
  splitRichText,
} from "../../shared/text.ts";
import type { Priority } from "./jobs.ts";
import { createMediaSender, markup, messageIdOf, sendMarkup } from "./outbox-media.ts";
import type { OutboxQueue } from "./outbox-queue.ts";
import type { Upload } from "./transport.ts";

/**
 * The only way a message leaves the bot. Turns "send this text" into Bot API calls that
 * respect every limit: splitting at 4096 units, long text as a .txt document, edits that
 * coalesce and skip when nothing changed. Scheduling and retries live in the queue.
 */

export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
  /** Opens a Mini App (private chats only; an https URL). */
  web_app?: { url: string };
}
export type InlineKeyboardRows = InlineButton[][];

export interface SendOptions {
  keyboard?: InlineKeyboardRows;
  /** No notification sound (recoveries, repeats, digests). */
  silent?: boolean;
  replyTo?: number;
  /**
   * Opens the reply field on the phone (ForceReply), with this placeholder: a question answered
   * by typing. In a group it is also what lets the bot see the answer. Ignored with `keyboard`.
   */
  forceReply?: string;
  priority?: Priority;
  /** Called if the message has to wait for a retry: see QueuedCall.onWaiting. */
  onWaiting?: () => void;
}

export type DocumentContent = string | Uint8Array | { path: string };

export type SendResult = Result<{ messageIds: number[]; asDocument: boolean }, string>;
export type EditResult = Result<{ skipped: boolean }, string>;

export interface Outbox {
  send(chatId: number, text: RichText | string, options?: SendOptions): Promise<SendResult>;
  edit(
    chatId: number,
    messageId: number,
    text: RichText | string,
    options?: Omit<SendOptions, "replyTo">,
  ): Promise<EditResult>;
  /** `{ path }` streams a file from disk (a 10 MB log never sits in memory). */
  document(
    chatId: number,
    fileName: string,
    content: DocumentContent,
    caption?: string,
    options?: SendOptions,
  ): Promise<SendResult>;
  /** Replaces the picture of a message (a chart switching its range), with its caption and buttons. */
  editPhoto(
    chatId: number,
    messageId: number,
    png: Uint8Array,
    fileName: string,
    caption: string,
    options?: Omit<SendOptions, "replyTo">,
  ): Promise<EditResult>;
  /** A picture (a chart): PNG bytes, shown in the chat. */
  photo(
    chatId: number,
    png: Uint8Array,
    fileName: string,
    caption?: string,
    options?: SendOptions,
  ): Promise<SendResult>;
  delete(chatId: number, messageId: number): Promise<boolean>;
  answer(callbackQueryId: string, text?: string): Promise<boolean>;
  depth(): number;
  flush(timeoutMs: number): Promise<boolean>;
}

export interface OutboxOptions {
  queue: OutboxQueue;
  /** Text needing more than this many messages goes out as a document (default 3). */
  maxMessages?: number;
  /** Builds the document payload for the transport. */
  toUpload: (content: DocumentContent, fileName: string) => Upload;
  /** The one redactor: nothing leaves with a secret in its text, caption or text document. */
  redactor?: Pick<Redactor, "ranges" | "redact">;
}

const richOf = (text: RichText | string) => (typeof text === "string" ? plain(text) : text);
export function createOutbox(options: OutboxOptions): Outbox {
  const { queue, redactor } = options;
  const rich = (input: RichText | string): RichText => {
    const r = richOf(input);
    return redactor ? maskRich(r, redactor.ranges(r.text), MASK) : r;
  };
  const clean = (text: string) => (redactor ? redactor.redact(text) : text);
  const maxMessages = options.maxMessages ?? 3;
  /** What each message shows now, so an identical edit is skipped without a call. */
  const shown = new Map<string, string>();
  const remember = (chatId: number, messageId: number, fingerprint: string) => {
    shown.delete(`${chatId}:${messageId}`);
    shown.set(`${chatId}:${messageId}`, fingerprint);
    if (shown.size > 5000) shown.delete(shown.keys().next().value as string);
  };
  const fingerprint = (text: RichText, keyboard?: InlineKeyboardRows) =>
    JSON.stringify([text.text, text.entities, keyboard ?? null]);

  const waiting = (opts: SendOptions) => (opts.onWaiting ? { onWaiting: opts.onWaiting } : {});

  const document: Outbox["document"] = async (chatId, fileName, content, caption, opts = {}) => {
    const r = await queue.enqueue({
      method: "sendDocument",
      chatId,
      priority: opts.priority ?? "normal",
      ...waiting(opts),
      params: {
        document: options.toUpload(typeof content === "string" ? clean(content) : content, fileName),
        ...(caption ? { caption: clean(caption).slice(0, 1024) } : {}),
        ...(opts.silent ? { disable_notification: true } : {}),
        ...(opts.replyTo
          ? { reply_parameters: { message_id: opts.replyTo, allow_sending_without_reply: true } }
          : {}),
        ...markup(opts.keyboard),
      },
    });
    if (r.ok) return ok({ messageIds: [messageIdOf(r.value)], asDocument: true });
    // The chat asked for something and must not be left wondering: say in text what did not come.
    const about = caption ? ` (${caption.split("\n")[0]})` : "";
    void queue.enqueue({
      method: "sendMessage",
      chatId,
      priority: opts.priority ?? "normal",
      params: { text: `⚠️ The file ${fileName}${about} could not be sent: ${r.error}` },
    });
    return err(r.error);
  };

  const media = createMediaSender({ queue, toUpload: options.toUpload, clean, waiting });

  return {
    photo: media.photo,
    editPhoto: media.editPhoto,
    async send(chatId, input, opts = {}) {
      const text = rich(input);
      const parts = splitRichText(text);
      if (parts.length > maxMessages) {
        const summary = `${headTail(text.text)}\n\n(${text.text.length} characters: full text attached)`;
        return document(chatId, "output.txt", text.text, summary, opts);
      }
      // Enqueue every part now: the chat's FIFO keeps them in order and together.
      const results = await Promise.all(
        parts.map((part, i) =>
          queue.enqueue({
            method: "sendMessage",
            chatId,
            priority: opts.priority ?? "normal",
            ...waiting(opts),
            params: {
              text: part.text,
              ...(part.entities.length ? { entities: part.entities } : {}),
              link_preview_options: { is_disabled: true },
              ...(opts.silent ? { disable_notification: true } : {}),
              ...(i === 0 && opts.replyTo
                ? { reply_parameters: { message_id: opts.replyTo, allow_sending_without_reply: true } }
                : {}),
              ...(i === parts.length - 1 ? sendMarkup(opts.keyboard, opts.forceReply) : {}),
            },
          }),
        ),
      );
      const failed = results.find((r) => !r.ok);
      if (failed && !failed.ok) return err(failed.error);
      const ids = results.map((r) => (r.ok ? messageIdOf(r.value) : 0));
      const last = parts.at(-1) as RichText;
      remember(queue.currentChatId(chatId), ids.at(-1) as number, fingerprint(last, opts.keyboard));
      return ok({ messageIds: ids, asDocument: false });
    },

    async edit(chatId, messageId, input, opts = {}) {
      let text = rich(input);
      if (text.text.length > MESSAGE_LIMIT)
        text = joinRich([splitRichText(text, MESSAGE_LIMIT - 1)[0] as RichText, "…"]);
      const print = fingerprint(text, opts.keyboard);
      const id = queue.currentChatId(chatId);
      if (shown.get(`${id}:${messageId}`) === print) return ok({ skipped: true });
      const r = await queue.enqueue({
        method: "editMessageText",
        chatId,
        priority: opts.priority ?? "normal",
        replaceKey: `edit:${id}:${messageId}`,
        ...waiting(opts),
        params: {
          message_id: messageId,
          text: text.text,
          ...(text.entities.length ? { entities: text.entities } : {}),
          link_preview_options: { is_disabled: true },
          ...markup(opts.keyboard),
        },
      });
      if (!r.ok) return err(r.error);
      remember(id, messageId, print);
      return ok({ skipped: false });
    },

    document,

    async delete(chatId, messageId) {
      const r = await queue.enqueue({
        method: "deleteMessage",
        chatId,
        priority: "normal",
        params: { message_id: messageId },
      });
      return r.ok;
    },

    async answer(callbackQueryId, text) {
      const r = await queue.enqueue({
        method: "answerCallbackQuery",
        chatId: undefined,
        priority: "reply",
        params: { callback_query_id: callbackQueryId, ...(text ? { text: text.slice(0, 200) } : {}) },
      });
      return r.ok;
    },

    depth: () => queue.depth(),
    flush: (ms) => queue.flush(ms),
  };
}
