import type { TelegramUpdate } from "gramio";
import { ApiFailure } from "./bot-methods.ts";
import type { LocalState } from "./state.ts";

/**
 * getUpdates as Telegram does it: offsets confirm (and drop) what the bot has seen, a long
 * poll waits up to its timeout (at most 50 s), and a newer getUpdates ends the one waiting.
 */
export function createLongPoll(state: LocalState) {
  const pollers = new Set<() => void>();
  let activePoll: { reject: () => void } | undefined;
  let confirmed = 0;

  async function getUpdates(params: Record<string, unknown>): Promise<TelegramUpdate[]> {
    if (state.webhook !== undefined)
      throw new ApiFailure(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    const offset = Number(params.offset ?? 0);
    if (offset > 0 && offset - 1 > confirmed) {
      confirmed = offset - 1;
      state.updates = state.updates.filter((u) => u.update_id >= offset);
    }
    const timeoutMs = Math.min(Number(params.timeout ?? 0), 50) * 1000;
    const limit = Math.min(Number(params.limit ?? 100), 100);
    const ready = () => state.updates.filter((u) => u.update_id >= offset).slice(0, limit);
    // A newer getUpdates ends the one still waiting, as Telegram does.
    activePoll?.reject();
    if (ready().length || timeoutMs === 0) return ready();
    return new Promise((resolve, reject) => {
      const done = (value: TelegramUpdate[] | undefined) => {
        clearTimeout(timer);
        pollers.delete(wake);
        if (activePoll === me) activePoll = undefined;
        if (value) resolve(value);
        else
          reject(
            new ApiFailure(
              409,
              "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            ),
          );
      };
      const wake = () => done(ready());
      const timer = setTimeout(wake, timeoutMs);
      const me = { reject: () => done(undefined) };
      activePoll = me;
      pollers.add(wake);
    });
  }

  return {
    getUpdates,
    /** Adds an update and wakes the waiting poll. Returns its id. */
    push(update: Omit<TelegramUpdate, "update_id">): number {
      const full = { update_id: state.nextUpdateId++, ...update } as TelegramUpdate;
      state.updates.push(full);
      for (const wake of pollers) wake();
      return full.update_id;
    },
    /** The highest update id the bot has confirmed. */
    confirmed: () => confirmed,
    /** Ends the waiting poll (shutdown). */
    abort: () => activePoll?.reject(),
  };
}
