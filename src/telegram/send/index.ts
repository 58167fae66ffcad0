import type { Database } from "bun:sqlite";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { Redactor } from "../../shared/redact.ts";
import { createMetaRepo } from "../../storage/meta-repo.ts";
import { createOutbox, type Outbox } from "./outbox.ts";
import { createOutboxQueue, type OutboxQueue } from "./outbox-queue.ts";
import { createRateLimiter, type RateLimitPolicy } from "./rate-limits.ts";
import { createTransport, type Transport, toUpload } from "./transport.ts";

/**
 * The sending side of the Telegram boundary, built first: the typed transport, the rate
 * limits, the queue (retries, 429s, chat migrations remembered in the database) and the
 * outbox every feature sends through. It knows nothing of updates or commands.
 */

export interface SendOptions {
  token: string;
  /** Bot API root such as https://api.telegram.org. */
  apiRoot: string;
  db: Database;
  clock: Clock;
  log: Logger;
  maxMessages: number;
  limits?: RateLimitPolicy;
  onApiError?(method: string, error: unknown): void;
  /** Applied to everything sent: text, captions, text documents. */
  redactor?: Pick<Redactor, "ranges" | "redact">;
}

export interface Send {
  /** One Bot API call, outside the queue (the long poll, which has its own retry). */
  call: Transport;
  queue: OutboxQueue;
  outbox: Outbox;
  /** Flushes the outbox (bounded), then stops sending; calls still queued are dropped and logged. */
  stop(flushMs: number): Promise<void>;
}

export function createSend(options: SendOptions): Send {
  const { clock, log } = options;
  const call = createTransport({ apiRoot: options.apiRoot, token: options.token });
  const meta = createMetaRepo(options.db, clock);
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
    maxMessages: options.maxMessages,
    toUpload,
    ...(options.redactor ? { redactor: options.redactor } : {}),
  });
  return {
    call,
    queue,
    outbox,
    async stop(flushMs) {
      await outbox.flush(flushMs);
      const dropped = queue.stop();
      if (dropped)
        log.warn("shutdown: Bot API calls still queued were dropped (alerts stay in their durable outbox)", {
          dropped,
        });
    },
  };
}
