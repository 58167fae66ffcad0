import { Bot, MediaUpload, TelegramError } from "gramio";
import { TelegramSendError } from "../shared/errors.ts";
import type { DocumentContent } from "./outbox.ts";
import type { ApiCall } from "./outbox-queue.ts";

/** The gramio client pointed at `${apiRoot}/bot<token>/<method>`. */
export function createGramioBot(token: string, apiRoot: string): Bot {
  return new Bot(token, { api: { baseURL: `${apiRoot.replace(/\/+$/, "")}/bot` } });
}

/**
 * Bot API calls through gramio. gramio reports Telegram's `ok: false` as TelegramError
 * (its `kind` is "UNKNOWN", so we test with instanceof) and converts nothing else: network
 * failures and non-JSON 5xx bodies arrive as plain errors, which the queue retries.
 */
export function createApiCall(bot: Bot): ApiCall {
  const api = bot.api as unknown as Record<string, (params: unknown) => Promise<unknown>>;
  return async (method, params) => {
    const fn = api[method];
    if (!fn) throw new TelegramSendError(method, 404, "method not available in gramio");
    try {
      // gramio rewrites file fields in place while building multipart bodies: give it a copy, so a
      // retried upload still carries its file.
      return await fn({ ...params });
    } catch (error) {
      if (error instanceof TelegramError) {
        const payload = (error.payload ?? {}) as { retry_after?: number; migrate_to_chat_id?: number };
        throw new TelegramSendError(method, Number(error.code), error.message, payload, { cause: error });
      }
      throw error;
    }
  };
}

/**
 * A document for sendDocument: text as UTF-8, bytes as they are, a path as a lazy Bun.file
 * (streamed from disk; gramio accepts any Blob; the file name sent is the path's basename).
 */
export function toUpload(content: DocumentContent, fileName: string): unknown {
  if (typeof content === "string") return MediaUpload.text(content, fileName);
  if (content instanceof Uint8Array) return MediaUpload.buffer(content, fileName);
  return Bun.file(content.path);
}
