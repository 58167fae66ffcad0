import type { Clock } from "../shared/clock.ts";
import { errorMessage, TelegramSendError } from "../shared/errors.ts";
import type { Logger } from "../shared/log.ts";
import type { RateLimiter } from "./rate-limits.ts";

/**
 * The scheduling core of the outbox: one FIFO per chat (so a chat's messages arrive in
 * order), priorities across chats and within one, Telegram's rate limits, 429 waits,
 * retries with backoff until a deadline, and group → supergroup migration. It knows Bot
 * API method names but not what a message looks like.
 */

/** Bot API calls are made through this; it throws TelegramSendError for `ok: false` answers. */
export type ApiCall = (method: string, params: Record<string, unknown>) => Promise<unknown>;

export type Priority = "alert" | "normal" | "bulk";
const RANK: Record<Priority, number> = { alert: 0, normal: 1, bulk: 2 };

export type CallResult = { ok: true; result: unknown } | { ok: false; error: string; code?: number };

export interface QueuedCall {
  method: string;
  /** Without chat_id: the queue adds the current id of the chat (it may have migrated). */
  params: Record<string, unknown>;
  /** undefined for calls bound to no chat (answerCallbackQuery). */
  chatId: number | undefined;
  priority: Priority;
  /** Coalescing key: a queued call with the same key is replaced by the newer one. */
  replaceKey?: string;
}

interface Job extends QueuedCall {
  seq: number;
  deadline: number;
  attempts: number;
  waiters: ((r: CallResult) => void)[];
}

export interface OutboxQueueOptions {
  call: ApiCall;
  limiter: RateLimiter;
  clock: Clock;
  log: Logger;
  /** How long a call may keep failing before it is given up (and logged), per priority. */
  deadlineMs?: Record<Priority, number>;
  maxInFlight?: number;
  onChatMigrated?: (from: number, to: number) => void;
  /** Metrics: a failed call, by method and code (0 for network errors). */
  onApiError?: (method: string, code: number) => void;
  /** Jitter source in [0, 1): injected so tests are deterministic. */
  random?: () => number;
}

const NO_CHAT = 0;

export function createOutboxQueue(options: OutboxQueueOptions) {
  const { call, limiter, clock, log } = options;
  const deadlines = options.deadlineMs ?? { alert: 24 * 3_600_000, normal: 3_600_000, bulk: 600_000 };
  const maxInFlight = options.maxInFlight ?? 16;
  const random = options.random ?? Math.random;
  const queues = new Map<number, Job[]>();
  const busy = new Set<number>();
  const migrated = new Map<number, number>();
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let idleWaiters: (() => void)[] = [];

  const current = (chatId: number) => {
    let id = chatId;
    for (let hops = 0; migrated.has(id) && hops < 5; hops++) id = migrated.get(id) as number;
    return id;
  };
  const pending = () => [...queues.values()].reduce((n, q) => n + q.length, 0) + busy.size;

  function insert(queue: Job[], job: Job) {
    let i = queue.length;
    while (i > 0 && RANK[(queue[i - 1] as Job).priority] > RANK[job.priority]) i--;
    queue.splice(i, 0, job);
  }

  function enqueue(request: QueuedCall): Promise<CallResult> {
    const key = request.chatId === undefined ? NO_CHAT : current(request.chatId);
    const queue = queues.get(key) ?? [];
    queues.set(key, queue);
    return new Promise((resolve) => {
      const existing = request.replaceKey
        ? queue.find((j) => j.replaceKey === request.replaceKey)
        : undefined;
      if (existing) {
        // Coalesce: the queued edit now carries the newest text; everyone waiting gets its result.
        existing.params = request.params;
        existing.waiters.push(resolve);
        return;
      }
      const now = clock.now();
      insert(queue, {
        ...request,
        seq: seq++,
        deadline: now + deadlines[request.priority],
        attempts: 0,
        waiters: [resolve],
      });
      pump();
    });
  }

  function finish(job: Job, result: CallResult) {
    for (const w of job.waiters) w(result);
  }

  /** Wakes flush() callers; runs after a call's in-flight mark is cleared, or it never sees 0. */
  function notifyIfIdle() {
    if (pending() !== 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  function retryLater(job: Job, key: number, delayMs: number, reason: string): boolean {
    const now = clock.now();
    if (now + delayMs > job.deadline) {
      log.error("gave up on a Bot API call after its deadline", {
        method: job.method,
        chat: job.chatId,
        attempts: job.attempts,
        reason,
      });
      return false;
    }
    limiter.block(key === NO_CHAT ? undefined : key, now + delayMs);
    return true;
  }

  async function run(key: number, job: Job) {
    job.attempts++;
    const params = key === NO_CHAT ? job.params : { chat_id: key, ...job.params };
    try {
      const result = await call(job.method, params);
      finish(job, { ok: true, result });
      return;
    } catch (error) {
      options.onApiError?.(job.method, error instanceof TelegramSendError ? error.code : 0);
      const queue = queues.get(key) ?? [];
      if (error instanceof TelegramSendError) {
        const { retry_after: retryAfter, migrate_to_chat_id: to } = error.parameters;
        if (to !== undefined && key !== NO_CHAT) {
          migrated.set(key, to);
          log.warn("group was migrated to a supergroup: using the new chat id from now on", {
            from: key,
            to,
          });
          options.onChatMigrated?.(key, to);
          const moved = [job, ...queue.splice(0)];
          const target = queues.get(to) ?? [];
          queues.set(to, target);
          for (const j of moved) insert(target, j);
          return;
        }
        if (error.code === 429) {
          const wait = (retryAfter ?? 1) * 1000;
          log.warn("rate limited by Telegram: waiting", {
            method: job.method,
            chat: job.chatId,
            retry_after: retryAfter,
          });
          if (retryLater(job, key, wait, error.description)) return void queue.unshift(job);
        } else if (error.code === 400 && /message is not modified/i.test(error.description)) {
          finish(job, { ok: true, result: true });
          return;
        } else if (error.code < 500) {
          log.warn("Bot API refused a call", {
            method: job.method,
            chat: job.chatId,
            code: error.code,
            error: error.description,
          });
          finish(job, { ok: false, error: error.description, code: error.code });
          return;
        }
      }
      const backoff = Math.min(30_000, 500 * 2 ** Math.min(job.attempts, 6)) * (0.75 + random() / 2);
      if (job.attempts === 1)
        log.warn("Bot API call failed: retrying", {
          method: job.method,
          chat: job.chatId,
          error: errorMessage(error),
        });
      if (retryLater(job, key, backoff, errorMessage(error))) return void queue.unshift(job);
      finish(job, { ok: false, error: errorMessage(error) });
    } finally {
      busy.delete(key);
      pump();
      notifyIfIdle();
    }
  }

  function pump() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const now = clock.now();
    let nextAt = Number.POSITIVE_INFINITY;
    // Highest priority first across chats, then oldest.
    const candidates = [...queues.entries()]
      .filter(([key, q]) => q.length > 0 && !busy.has(key))
      .sort(
        ([, a], [, b]) =>
          RANK[(a[0] as Job).priority] - RANK[(b[0] as Job).priority] ||
          (a[0] as Job).seq - (b[0] as Job).seq,
      );
    for (const [key, queue] of candidates) {
      if (busy.size >= maxInFlight) break;
      const readyAt = key === NO_CHAT ? limiter.readyAtUnbound(now) : limiter.readyAt(key, now);
      if (readyAt > now) {
        nextAt = Math.min(nextAt, readyAt);
        continue;
      }
      const job = queue.shift() as Job;
      // Callback answers are not messages: they do not use a chat's sending budget.
      if (key !== NO_CHAT) limiter.record(key, now);
      busy.add(key);
      void run(key, job);
    }
    for (const [key, q] of queues) if (q.length === 0 && !busy.has(key)) queues.delete(key);
    if (Number.isFinite(nextAt)) timer = setTimeout(pump, Math.max(1, nextAt - now));
  }

  return {
    enqueue,
    /** Calls waiting or in flight. */
    depth: pending,
    /** The id a chat has now (after any supergroup migration). */
    currentChatId: current,
    /** Restores a migration learned in an earlier run. */
    addMigration(from: number, to: number) {
      migrated.set(from, to);
    },
    /** Resolves when nothing is queued, or after `timeoutMs`; true if drained. */
    flush(timeoutMs: number): Promise<boolean> {
      if (pending() === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve(false), timeoutMs);
        idleWaiters.push(() => {
          clearTimeout(t);
          resolve(true);
        });
      });
    },
    stop() {
      if (timer) clearTimeout(timer);
    },
  };
}

export type OutboxQueue = ReturnType<typeof createOutboxQueue>;
