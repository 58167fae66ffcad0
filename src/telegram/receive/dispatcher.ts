import type { TelegramUpdate } from "gramio";
import type { Logger } from "../../shared/log.ts";
import type { InboxRepo } from "../../storage/inbox-repo.ts";

/**
 * Runs updates one chat at a time, in order, while different chats run in parallel
 * (gramio has no per-chat ordering). Each update leaves the inbox as its handler starts.
 * A handler holds its chat until it returns or until it is only waiting for the outbox to
 * retry a send (it calls `release`): a send that keeps failing never freezes its chat, and
 * the outbox, not this queue, keeps the chat's messages in order.
 */

export function chatKeyOf(update: TelegramUpdate): number {
  // Checked for shape only as far as update_id (updates.ts): a malformed part reads as "no chat".
  return (
    update.message?.chat?.id ??
    update.callback_query?.message?.chat?.id ??
    update.callback_query?.from?.id ??
    update.edited_message?.chat?.id ??
    update.channel_post?.chat?.id ??
    0
  );
}

export interface Dispatcher {
  /**
   * `stored`: false when the update is not in the inbox (it starts at once, or storage is
   * failing): nothing to remove.
   */
  dispatch(update: TelegramUpdate, stored?: boolean): void;
  /**
   * The updates of a batch that will wait for their chat (a handler of it still runs, or an
   * earlier update of the batch is for it): only these need the inbox to survive a crash.
   * The rest start in this turn of the event loop, as if removed the moment they were stored.
   */
  waiting(batch: readonly TelegramUpdate[]): Set<number>;
  /** Hands the inbox left by the last run to the handlers (updates never started), once at start. */
  recover(): void;
  /** Resolves when every chat's queue is empty, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
}

export function createDispatcher(deps: {
  inbox: InboxRepo;
  /** `release` lets the chat's next update start before this handler has returned. */
  handle(update: TelegramUpdate, release: () => void): Promise<void>;
  log: Logger;
  /** Told when removing started updates from the inbox fails, and when it works again. */
  onStorage?(error: unknown | undefined): void;
}): Dispatcher {
  const tails = new Map<number, Promise<void>>();
  // Updates whose handlers start in the same turn of the event loop (a batch spread over
  // many chats) leave the inbox in one transaction: one WAL commit instead of one each.
  let starting: { id: number; stored: boolean; go: () => void }[] = [];
  const flushStarts = () => {
    const batch = starting;
    starting = [];
    const ids = batch.filter((s) => s.stored).map((s) => s.id);
    if (ids.length) {
      try {
        deps.inbox.remove(ids);
        deps.onStorage?.(undefined);
      } catch (error) {
        // The update is handled anyway; at worst a crash before the disk recovers repeats it.
        if (deps.onStorage) deps.onStorage(error);
        else deps.log.error("inbox update failed", { error });
      }
    }
    for (const s of batch) s.go();
  };
  const started = (id: number, stored: boolean) =>
    new Promise<void>((go) => {
      if (starting.push({ id, stored, go }) === 1) queueMicrotask(flushStarts);
    });

  function dispatch(update: TelegramUpdate, stored = true) {
    const key = chatKeyOf(update);
    const previous = tails.get(key) ?? Promise.resolve();
    const next = previous.then(async () => {
      // Removed before the handler starts: a crash mid-handler cannot repeat a side effect
      // such as a script run.
      await started(update.update_id, stored);
      let release: () => void = () => {};
      const released = new Promise<void>((r) => {
        release = r;
      });
      const handled = (async () => {
        try {
          await deps.handle(update, release);
        } catch (error) {
          // The handler has its own error sink; this only catches a bug in that sink.
          deps.log.error("update handler failed", { update: update.update_id, error });
        }
      })();
      await Promise.race([handled, released]);
    });
    tails.set(key, next);
    void next.then(() => {
      if (tails.get(key) === next) tails.delete(key);
    });
  }

  return {
    dispatch,
    waiting(batch) {
      const seen = new Set<number>();
      const ids = new Set<number>();
      for (const u of batch) {
        const key = chatKeyOf(u);
        if (tails.has(key) || seen.has(key)) ids.add(u.update_id);
        seen.add(key);
      }
      return ids;
    },
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
  };
}
