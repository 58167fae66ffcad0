import type { TelegramUpdate } from "gramio";
import { backoffMs } from "../../shared/backoff.ts";
import type { Clock } from "../../shared/clock.ts";
import { TelegramInvalidResponseError, TelegramSendError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";
import type { InboxRepo } from "../../storage/inbox-repo.ts";
import { describePollFailure } from "./poll-errors.ts";
import { parseUpdates } from "./updates.ts";

/**
 * Long polling that survives everything: getMe failing at start, network errors, 5xx,
 * answers that are not the Bot API's, a webhook left set, 409 conflicts, a full disk. Backoff
 * with jitter up to 30 s and one log line per outage (plus one on recovery), not one per
 * attempt. A batch is stored in the inbox before the next getUpdates confirms it to Telegram,
 * so a crash never loses an update. When the inbox cannot be written, the batch is confirmed
 * first and then handled from memory: at most once, and answered.
 */

export interface PollerDeps {
  getMe(): Promise<unknown>;
  /** The raw `result` of getUpdates; throws the transport's classified errors. */
  getUpdates(offset: number, timeoutSeconds: number, limit?: number): Promise<unknown>;
  deleteWebhook(): Promise<unknown>;
  inbox: InboxRepo;
  dispatch(update: TelegramUpdate, stored: boolean): void;
  /** The updates of a batch that will wait for their chat (see Dispatcher.waiting). */
  waiting(batch: readonly TelegramUpdate[]): Set<number>;
  /** Told when the inbox cannot be written (error) and when it can again (undefined). */
  onStorage(error: unknown | undefined): void;
  log: Logger;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  random(): number;
  pollTimeoutSeconds?: number;
  /** Past the poll timeout, how long polling may fail before health() says so (default 30 s). */
  healthMarginMs?: number;
  /** Metrics: a failed getMe/getUpdates. */
  onError?(method: string, error: unknown): void;
}

export interface PollHealth {
  ok: boolean;
  /** Why, in a few words ("polling", "getUpdates failing for 95 s: …"). */
  reason: string;
  /** ms since the last answer of the Bot API (undefined: none yet). */
  lastAnswerAgoMs: number | undefined;
}

export interface Poller {
  /** Waits for getMe (retrying), then polls until stop(). Resolves with the bot's username. */
  start(): Promise<string>;
  stop(): void;
  /** Resolves when the loop has exited. */
  stopped: Promise<void>;
  health(): PollHealth;
}

const WEBHOOK_ACTIVE = /webhook is active/i;

export function createPoller(deps: PollerDeps): Poller {
  const { log, clock } = deps;
  const timeoutSeconds = deps.pollTimeoutSeconds ?? 25;
  let running = true;
  let wake: (() => void) | undefined;
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((r) => {
    resolveStopped = r;
  });
  let outage: { kind: string; since: number; attempts: number; message: string } | undefined;
  const startedAt = clock.now();
  let lastAnswerAt: number | undefined;
  let pollSentAt: number | undefined;
  /** A Bot API that answers long polls at once must not make us spin: a growing floor. */
  let floorMs = 0;
  let storageOk = true;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      void deps.sleep(ms).then(resolve);
    });

  /** Logs the first failure of an outage and every change of its kind; returns the backoff. */
  function failed(error: unknown, what: string, method: string): number {
    deps.onError?.(method, error);
    const { kind, message } = describePollFailure(error);
    if (!outage || outage.kind !== kind) {
      log.error(`${what}: ${message}; retrying with backoff`, { error: kind });
      outage = { kind, since: outage?.since ?? clock.now(), attempts: 0, message };
    }
    outage.attempts++;
    return backoffMs(outage.attempts, { baseMs: 1000, maxMs: 30_000 }, deps.random);
  }

  function answered() {
    lastAnswerAt = clock.now();
    if (!outage) return;
    log.info("Bot API reachable again", {
      after_s: Math.round((clock.now() - outage.since) / 1000),
      attempts: outage.attempts,
    });
    outage = undefined;
  }

  async function removeWebhook(why: string) {
    try {
      await deps.deleteWebhook();
      log.warn(`${why}: removed the webhook (pending updates kept) so that polling works`);
    } catch (error) {
      log.warn("deleteWebhook failed", { error: describePollFailure(error).message });
    }
  }

  /**
   * Stores the batch's offset and the updates that will wait for their chat (one commit; an
   * update that starts at once needs no row), or (storage failing) confirms the batch to
   * Telegram so it is handled at most once.
   */
  async function keep(batch: TelegramUpdate[], waiting: Set<number>, next: number): Promise<boolean> {
    try {
      deps.inbox.store(
        batch
          .filter((u) => waiting.has(u.update_id))
          .map((u) => ({ updateId: u.update_id, payload: JSON.stringify(u) })),
        next,
      );
      if (!storageOk) deps.onStorage(undefined);
      storageOk = true;
      return true;
    } catch (error) {
      storageOk = false;
      deps.onStorage(error);
      try {
        // Asking for `next` confirms everything before it; what this returns comes again later.
        await deps.getUpdates(next, 0, 1);
      } catch (confirmError) {
        log.warn("could not confirm a batch before handling it from memory", {
          error: describePollFailure(confirmError).message,
        });
      }
      return false;
    }
  }

  async function loop() {
    let offset = deps.inbox.nextOffset();
    while (running) {
      let raw: unknown;
      const sentAt = clock.now();
      pollSentAt = sentAt;
      try {
        raw = await deps.getUpdates(offset, timeoutSeconds);
      } catch (error) {
        pollSentAt = undefined;
        if (!running) break;
        if (
          error instanceof TelegramSendError &&
          error.code === 409 &&
          WEBHOOK_ACTIVE.test(error.description)
        ) {
          await removeWebhook("getUpdates refused: a webhook is set for this bot");
        }
        await pause(failed(error, "polling", "getUpdates"));
        continue;
      }
      pollSentAt = undefined;
      const parsed = parseUpdates(raw);
      if (!parsed.ok) {
        if (!running) break;
        await pause(
          failed(new TelegramInvalidResponseError("getUpdates", 200, parsed.error), "polling", "getUpdates"),
        );
        continue;
      }
      // Even while stopping, a batch that arrived is stored and handed over: the stored offset is
      // what the next start sends, which confirms it, so nothing is lost and nothing repeats.
      answered();
      const { updates, skipped, nextOffset } = parsed.value;
      for (const bad of skipped) log.warn("skipped an update that is not Telegram-shaped", bad);
      const next = Math.max(offset, nextOffset ?? 0);
      if (updates.length === 0 && next === offset) {
        // An empty answer well before the timeout means the server ignores `timeout`.
        if (clock.now() - sentAt < (timeoutSeconds * 1000) / 2 && timeoutSeconds > 0) {
          if (floorMs === 0)
            log.warn("the Bot API answers getUpdates at once, ignoring the timeout: pausing between polls");
          floorMs = Math.min(5000, Math.max(100, floorMs * 2));
          await pause(floorMs);
        } else floorMs = 0;
        continue;
      }
      floorMs = 0;
      const waiting = deps.waiting(updates);
      const stored = await keep(updates, waiting, next);
      offset = next;
      for (const u of updates) deps.dispatch(u, stored && waiting.has(u.update_id));
    }
    resolveStopped();
  }

  return {
    async start() {
      while (running) {
        try {
          const me = (await deps.getMe()) as { username?: unknown } | null;
          answered();
          const username = typeof me?.username === "string" ? me.username : "";
          log.info("connected to the Bot API", { bot: username });
          // A webhook left set (another tool, an earlier deployment) makes every getUpdates fail.
          await deps
            .deleteWebhook()
            .catch((error: unknown) =>
              log.warn("deleteWebhook failed", { error: describePollFailure(error).message }),
            );
          void loop();
          return username;
        } catch (error) {
          if (!running) break;
          await pause(failed(error, "getMe at start", "getMe"));
        }
      }
      resolveStopped();
      return "";
    },
    stop() {
      running = false;
      wake?.();
    },
    stopped,
    health() {
      const now = clock.now();
      const lastAnswerAgoMs = lastAnswerAt === undefined ? undefined : now - lastAnswerAt;
      const limit = timeoutSeconds * 1000 + (deps.healthMarginMs ?? 30_000);
      if (outage && now - outage.since > limit)
        return {
          ok: false,
          reason: `Bot API failing for ${Math.round((now - outage.since) / 1000)} s: ${outage.message}`,
          lastAnswerAgoMs,
        };
      if (pollSentAt !== undefined && now - pollSentAt > limit)
        return {
          ok: false,
          reason: `getUpdates has not answered for ${Math.round((now - pollSentAt) / 1000)} s`,
          lastAnswerAgoMs,
        };
      if (lastAnswerAt === undefined && now - startedAt > limit)
        return { ok: false, reason: "the Bot API has not answered since the start", lastAnswerAgoMs };
      return { ok: true, reason: outage ? `retrying: ${outage.message}` : "polling", lastAnswerAgoMs };
    },
  };
}
