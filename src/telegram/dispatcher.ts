import type { TelegramUpdate } from "gramio";
import type { Logger } from "../shared/log.ts";
import type { InboxRepo } from "../storage/inbox-repo.ts";

/**
 * Runs updates one chat at a time, in order, while different chats run in parallel
 * (gramio has no per-chat ordering). Each update is removed from the inbox once handled.
 */

export function chatKeyOf(update: TelegramUpdate): number {
  const u = update as unknown as Partial<
    Record<string, { chat?: { id: number }; message?: { chat: { id: number } }; from?: { id: number } }>
  >;
  return (
    u.message?.chat?.id ??
    u.callback_query?.message?.chat.id ??
    u.callback_query?.from?.id ??
    u.edited_message?.chat?.id ??
    u.channel_post?.chat?.id ??
    0
  );
}

export interface Dispatcher {
  dispatch(update: TelegramUpdate): void;
  /** Hands the inbox left by the last run to the handlers (updates never started), once at start. */
  recover(): void;
  /** Resolves when every chat's queue is empty, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
  inFlight(): number;
}

export function createDispatcher(deps: {
  inbox: InboxRepo;
  handle(update: TelegramUpdate): Promise<void>;
  log: Logger;
}): Dispatcher {
  const tails = new Map<number, Promise<void>>();
  let count = 0;
  // Updates whose handlers start in the same turn of the event loop (a batch spread over
  // many chats) leave the inbox in one transaction: one WAL commit instead of one each.
  let starting: { id: number; go: () => void }[] = [];
  const flushStarts = () => {
    const batch = starting;
    starting = [];
    try {
      deps.inbox.remove(batch.map((s) => s.id));
    } catch (error) {
      deps.log.error("inbox update failed", { error });
    }
    for (const s of batch) s.go();
  };
  const started = (id: number) =>
    new Promise<void>((go) => {
      if (starting.push({ id, go }) === 1) queueMicrotask(flushStarts);
    });

  function dispatch(update: TelegramUpdate) {
    const key = chatKeyOf(update);
    count++;
    const previous = tails.get(key) ?? Promise.resolve();
    const next = previous.then(async () => {
      // Removed before the handler starts: a crash mid-handler cannot repeat a side effect
      // such as a script run.
      await started(update.update_id);
      try {
        await deps.handle(update);
      } catch (error) {
        // The handler has its own error sink; this only catches a bug in that sink.
        deps.log.error("update handler failed", { update: update.update_id, error });
      } finally {
        count--;
      }
    });
    tails.set(key, next);
    void next.then(() => {
      if (tails.get(key) === next) tails.delete(key);
    });
  }

  return {
    dispatch,
    recover() {
      const rows = deps.inbox.pending();
      if (rows.length) deps.log.info("handling updates left from the last run", { count: rows.length });
      for (const row of rows) dispatch(JSON.parse(row.payload) as TelegramUpdate);
    },
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (tails.size > 0 && Date.now() < deadline) {
        await Promise.race([Promise.all(tails.values()), Bun.sleep(Math.max(1, deadline - Date.now()))]);
      }
      return tails.size === 0;
    },
    inFlight: () => count,
  };
}
