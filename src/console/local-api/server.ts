import type { TelegramUpdate } from "gramio";
import { createLocalApiHandler, type FaultHook } from "./handler.ts";
import { createLongPoll } from "./polling.ts";
import { type BotEvent, createLocalState, type LocalChat, type LocalState, type LocalUser } from "./state.ts";

export type { Fault, FaultHook } from "./handler.ts";

/**
 * A small Telegram Bot API server on 127.0.0.1: real long polling with offsets, JSON,
 * urlencoded and multipart bodies, Telegram-shaped errors. The console ships it; tests use
 * the same one and inject faults through `faults`.
 */

export interface LocalBotApi {
  /** Root URL to use as TELEGRAM_API_URL. */
  url: string;
  token: string;
  state: LocalState;
  faults: FaultHook | undefined;
  /** A user writes in a chat (creating the chat on first use). Returns the update id. */
  userSays(chat: ChatRef, from: LocalUser, text: string, extra?: Record<string, unknown>): number;
  /** Opens a chat as if the user had started the bot earlier (no update is sent). */
  openChat(chat: ChatRef, user: LocalUser): void;
  /** A user presses an inline button under a bot message. */
  press(chatId: number, messageId: number, data: string, from: LocalUser): number;
  /** Turns a group into a supergroup: the old id answers 400 with migrate_to_chat_id from now on. */
  migrate(groupId: number): number;
  /** Resolves with the first event (after `sinceSeq`) that matches, or rejects after `timeoutMs`. */
  waitFor(match: (e: BotEvent) => boolean, timeoutMs?: number, sinceSeq?: number): Promise<BotEvent>;
  /** Calls `listener` for every event from now on; returns an unsubscribe function. */
  subscribe(listener: (e: BotEvent) => void): () => void;
  /** Resolves once the bot has confirmed every update so far (asked for a later offset), or after `timeoutMs`. */
  delivered(timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

export type ChatRef = number | { id: number; type: LocalChat["type"]; title?: string };

export function startLocalBotApi(options: { token?: string; port?: number } = {}): LocalBotApi {
  const token = options.token ?? "42:local-console-token-not-a-real-telegram-secret";
  const state = createLocalState();
  const listeners = new Set<(e: BotEvent) => void>();
  const poll = createLongPoll(state);
  const pushUpdate = poll.push;

  const originalPush = state.events.push.bind(state.events);
  state.events.push = (...events: BotEvent[]) => {
    const n = originalPush(...events);
    for (const e of events) for (const l of listeners) l(e);
    return n;
  };

  const ensureChat = (ref: ChatRef, from: LocalUser): LocalChat => {
    const id = typeof ref === "number" ? ref : ref.id;
    let chat = state.chats.get(id);
    if (!chat) {
      chat =
        typeof ref === "number"
          ? { id, type: id > 0 ? "private" : "group", ...(id < 0 ? { title: `Group ${-id}` } : {}) }
          : { ...ref };
      if (chat.type === "private" && chat.id !== from.id) chat.id = from.id;
      state.chats.set(chat.id, chat);
    }
    return chat;
  };

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    idleTimeout: 60,
    fetch: createLocalApiHandler({ token, state, faults: () => api.faults, getUpdates: poll.getUpdates }),
  });

  const api: LocalBotApi = {
    url: `http://127.0.0.1:${server.port}`,
    token,
    state,
    faults: undefined,
    userSays(chatRef, from, text, extra = {}) {
      const chat = ensureChat(chatRef, from);
      const command = /^\/[A-Za-z0-9_]+(@\w+)?/.exec(text);
      state.userMessages.add(`${chat.id}:${100_000 + state.nextUpdateId}`);
      return pushUpdate({
        message: {
          message_id: 100_000 + state.nextUpdateId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chat.id, type: chat.type, ...(chat.title ? { title: chat.title } : {}) },
          from: { is_bot: false, ...from },
          text,
          ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
          ...extra,
        },
      } as Omit<TelegramUpdate, "update_id">);
    },
    openChat(chat, user) {
      ensureChat(chat, user);
    },
    press(chatId, messageId, data, from) {
      const chat = state.chats.get(chatId);
      const message = state.messages.get(`${chatId}:${messageId}`);
      return pushUpdate({
        callback_query: {
          id: `cb-${state.nextUpdateId}`,
          from: { is_bot: false, ...from },
          chat_instance: String(chatId),
          data,
          message: {
            message_id: messageId,
            date: Math.floor(Date.now() / 1000),
            chat: { id: chatId, type: chat?.type ?? "private" },
            text: message?.text ?? "",
          },
        },
      } as Omit<TelegramUpdate, "update_id">);
    },
    migrate(groupId) {
      const chat = state.chats.get(groupId);
      const newId = -1_000_000_000_000 + groupId;
      state.chats.set(newId, { id: newId, type: "supergroup", title: chat?.title ?? "Supergroup" });
      if (chat) chat.migratedTo = newId;
      return newId;
    },
    waitFor(match, timeoutMs = 5000, sinceSeq = 0) {
      const found = state.events.find((e) => e.seq > sinceSeq && match(e));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          unsubscribe();
          reject(new Error(`no matching bot event within ${timeoutMs} ms`));
        }, timeoutMs);
        const unsubscribe = api.subscribe((e) => {
          if (e.seq > sinceSeq && match(e)) {
            clearTimeout(timer);
            unsubscribe();
            resolve(e);
          }
        });
      });
    },
    async delivered(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (poll.confirmed() < state.nextUpdateId - 1 && Date.now() < deadline) await Bun.sleep(10);
      return poll.confirmed() >= state.nextUpdateId - 1;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      poll.abort();
      await server.stop(true);
    },
  };
  return api;
}
