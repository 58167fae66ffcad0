import type { Database } from "bun:sqlite";
import type { TelegramUpdate } from "gramio";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/log.ts";
import type { Redactor } from "../shared/redact.ts";
import type { StorageHealth } from "../storage/health.ts";
import { createInboxRepo } from "../storage/inbox-repo.ts";
import { createMetaRepo } from "../storage/meta-repo.ts";
import { createAccess } from "./access.ts";
import { type CallbackSpec, type CommandSpec, menuFor, type TextHook } from "./context.ts";
import { createDispatcher } from "./dispatcher.ts";
import { createOutbox, type Outbox } from "./outbox.ts";
import { createOutboxQueue } from "./outbox-queue.ts";
import { createPoller, type PollHealth } from "./poller.ts";
import { createRateLimiter, type RateLimitPolicy } from "./rate-limits.ts";
import { createTransport, toUpload } from "./transport.ts";
import { createUpdateHandler } from "./update-handler.ts";

/**
 * The Telegram side assembled: gramio transport, the outbox, the durable poller, the
 * per-chat dispatcher and the update handler. Commands come from outside; this module
 * knows nothing of scripts, disks or Plume.
 */

export interface TelegramBotOptions {
  token: string;
  /** Bot API root such as https://api.telegram.org. */
  apiRoot: string;
  db: Database;
  clock: Clock;
  log: Logger;
  telegram: { admins: readonly number[]; viewers: readonly number[]; max_messages: number };
  /** Read when first needed: command families may be built after the bot. */
  commands(): readonly CommandSpec[];
  callbacks(): readonly CallbackSpec[];
  textHooks?: readonly TextHook[];
  extraAdmins?: readonly number[];
  limits?: RateLimitPolicy;
  pollTimeoutSeconds?: number;
  onCommand?(command: string, outcome: string): void;
  onApiError?(method: string, error: unknown): void;
  storage: StorageHealth;
  /** Applied to everything sent: text, captions, text documents. */
  redactor?: Pick<Redactor, "ranges" | "redact">;
}

export interface TelegramBot {
  outbox: Outbox;
  /** Connects (retrying until the Bot API answers), registers the menus and starts polling. */
  start(): Promise<void>;
  /** Stops polling and lets running handlers finish (bounded). Messages can still be sent. */
  stopPolling(drainMs?: number): Promise<void>;
  /** Stops polling if still on, flushes the outbox (bounded), then stops sending. */
  stop(flushMs?: number): Promise<void>;
  /** Whether polling works, for /healthz. */
  pollHealth(): PollHealth;
}

export function createTelegramBot(options: TelegramBotOptions): TelegramBot {
  const { clock, log, db } = options;
  const call = createTransport({ apiRoot: options.apiRoot, token: options.token });
  // Shutdown aborts the pending long poll without cutting off messages still being flushed.
  const pollAbort = new AbortController();
  const meta = createMetaRepo(db, clock);
  const inbox = createInboxRepo(db, clock, Number(options.token.split(":")[0]) || 0);

  const queue = createOutboxQueue({
    call,
    limiter: createRateLimiter(options.limits),
    clock,
    log: log.child("outbox"),
    onChatMigrated: (from, to) => meta.set(`chat.migrated.${from}`, String(to)),
    ...(options.onApiError ? { onApiError: options.onApiError } : {}),
  });
  for (const [key, to] of meta.entries("chat.migrated.")) {
    queue.addMigration(Number(key.slice("chat.migrated.".length)), Number(to));
  }
  const outbox = createOutbox({
    queue,
    maxMessages: options.telegram.max_messages,
    toUpload,
    ...(options.redactor ? { redactor: options.redactor } : {}),
  });
  const access = createAccess(options.telegram, clock, options.extraAdmins);
  let username = "";
  const handle = createUpdateHandler({
    access,
    outbox,
    log: log.child("bot"),
    commands: options.commands,
    callbacks: options.callbacks,
    ...(options.textHooks ? { textHooks: options.textHooks } : {}),
    botUsername: () => username,
    ...(options.onCommand ? { onCommand: options.onCommand } : {}),
  });
  const inboxHealth = (error: unknown) =>
    error === undefined
      ? options.storage.ok("inbox")
      : options.storage.failed("inbox", error, "handling updates from memory (at most once)");
  const dispatcher = createDispatcher({
    inbox,
    handle: (update: TelegramUpdate, release: () => void) => handle(update, release),
    log: log.child("dispatch"),
    onStorage: inboxHealth,
  });
  const poller = createPoller({
    getMe: () => call("getMe", {}),
    getUpdates: (offset, timeout, limit) =>
      call(
        "getUpdates",
        { offset, timeout, allowed_updates: ["message", "callback_query"], ...(limit ? { limit } : {}) },
        { signal: pollAbort.signal },
      ),
    deleteWebhook: () => call("deleteWebhook", { drop_pending_updates: false }),
    inbox,
    dispatch: dispatcher.dispatch,
    onStorage: inboxHealth,
    ...(options.onApiError ? { onError: options.onApiError } : {}),
    log: log.child("poller"),
    clock,
    sleep: (ms) => Bun.sleep(ms),
    random: Math.random,
    ...(options.pollTimeoutSeconds !== undefined ? { pollTimeoutSeconds: options.pollTimeoutSeconds } : {}),
  });

  async function registerMenus() {
    const all = options.commands();
    const viewer = await queue.enqueue({
      method: "setMyCommands",
      chatId: undefined,
      priority: "bulk",
      params: { commands: menuFor(all, "viewer") },
    });
    const admins = [...options.telegram.admins, ...(options.extraAdmins ?? [])];
    const results = await Promise.all(
      admins.map((id) =>
        queue.enqueue({
          method: "setMyCommands",
          chatId: undefined,
          priority: "bulk",
          params: { commands: menuFor(all, "admin"), scope: { type: "chat", chat_id: id } },
        }),
      ),
    );
    // An admin who never opened a chat with the bot answers "chat not found": harmless.
    const failed = results.filter((r) => !r.ok).length;
    if (!viewer.ok || failed)
      log.warn("some command menus were not registered", { failed: failed + (viewer.ok ? 0 : 1) });
  }

  return {
    outbox,
    async start() {
      // Hand over what the last run fetched but did not handle, before anything new.
      dispatcher.recover();
      username = await poller.start();
      // In the background: a menu the Bot API will not take never delays a reply or the start.
      if (username) void registerMenus();
    },
    async stopPolling(drainMs = 5000) {
      poller.stop();
      pollAbort.abort();
      await dispatcher.drain(drainMs);
    },
    async stop(flushMs = 5000) {
      poller.stop();
      pollAbort.abort();
      await dispatcher.drain(flushMs);
      await outbox.flush(flushMs);
      const dropped = queue.stop();
      if (dropped)
        log.warn("shutdown: Bot API calls still queued were dropped (alerts stay in their durable outbox)", {
          dropped,
        });
    },
    pollHealth: () => poller.health(),
  };
}
