import type { Database } from "bun:sqlite";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { StorageHealth } from "../../storage/health.ts";
import { createInboxRepo } from "../../storage/inbox-repo.ts";
import type { Feature } from "../feature.ts";
import type { Send } from "../send/index.ts";
import { createAccess } from "./access.ts";
import { createDispatcher } from "./dispatcher.ts";
import { registerMenus } from "./menus.ts";
import { createPoller, type PollHealth } from "./poller.ts";
import { createRouter } from "./router.ts";

/**
 * The receiving side of the Telegram boundary, built last, given the features: the durable
 * poller, the per-chat inbox dispatcher and the router (access, routing, callback answers, the
 * one error sink for updates). It knows features only through the Feature interface.
 */

export interface ReceiveOptions {
  send: Send;
  features: readonly Feature[];
  /** The bot's token: its numeric prefix keys this bot's inbox. */
  token: string;
  db: Database;
  clock: Clock;
  log: Logger;
  access: { admins: readonly number[]; viewers: readonly number[] };
  /** Admins whatever the lists say: the console's local user. */
  extraAdmins?: readonly number[];
  pollTimeoutSeconds?: number;
  onCommand?(command: string, outcome: string): void;
  onApiError?(method: string, error: unknown): void;
  storage: StorageHealth;
}

export interface Receive {
  /** Hands over what the last run fetched but did not handle, connects (retrying), polls. */
  start(): Promise<void>;
  /** Stops polling and lets running handlers finish (bounded). Messages can still be sent. */
  stop(drainMs: number): Promise<void>;
  /** Whether polling works, for /healthz. */
  pollHealth(): PollHealth;
}

export function createReceive(options: ReceiveOptions): Receive {
  const { clock, log, send } = options;
  // Shutdown aborts the pending long poll without cutting off messages still being flushed.
  const pollAbort = new AbortController();
  const inbox = createInboxRepo(options.db, clock, Number(options.token.split(":")[0]) || 0);
  let username = "";
  const route = createRouter({
    access: createAccess(options.access, clock, options.extraAdmins),
    outbox: send.outbox,
    log: log.child("bot"),
    features: options.features,
    botUsername: () => username,
    ...(options.onCommand ? { onCommand: options.onCommand } : {}),
  });
  const inboxHealth = (error: unknown) =>
    error === undefined
      ? options.storage.ok("inbox")
      : options.storage.failed("inbox", error, "handling updates from memory (at most once)");
  const dispatcher = createDispatcher({
    inbox,
    handle: route,
    log: log.child("dispatch"),
    onStorage: inboxHealth,
  });
  const poller = createPoller({
    getMe: () => send.call("getMe", {}),
    getUpdates: (offset, timeout, limit) =>
      send.call(
        "getUpdates",
        { offset, timeout, allowed_updates: ["message", "callback_query"], ...(limit ? { limit } : {}) },
        { signal: pollAbort.signal },
      ),
    deleteWebhook: () => send.call("deleteWebhook", { drop_pending_updates: false }),
    inbox,
    dispatch: dispatcher.dispatch,
    waiting: dispatcher.waiting,
    onStorage: inboxHealth,
    ...(options.onApiError ? { onError: options.onApiError } : {}),
    log: log.child("poller"),
    clock,
    sleep: (ms) => Bun.sleep(ms),
    random: Math.random,
    ...(options.pollTimeoutSeconds !== undefined ? { pollTimeoutSeconds: options.pollTimeoutSeconds } : {}),
  });
  const admins = [...options.access.admins, ...(options.extraAdmins ?? [])];

  return {
    async start() {
      dispatcher.recover();
      username = await poller.start();
      if (username) void registerMenus(send.queue, options.features, admins, log);
    },
    async stop(drainMs) {
      poller.stop();
      pollAbort.abort();
      await dispatcher.drain(drainMs);
    },
    pollHealth: () => poller.health(),
  };
}
