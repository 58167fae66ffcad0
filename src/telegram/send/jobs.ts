import type { APIMethodParams, APIMethods } from "@gramio/types";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { Result } from "../../shared/result.ts";
import type { RateLimiter } from "./rate-limits.ts";
import type { Upload } from "./transport.ts";

/** Bot API calls are made through this; it throws the transport's classified errors. */
export type ApiCall = (method: string, params: Record<string, unknown>) => Promise<unknown>;

/**
 * `reply`: what a person is waiting for (a command's answer, a button's), first, so it never
 * queues behind an alert backlog; then unattended alerts; then everything else; then bulk
 * (live output edits, menus). Within a chat the order holds per priority.
 */
export type Priority = "reply" | "alert" | "normal" | "bulk";
export const RANK: Record<Priority, number> = { reply: 0, alert: 1, normal: 2, bulk: 3 };

/** A call's answer (unvalidated), or why it failed: Telegram's description, or the bot's own. */
export type CallResult = Result<unknown, string>;

/** The Bot API methods that go through the queue. */
export type OutMethod =
  | "sendMessage"
  | "editMessageText"
  | "sendDocument"
  | "sendPhoto"
  | "editMessageMedia"
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
  : M extends "sendPhoto"
    ? Omit<Params<M>, "chat_id" | "photo"> & { photo: Upload }
    : M extends "editMessageMedia"
      ? Omit<Params<M>, "chat_id"> & { file: Upload }
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

export type Job = QueuedCall & {
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
  sendPhoto: { deadlineMs: 120_000, maxAttempts: 4 },
  editMessageMedia: { deadlineMs: 120_000, maxAttempts: 4 },
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

/** Queues are kept in priority order, oldest first within a priority. */
export const byPriority = (a: Job, b: Job) => RANK[a.priority] - RANK[b.priority] || a.seq - b.seq;

/** Puts a job after every job of its priority or higher. */
export function insert(queue: Job[], job: Job): void {
  let i = queue.length;
  while (i > 0 && RANK[(queue[i - 1] as Job).priority] > RANK[job.priority]) i--;
  queue.splice(i, 0, job);
}

/** The first job of a queue that may go now, or when the earliest one may. */
export function nextJob(queue: readonly Job[], now: number): { index: number; at: number } {
  let at = Number.POSITIVE_INFINITY;
  for (let i = 0; i < queue.length; i++) {
    const job = queue[i] as Job;
    if (job.notBefore <= now) return { index: i, at: now };
    at = Math.min(at, job.notBefore);
  }
  return { index: -1, at };
}

/** A newer call with the same replace key: the queued one now carries the newest params, and its waiters grow. */
export function coalesce(existing: Job, request: QueuedCall, resolve: (r: CallResult) => void): void {
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
}

/** The per-chat queues: one FIFO per chat id (its current id, after any migration). */
export function createChatQueues() {
  const queues = new Map<number, Job[]>();
  /** Chats with a call in flight (one at a time per chat keeps their order). */
  const busy = new Set<number>();
  const migrated = new Map<number, number>();
  const current = (chatId: number) => {
    let id = chatId;
    for (let hops = 0; migrated.has(id) && hops < 5; hops++) id = migrated.get(id) as number;
    return id;
  };
  const of = (key: number) => {
    const queue = queues.get(key) ?? [];
    queues.set(key, queue);
    return queue;
  };
  return {
    current,
    of,
    busy,
    queued: () => [...queues.values()].reduce((n, q) => n + q.length, 0),
    /**
     * Up to `k` chats with a job queued and none in flight that `eligible` accepts, highest
     * priority first, then oldest. One pass, no sort of every chat: with a thousand chats
     * waiting, each finished call picks the next in O(chats × k), k being the free slots.
     */
    best(k: number, eligible: (key: number, queue: Job[]) => boolean = () => true): [number, Job[]][] {
      const top: [number, Job[]][] = [];
      const head = (e: [number, Job[]]) => e[1][0] as Job;
      for (const entry of queues) {
        const [key, q] = entry;
        if (!q.length || busy.has(key)) continue;
        // Not better than the k already picked: not asked whether it is due (k calls start
        // now, and each one's end looks again).
        const last = top.at(-1);
        if (top.length >= k && last && byPriority(head(entry), head(last)) >= 0) continue;
        if (!eligible(key, q)) continue;
        let i = top.length;
        while (i > 0 && byPriority(head(entry), head(top[i - 1] as [number, Job[]])) < 0) i--;
        top.splice(i, 0, entry);
        if (top.length > k) top.pop();
      }
      return top;
    },
    /** Every chat with a job queued and none in flight, in the order `best` picks them. */
    ready(): [number, Job[]][] {
      return this.best(Number.POSITIVE_INFINITY);
    },
    addMigration: (from: number, to: number) => void migrated.set(from, to),
    /** A group became a supergroup: the job and everything queued behind it move to the new id. */
    migrate(from: number, to: number, job: Job) {
      migrated.set(from, to);
      const moved = [job, ...of(from).splice(0)];
      queues.delete(from);
      const target = of(to);
      for (const j of moved) insert(target, j);
    },
    /** Forgets a chat's queue once it is empty and idle. */
    tidy(key: number) {
      const q = queues.get(key);
      if (q && q.length === 0 && !busy.has(key)) queues.delete(key);
    },
    /** Removes every queued job (shutdown). */
    drain(): Job[] {
      const all = [...queues.values()].flatMap((q) => q.splice(0));
      queues.clear();
      return all;
    },
  };
}
