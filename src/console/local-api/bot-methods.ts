import type { TelegramMessageEntity } from "gramio";
import {
  type BotEvent,
  type BotMessage,
  type LocalChat,
  type LocalState,
  messageKey,
  nextMessageId,
} from "./state.ts";

/** A Telegram-shaped failure: `{ ok: false, error_code, description, parameters }`. */
export class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

export const BOT_USER = {
  id: 7_000_000_001,
  is_bot: true,
  first_name: "Octopus",
  username: "octopus_local_bot",
};

type Params = Record<string, unknown>;
type Keyboard = BotMessage["keyboard"];

export function chatOf(state: LocalState, params: Params): LocalChat {
  const id = Number(params.chat_id);
  if (!Number.isFinite(id) || id === 0) throw new ApiFailure(400, "Bad Request: chat_id is empty");
  const chat = state.chats.get(id);
  if (!chat) throw new ApiFailure(400, "Bad Request: chat not found");
  if (chat.migratedTo !== undefined) {
    throw new ApiFailure(400, "Bad Request: group chat was upgraded to a supergroup chat", {
      migrate_to_chat_id: chat.migratedTo,
    });
  }
  return chat;
}

export function parseJson<T>(value: unknown): T | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return JSON.parse(value) as T;
  return value as T;
}

function textOf(params: Params, key = "text"): string {
  const text = params[key];
  if (typeof text !== "string" || text.length === 0)
    throw new ApiFailure(400, "Bad Request: message text is empty");
  if (text.length > 4096) throw new ApiFailure(400, "Bad Request: message is too long");
  return text;
}

function entitiesOf(params: Params, text: string, key = "entities"): TelegramMessageEntity[] {
  if (params.parse_mode)
    throw new ApiFailure(400, "Bad Request: the local Bot API supports entities, not parse_mode");
  const entities = parseJson<TelegramMessageEntity[]>(params[key]) ?? [];
  for (const e of entities) {
    if (e.offset < 0 || e.length <= 0 || e.offset + e.length > text.length) {
      throw new ApiFailure(400, "Bad Request: can't parse entities: entity beyond the end of the text");
    }
  }
  return entities;
}

export function replyToOf(params: Params): { replyTo?: number } {
  const id = parseJson<{ message_id: number }>(params.reply_parameters)?.message_id;
  return id ? { replyTo: id } : {};
}

/** The placeholder of a ForceReply markup ("" when it has none), or undefined without one. */
export function forceReplyOf(params: Params): { forceReply?: string } {
  const markup = parseJson<{ force_reply?: boolean; input_field_placeholder?: string }>(params.reply_markup);
  return markup?.force_reply === true ? { forceReply: markup.input_field_placeholder ?? "" } : {};
}

export function keyboardOf(params: Params): Keyboard {
  const markup = parseJson<{ inline_keyboard?: NonNullable<Keyboard> }>(params.reply_markup);
  const rows = markup?.inline_keyboard;
  if (!rows) return undefined;
  for (const row of rows) {
    for (const b of row) {
      const size = new TextEncoder().encode(b.callback_data ?? "").length;
      if (b.callback_data !== undefined && (size < 1 || size > 64)) {
        throw new ApiFailure(400, "Bad Request: BUTTON_DATA_INVALID");
      }
      // Telegram opens a Mini App only from an https address.
      if (b.web_app !== undefined && !/^https:\/\//.test(b.web_app.url ?? "")) {
        throw new ApiFailure(400, "Bad Request: BUTTON_URL_INVALID");
      }
    }
  }
  return rows;
}

type Unsequenced<E> = E extends unknown ? Omit<E, "seq"> : never;

export function emit(state: LocalState, event: Unsequenced<BotEvent>): void {
  state.events.push({ ...event, seq: state.events.length + 1 } as BotEvent);
}

export function toTelegramMessage(state: LocalState, m: BotMessage) {
  const chat = state.chats.get(m.chatId);
  return {
    message_id: m.messageId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: m.chatId, type: chat?.type ?? "private", title: chat?.title },
    from: BOT_USER,
    ...(m.document
      ? {
          document: {
            file_id: `doc-${m.messageId}`,
            file_name: m.document.fileName,
            file_size: m.document.size,
          },
        }
      : { text: m.text, entities: m.entities }),
    ...(m.caption ? { caption: m.caption } : {}),
    ...(m.keyboard ? { reply_markup: { inline_keyboard: m.keyboard } } : {}),
  };
}

export function store(state: LocalState, message: BotMessage) {
  state.messages.set(messageKey(message.chatId, message.messageId), message);
  emit(state, { type: "message", message });
  return toTelegramMessage(state, message);
}

export function findMessage(state: LocalState, params: Params): BotMessage {
  const chat = chatOf(state, params);
  const message = state.messages.get(messageKey(chat.id, Number(params.message_id)));
  if (!message || message.deleted) throw new ApiFailure(400, "Bad Request: message to edit not found");
  return message;
}

/** The Bot API methods the local server implements, with Telegram's validation and answers. */
export const BOT_METHODS: Record<string, (state: LocalState, params: Params) => unknown> = {
  getMe: () => BOT_USER,
  setMyCommands: (state, params) => {
    const commands = parseJson<{ command: string; description: string }[]>(params.commands) ?? [];
    if (commands.length > 100) throw new ApiFailure(400, "Bad Request: too many commands");
    for (const c of commands) {
      if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw new ApiFailure(400, "Bad Request: BOT_COMMAND_INVALID");
      if (!c.description || c.description.length > 256) {
        throw new ApiFailure(400, "Bad Request: command description is invalid");
      }
    }
    state.commands.set(JSON.stringify(parseJson(params.scope) ?? { type: "default" }), commands);
    return true;
  },
  deleteWebhook: (state) => {
    state.webhook = undefined;
    return true;
  },
  setWebhook: (state, params) => {
    state.webhook = String(params.url ?? "");
    return true;
  },
  sendChatAction: (state, params) => {
    chatOf(state, params);
    return true;
  },
  sendMessage: (state, params) => {
    const chat = chatOf(state, params);
    const text = textOf(params);
    const replyTo = replyToOf(params).replyTo;
    return store(state, {
      chatId: chat.id,
      messageId: nextMessageId(state, chat.id),
      text,
      entities: entitiesOf(params, text),
      keyboard: keyboardOf(params),
      ...forceReplyOf(params),
      silent: params.disable_notification === true || params.disable_notification === "true",
      ...(replyTo ? { replyTo } : {}),
      deleted: false,
      edits: 0,
    });
  },
  editMessageText: (state, params) => {
    const message = findMessage(state, params);
    const text = textOf(params);
    const entities = entitiesOf(params, text);
    const keyboard = keyboardOf(params);
    if (
      message.text === text &&
      JSON.stringify(message.entities) === JSON.stringify(entities) &&
      JSON.stringify(message.keyboard) === JSON.stringify(keyboard)
    ) {
      throw new ApiFailure(
        400,
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
      );
    }
    Object.assign(message, { text, entities, keyboard, edits: message.edits + 1 });
    emit(state, { type: "edit", message });
    return toTelegramMessage(state, message);
  },
  deleteMessage: (state, params) => {
    const chat = chatOf(state, params);
    const userKey = messageKey(chat.id, Number(params.message_id));
    if (state.userMessages.delete(userKey)) {
      emit(state, { type: "delete", chatId: chat.id, messageId: Number(params.message_id) });
      return true;
    }
    const message = findMessage(state, params);
    message.deleted = true;
    emit(state, { type: "delete", chatId: message.chatId, messageId: message.messageId });
    return true;
  },
  answerCallbackQuery: (state, params) => {
    const text = typeof params.text === "string" ? params.text : undefined;
    if (text && text.length > 200) throw new ApiFailure(400, "Bad Request: MESSAGE_TOO_LONG");
    emit(state, {
      type: "answer",
      callbackQueryId: String(params.callback_query_id),
      ...(text ? { text } : {}),
    });
    return true;
  },
};
