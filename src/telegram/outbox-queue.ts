import type { APIMethodParams, APIMethods } from "@gramio/types";
import { backoffMs } from "../shared/backoff.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/log.ts";
import { classifyFailure } from "./api-errors.ts";
import type { RateLimiter } from "./rate-limits.ts";
import type { Upload } from "./transport.ts";

/**
 * The scheduling core of the outbox: one FIFO per chat (so a chat's messages arrive in
 * order), priorities across chats and within one, Telegram's rate limits, 429 waits,
 * retries with backoff until a deadline, and group → supergroup migration. It knows Bot
 * API method names but not what a message looks like.
 *
 * Failures stay with the call that failed: only a 429 pauses more than that call (its chat,
 * or everything when the 429 came for a call with no chat, which is what Telegram's global
 * limit means). A call waiting for its retry after a 5xx or a network error is set aside, so
 * later messages to the same chat go out meanwhile, and calls bound to no chat never wait for
 * each other.
 */

/** Bot API calls are made through this; it throws the transport's classified errors. */
export type ApiCall = (method: string, params: Record<string, unknown>) => Promise<unknown>;

export type Priority = "alert" | "normal" | "bulk";
const RANK: Record<Priority, number> = { alert: 0, normal: 1, bulk: 2 };

export type CallResult = { ok: true; result: unknown } | { ok: false; error: string; code?: number };

/** The Bot API methods that go through the queue. */
export type OutMethod =
  | "sendMessage"
  | "editMessageText"
  | "sendDocument"
  | "deleteMessage"
  | "answerCallbackQuery"
  | "setMyCommands";

type Params<M extends keyof APIMethods> = NonNullable<APIMethodParams<M>>;

/**
 * A method's parameters, typed by gramio's own Bot API types (a misspelt parameter does not
 * compile), without chat_id (the queue adds the chat's current id; it may have migrated), and
 * with a document as an Upload.
 */
export type OutParams<M extends OutMethod> = M extends "sendDocument"
  ? Omit<Params<M>, "chat_id" | "document"> & { document: Upload }
  : Omit<Params<M>, "chat_id">;

interface QueuedCallOf<M extends OutMethod> {
  method: M;
  params: OutParams<M>;
  /** undefined for calls bound to no chat (answerCallbackQuery, setMyCommands). */
  chatId: number | undefined;
  priority: Priority;
  /** Coalescing key: a queued call with the same key is replaced by the newer one. */
  replaceKey?: string;
  /** Called once if the call has to wait (a retry or a 429): its caller should not hold others up. */
  onWaiting?: () => void;
}

export type QueuedCall = { [M in OutMethod]: QueuedCallOf<M> }[OutMethod];

type Job = QueuedCall & {
  seq: number;
  deadline: number;
  maxAttempts: number;
  attempts: number;
  /** Set while the call waits for its retry. */
  notBefore: number;
  waiters: ((r: CallResult) => void)[];
  waitingTold: boolean;
};

/** Per-method limits that beat the priority's deadline: what is useless late, or costly to repeat. */
export interface MethodPolicy {
  deadlineMs: number;
  maxAttempts: number;
}

export const METHOD_POLICIES: Record<string, MethodPolicy> = {
  // Telegram refuses an answer to a query older than about 15 s: try while it can still help.
  answerCallbackQuery: { deadlineMs: 10_000, maxAttempts: 4 },
  // An upload is heavy to repeat: a few attempts within about two minutes, then the chat is told.
  sendDocument: { deadlineMs: 120_000, maxAttempts: 4 },
};

export interface OutboxQueueOptions {
  call: ApiCall;
  limiter: RateLimiter;
  clock: Clock;
  log: Logger;
  /** How long a call may keep failing before it is given up (and logged), per priority. */
  deadlineMs?: Record<Priority, number>;
  methodPolicies?: Record<string, MethodPolicy>;
  maxInFlight?: number;
  onChatMigrated?: (from: number, to: number) => void;
  /** Metrics: a failed call and the error (labelled by the caller from a fixed set). */
  onApiError?: (method: string, error: unknown) => void;
  /** Jitter source in [0, 1): injected so tests are deterministic. */
  random?: () => number;
}

const NO_CHAT = 0;
const RETRY = { baseMs: 1000, maxMs: 30_000 };

export function createOutboxQueue(options: OutboxQueueOptions) {
  const { call, limiter, clock, log } = options;
  const deadlines = options.deadlineMs ?? { alert: 24 * 3_600_000, normal: 3_600_000, bulk: 600_000 };
  const policies = options.methodPolicies ?? METHOD_POLICIES;
  const maxInFlight = options.maxInFlight ?? 16;
  const random = options.random ?? Math.random;
  const queues = new Map<number, Job[]>();
  /** Chats with a call in flight (one at a time per chat keeps their order). */
  const busy = new Set<number>();
  let inFlight = 0;
  const migrated = new Map<number, number>();
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let idleWaiters: (() => void)[] = [];
  let stopped = false;

  const current = (chatId: number) => {
    let id = chatId;
    for (let hops = 0; migrated.has(id) && hops < 5; hops++) id = migrated.get(id) as number;
    return id;
  };
  const pending = () => [...queues.values()].reduce((n, q) => n + q.length, 0) + inFlight;

  function insert(queue: Job[], job: Job) {
    let i = queue.length;
    while (i > 0 && RANK[(queue[i - 1] as Job).priority] > RANK[job.priority]) i--;
    queue.splice(i, 0, job);
  }

  function enqueue(request: QueuedCall): Promise<CallResult> {
    if (stopped) return Promise.resolve({ ok: false, error: "the bot is shutting down" });
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
        if (existing.waitingTold) request.onWaiting?.();
        else if (request.onWaiting) {
          const before = existing.onWaiting;
          const after = request.onWaiting;
          existing.onWaiting = () => {
            before?.();
            after();
          };
        }
        return;
      }
      const now = clock.now();
      const policy = policies[request.method];
      insert(queue, {
        ...request,
        seq: seq++,
        deadline: now + Math.min(deadlines[request.priority], policy?.deadlineMs ?? Number.POSITIVE_INFINITY),
        maxAttempts: policy?.maxAttempts ?? Number.POSITIVE_INFINITY,
        attempts: 0,
        notBefore: 0,
        waiters: [resolve],
        waitingTold: false,
      });
      pump();
    });
  }

  function finish(job: Job, result: CallResult) {
    for (const w of job.waiters) w(result);
  }

  function tellWaiting(job: Job) {
    if (job.waitingTold) return;
    job.waitingTold = true;
    job.onWaiting?.();
  }

  /** Wakes flush() callers; runs after a call's in-flight mark is cleared, or it never sees 0. */
  function notifyIfIdle() {
    if (pending() !== 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  /** True if the job may wait `delayMs` more; otherwise it is given up (and logged). */
  function mayWait(job: Job, delayMs: number, reason: string): boolean {
    if (clock.now() + delayMs <= job.deadline && job.attempts < job.maxAttempts) return true;
    // A late callback answer is useless, not a fault: the button's spinner has long stopped.
    const level = job.method === "answerCallbackQuery" ? "debug" : "error";
    log[level]("gave up on a Bot API call", {
      method: job.method,
      chat: job.chatId,
      attempts: job.attempts,
      reason,
    });
    return false;
  }

  function handleFailure(key: number, job: Job, error: unknown) {
    options.onApiError?.(job.method, error);
    const queue = queues.get(key) ?? [];
    queues.set(key, queue);
    const failure = classifyFailure(error);
    switch (failure.kind) {
      case "migrated": {
        if (key === NO_CHAT) break;
        migrated.set(key, failure.to);
        log.warn("group was migrated to a supergroup: using the new chat id from now on", {
          from: key,
          to: failure.to,
        });
        options.onChatMigrated?.(key, failure.to);
        const moved = [job, ...queue.splice(0)];
        const target = queues.get(failure.to) ?? [];
        queues.set(failure.to, target);
        for (const j of moved) insert(target, j);
        return;
      }
      case "not-modified":
        return finish(job, { ok: true, result: true });
      case "final":
        log.warn("Bot API refused a call", {
          method: job.method,
          chat: job.chatId,
          code: failure.code,
          error: failure.description,
        });
        return finish(job, { ok: false, error: failure.description, code: failure.code });
      case "rate-limited": {
        log.warn("rate limited by Telegram: waiting", {
          method: job.method,
          chat: job.chatId,
          retry_after_s: failure.retryAfterMs / 1000,
        });
        if (!mayWait(job, failure.retryAfterMs, failure.description))
          return finish(job, { ok: false, error: failure.description, code: 429 });
        // The whole chat waits (its order is kept); a 429 for a call with no chat is Telegram's
        // global limit, the one case where everything waits.
        limiter.block(key === NO_CHAT ? undefined : key, clock.now() + failure.retryAfterMs);
        queue.unshift(job);
        tellWaiting(job);
        return;
      }
    }
    const description = failure.kind === "retry" ? failure.description : "failed";
    const delay = backoffMs(job.attempts, RETRY, random);
    if (job.attempts === 1)
      log.warn("Bot API call failed: retrying", { method: job.method, chat: job.chatId, error: description });
    if (!mayWait(job, delay, description)) return finish(job, { ok: false, error: description });
    job.notBefore = clock.now() + delay;
    insert(queue, job);
    // Re-sorted by its sequence so it keeps its place among calls of its priority.
    queue.sort((a, b) => RANK[a.priority] - RANK[b.priority] || a.seq - b.seq);
    tellWaiting(job);
  }

  async function run(key: number, job: Job) {
    job.attempts++;
    const params = key === NO_CHAT ? job.params : { chat_id: key, ...job.params };
    try {
      finish(job, { ok: true, result: await call(job.method, params) });
    } catch (error) {
      handleFailure(key, job, error);
    } finally {
      if (key !== NO_CHAT) busy.delete(key);
      inFlight--;
      pump();
      notifyIfIdle();
    }
  }

  /** The first job of a queue that may go now, or when the earliest one may. */
  function nextJob(queue: Job[], now: number): { index: number; at: number } {
    let at = Number.POSITIVE_INFINITY;
    for (let i = 0; i < queue.length; i++) {
      const job = queue[i] as Job;
      if (job.notBefore <= now) return { index: i, at: now };
      at = Math.min(at, job.notBefore);
    }
    return { index: -1, at };
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
      if (inFlight >= maxInFlight) break;
      const readyAt = key === NO_CHAT ? limiter.readyAtUnbound(now) : limiter.readyAt(key, now);
      if (readyAt > now) {
        nextAt = Math.min(nextAt, readyAt);
        continue;
      }
      // Calls bound to no chat are independent of each other: start every one that is due.
      for (let more = true; more && inFlight < maxInFlight; more = key === NO_CHAT) {
        const { index, at } = nextJob(queue, now);
        if (index < 0) {
          nextAt = Math.min(nextAt, at);
          break;
        }
        const [job] = queue.splice(index, 1) as [Job];
        // Callback answers and menus are not messages: they do not use a chat's sending budget.
        if (key !== NO_CHAT) {
          limiter.record(key, now);
          busy.add(key);
        }
        inFlight++;
        void run(key, job);
      }
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
    /** Stops sending; returns how many calls were still queued or in flight (dropped). */
    stop(): number {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const dropped = pending();
      for (const q of queues.values())
        for (const job of q.splice(0)) finish(job, { ok: false, error: "the bot is shutting down" });
      queues.clear();
      return dropped;
    },
  };
}

export type OutboxQueue = ReturnType<typeof createOutboxQueue>;
