import {
  errorMessage,
  TelegramInvalidResponseError,
  TelegramNetworkError,
  TelegramSendError,
} from "../../shared/errors.ts";

/**
 * What a failed Bot API call means for the caller (pure). Only Telegram's own 4xx answers are
 * final; a 5xx, a non-Telegram answer and a network failure are the failing call's problem
 * and worth retrying.
 */
export type ApiFailure =
  | { kind: "final"; code: number; description: string }
  | { kind: "rate-limited"; retryAfterMs: number; description: string }
  | { kind: "migrated"; to: number }
  | { kind: "not-modified" }
  | { kind: "retry"; description: string };

export function classifyFailure(error: unknown): ApiFailure {
  if (error instanceof TelegramSendError) {
    const { retry_after: retryAfter, migrate_to_chat_id: to } = error.parameters;
    if (to !== undefined) return { kind: "migrated", to };
    if (error.code === 429)
      return { kind: "rate-limited", retryAfterMs: (retryAfter ?? 1) * 1000, description: error.description };
    if (error.code === 400 && /message is not modified/i.test(error.description))
      return { kind: "not-modified" };
    if (error.code >= 400 && error.code < 500)
      return { kind: "final", code: error.code, description: error.description };
    return { kind: "retry", description: `${error.code} ${error.description}`.trim() };
  }
  if (error instanceof TelegramInvalidResponseError || error instanceof TelegramNetworkError)
    return { kind: "retry", description: error.message };
  return { kind: "retry", description: errorMessage(error) };
}

const KNOWN_CODES = new Set([400, 401, 403, 404, 409, 413, 429]);

/**
 * A metrics label for a failure, from a fixed set: the common 4xx codes, "5xx", "other",
 * "invalid" (not a Bot API answer) and "network". Never a value taken from the answer.
 */
export function failureLabel(error: unknown): string {
  if (error instanceof TelegramSendError) {
    if (KNOWN_CODES.has(error.code)) return String(error.code);
    return error.code >= 500 && error.code < 600 ? "5xx" : "other";
  }
  if (error instanceof TelegramInvalidResponseError) return "invalid";
  return "network";
}

const KNOWN_METHODS = new Set([
  "getMe",
  "getUpdates",
  "deleteWebhook",
  "sendMessage",
  "editMessageText",
  "editMessageReplyMarkup",
  "sendDocument",
  "sendPhoto",
  "editMessageMedia",
  "deleteMessage",
  "answerCallbackQuery",
  "setMyCommands",
  "sendChatAction",
]);

/** A metrics label for a method name, from a fixed set ("other" for anything else). */
export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : "other";
}
