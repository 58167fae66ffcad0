import { backoffMs } from "../../shared/backoff.ts";
import { err, ok } from "../../shared/result.ts";
import { classifyFailure } from "./api-errors.ts";
import {
  byPriority,
  type CallResult,
  coalesce,
  createChatQueues,
  insert,
  type Job,
  METHOD_POLICIES,
  nextJob,
  type OutboxQueueOptions,
  type QueuedCall,
  RANK,
} from "./jobs.ts";

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

const NO_CHAT = 0;
const RETRY = { baseMs: 1000, maxMs: 30_000 };

export function createOutboxQueue(options: OutboxQueueOptions) {
  const { call, limiter, clock, log } = options;
  const deadlines = options.deadlineMs ?? {
    reply: 3_600_000,
    alert: 24 * 3_600_000,
    normal: 3_600_000,
    bulk: 600_000,
  };
  const policies = options.methodPolicies ?? METHOD_POLICIES;
  const maxInFlight = options.maxInFlight ?? 16;
  const random = options.random ?? Math.random;
  const chats = createChatQueues();
  const { busy, current } = chats;
  let inFlight = 0;
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let idleWaiters: (() => void)[] = [];
  let stopped = false;

  const pending = () => chats.queued() + inFlight;

  function enqueue(request: QueuedCall): Promise<CallResult> {
    if (stopped) return Promise.resolve(err("the bot is shutting down"));
    const key = request.chatId === undefined ? NO_CHAT : current(request.chatId);
    const queue = chats.of(key);
    return new Promise((resolve) => {
      const existing = request.replaceKey
        ? queue.find((j) => j.replaceKey === request.replaceKey)
        : undefined;
      if (existing) {
        coalesce(existing, request, resolve);
        // A person's edit of a message a bulk edit was waiting for takes the higher place.
        if (RANK[request.priority] < RANK[existing.priority]) {
          existing.priority = request.priority;
          queue.sort(byPriority);
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
    // Counting what is queued walks every chat: only when someone waits for the queue to empty.
    if (!idleWaiters.length || pending() !== 0) return;
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
    const queue = chats.of(key);
    const failure = classifyFailure(error);
    switch (failure.kind) {
      case "migrated": {
        if (key === NO_CHAT) break;
        chats.migrate(key, failure.to, job);
        log.warn("group was migrated to a supergroup: using the new chat id from now on", {
          from: key,
          to: failure.to,
        });
        options.onChatMigrated?.(key, failure.to);
        return;
      }
      case "not-modified":
        return finish(job, ok(true));
      case "final":
        log.warn("Bot API refused a call", {
          method: job.method,
          chat: job.chatId,
          code: failure.code,
          error: failure.description,
        });
        return finish(job, err(failure.description));
      case "rate-limited": {
        log.warn("rate limited by Telegram: waiting", {
          method: job.method,
          chat: job.chatId,
          retry_after_s: failure.retryAfterMs / 1000,
        });
        if (!mayWait(job, failure.retryAfterMs, failure.description))
          return finish(job, err(failure.description));
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
    if (!mayWait(job, delay, description)) return finish(job, err(description));
    job.notBefore = clock.now() + delay;
    insert(queue, job);
    // Re-sorted by its sequence so it keeps its place among calls of its priority.
    queue.sort(byPriority);
    tellWaiting(job);
  }

  async function run(key: number, job: Job) {
    job.attempts++;
    const params = key === NO_CHAT ? job.params : { chat_id: key, ...job.params };
    try {
      finish(job, ok(await call(job.method, params)));
    } catch (error) {
      handleFailure(key, job, error);
    } finally {
      if (key !== NO_CHAT) busy.delete(key);
      chats.tidy(key);
      inFlight--;
      pump();
      notifyIfIdle();
    }
  }

  function pump() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const room = maxInFlight - inFlight;
    // Full: every call in flight pumps again when it ends.
    if (room <= 0) return;
    const now = clock.now();
    let nextAt = Number.POSITIVE_INFINITY;
    const later = (at: number) => {
      nextAt = Math.min(nextAt, at);
      return false;
    };
    // A chat may send when its budget allows and a job of it is due (not waiting for a retry).
    const due = (key: number, queue: Job[]) => {
      const readyAt = key === NO_CHAT ? limiter.readyAtUnbound(now) : limiter.readyAt(key, now);
      if (readyAt > now) return later(readyAt);
      const { index, at } = nextJob(queue, now);
      return index < 0 ? later(at) : true;
    };
    // Highest priority first across chats, then oldest.
    for (const [key, queue] of chats.best(room, due)) {
      // Calls bound to no chat are independent of each other: start every one that is due.
      for (let more = true; more && inFlight < maxInFlight; more = key === NO_CHAT) {
        const { index, at } = nextJob(queue, now);
        if (index < 0) {
          later(at);
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
      chats.tidy(key);
    }
    if (Number.isFinite(nextAt)) timer = setTimeout(pump, Math.max(1, nextAt - now));
  }

  return {
    enqueue,
    /** Calls waiting or in flight. */
    depth: pending,
    /** The id a chat has now (after any supergroup migration). */
    currentChatId: current,
    /** Restores a migration learned in an earlier run. */
    addMigration: chats.addMigration,
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
      for (const job of chats.drain()) finish(job, err("the bot is shutting down"));
      return dropped;
    },
  };
}

export type OutboxQueue = ReturnType<typeof createOutboxQueue>;
