import type { TelegramUpdate } from "gramio";
import { ApiFailure, BOT_METHODS, sendDocument } from "./bot-methods.ts";
import { type BotEvent, createLocalState, type LocalChat, type LocalState, type LocalUser } from "./state.ts";

/**
 * A small Telegram Bot API server on 127.0.0.1: real long polling with offsets, JSON,
 * urlencoded and multipart bodies, Telegram-shaped errors. The console ships it; tests use
 * the same one and inject faults through `faults`.
 */

export interface Fault {
  /** Answer with this HTTP status and a Telegram error body (429 gets retry_after). */
  status?: number;
  retryAfter?: number;
  /** Wait this long before answering (or before dropping). */
  delayMs?: number;
  /** Close the connection without an answer. */
  drop?: boolean;
  /** Answer with this raw body (and `status`, default 200): a proxy's HTML page, malformed JSON. */
  body?: string;
}

/** Test-only hook: decide a fault per call; undefined means answer normally. */
export type FaultHook = (method: string, params: Record<string, unknown>) => Fault | undefined;

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

const fail = (code: number, description: string, parameters?: Record<string, unknown>) =>
  Response.json(
    { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) },
    { status: code },
  );

async function readParams(
  req: Request,
): Promise<{ params: Record<string, unknown>; file?: File; bytes?: Uint8Array }> {
  const type = req.headers.get("content-type") ?? "";
  const url = new URL(req.url);
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (req.method !== "POST") return { params };
  if (type.includes("application/json")) {
    const text = await req.text();
    return { params: { ...params, ...(text ? (JSON.parse(text) as Record<string, unknown>) : {}) } };
  }
  if (type.includes("multipart/form-data") || type.includes("application/x-www-form-urlencoded")) {
    const form = await req.formData();
    let file: File | undefined;
    for (const [key, value] of form.entries()) {
      if (typeof value === "string") params[key] = value;
      else file = value as File;
    }
    return file ? { params, file, bytes: new Uint8Array(await file.arrayBuffer()) } : { params };
  }
  return { params };
}

export function startLocalBotApi(options: { token?: string; port?: number } = {}): LocalBotApi {
  const token = options.token ?? "42:local-console-token-not-a-real-telegram-secret";
  const state = createLocalState();
  const listeners = new Set<(e: BotEvent) => void>();
  const pollers = new Set<() => void>();
  let activePoll: { reject: () => void } | undefined;
  let confirmed = 0;

  const pushUpdate = (update: Omit<TelegramUpdate, "update_id">): number => {
    const full = { update_id: state.nextUpdateId++, ...update } as TelegramUpdate;
    state.updates.push(full);
    for (const wake of pollers) wake();
    return full.update_id;
  };

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

  async function getUpdates(params: Record<string, unknown>): Promise<TelegramUpdate[]> {
    if (state.webhook !== undefined)
      throw new ApiFailure(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    const offset = Number(params.offset ?? 0);
    if (offset > 0 && offset - 1 > confirmed) {
      confirmed = offset - 1;
      state.updates = state.updates.filter((u) => u.update_id >= offset);
    }
    const timeoutMs = Math.min(Number(params.timeout ?? 0), 50) * 1000;
    const limit = Math.min(Number(params.limit ?? 100), 100);
    const ready = () => state.updates.filter((u) => u.update_id >= offset).slice(0, limit);
    // A newer getUpdates ends the one still waiting, as Telegram does.
    activePoll?.reject();
    if (ready().length || timeoutMs === 0) return ready();
    return new Promise((resolve, reject) => {
      const done = (value: TelegramUpdate[] | undefined) => {
        clearTimeout(timer);
        pollers.delete(wake);
        if (activePoll === me) activePoll = undefined;
        if (value) resolve(value);
        else
          reject(
            new ApiFailure(
              409,
              "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            ),
          );
      };
      const wake = () => done(ready());
      const timer = setTimeout(wake, timeoutMs);
      const me = { reject: () => done(undefined) };
      activePoll = me;
      pollers.add(wake);
    });
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    idleTimeout: 60,
    async fetch(req) {
      const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url).pathname);
      if (!match) return fail(404, "Not Found");
      const [, given, method = ""] = match;
      if (given !== token) return fail(401, "Unauthorized");
      let body: Awaited<ReturnType<typeof readParams>>;
      try {
        body = await readParams(req);
      } catch {
        return fail(400, "Bad Request: can't parse request body");
      }
      const chatId = body.params.chat_id === undefined ? undefined : Number(body.params.chat_id);
      const fault = api.faults?.(method, body.params);
      if (fault?.delayMs) await Bun.sleep(fault.delayMs);
      if (fault?.drop) {
        // A body that errors mid-stream: the client sees a broken connection, as with a dead proxy.
        return new Response(
          new ReadableStream({
            start(controller) {
              controller.error(new Error("connection dropped by fault injection"));
            },
          }),
          { headers: { "content-type": "application/json" } },
        );
      }
      if (fault?.body !== undefined) {
        return new Response(fault.body, {
          status: fault.status ?? 200,
          headers: { "content-type": fault.body.startsWith("<") ? "text/html" : "application/json" },
        });
      }
      if (fault?.status) {
        state.calls.push({
          method,
          ...(chatId !== undefined ? { chatId } : {}),
          at: Date.now(),
          ok: false,
          code: fault.status,
        });
        return fault.status === 429
          ? fail(429, `Too Many Requests: retry after ${fault.retryAfter ?? 1}`, {
              retry_after: fault.retryAfter ?? 1,
            })
          : fail(fault.status, fault.status >= 500 ? "Internal Server Error" : "Bad Request: injected fault");
      }
      try {
        const result =
          method === "getUpdates"
            ? await getUpdates(body.params)
            : method === "sendDocument"
              ? sendDocument(state, body.params, body.file, body.bytes ?? new Uint8Array())
              : BOT_METHODS[method]?.(state, body.params);
        if (result === undefined) return fail(404, "Not Found: method not found");
        if (method !== "getUpdates") {
          state.calls.push({ method, ...(chatId !== undefined ? { chatId } : {}), at: Date.now(), ok: true });
        }
        return Response.json({ ok: true, result });
      } catch (error) {
        if (error instanceof ApiFailure) {
          state.calls.push({
            method,
            ...(chatId !== undefined ? { chatId } : {}),
            at: Date.now(),
            ok: false,
            code: error.code,
          });
          return fail(error.code, error.description, error.parameters);
        }
        return fail(500, `Internal Server Error: ${(error as Error).message}`);
      }
    },
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
      while (confirmed < state.nextUpdateId - 1 && Date.now() < deadline) await Bun.sleep(10);
      return confirmed >= state.nextUpdateId - 1;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      activePoll?.reject();
      await server.stop(true);
    },
  };
  return api;
}
