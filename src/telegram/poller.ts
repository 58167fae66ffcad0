import type { TelegramUpdate } from "gramio";
import { errorMessage, TelegramSendError } from "../shared/errors.ts";
import type { Logger } from "../shared/log.ts";
import type { InboxRepo } from "../storage/inbox-repo.ts";

/**
 * Long polling that survives everything: getMe failing at start, network errors, 5xx,
 * 409 conflicts. Backoff with jitter up to 30 s and one log line per outage (plus one on
 * recovery), not one per attempt. A batch is stored in the inbox before the next
 * getUpdates confirms it to Telegram, so a crash never loses an update.
 */

export interface PollerDeps {
  getMe(): Promise<{ username?: string }>;
  /** Throws TelegramSendError for Bot API errors; anything else is a network failure. */
  getUpdates(offset: number, timeoutSeconds: number): Promise<TelegramUpdate[]>;
  inbox: InboxRepo;
  dispatch(update: TelegramUpdate): void;
  log: Logger;
  sleep(ms: number): Promise<void>;
  random(): number;
  /** Called after every successful getUpdates (for /healthz). */
  onPoll?(): void;
  pollTimeoutSeconds?: number;
}

export interface Poller {
  /** Waits for getMe (retrying), then polls until stop(). Resolves with the bot's username. */
  start(): Promise<string>;
  stop(): void;
  /** Resolves when the loop has exited. */
  stopped: Promise<void>;
}

function describe(error: unknown): { kind: string; message: string } {
  if (error instanceof TelegramSendError) {
    if (error.code === 401)
      return { kind: "401", message: "the Bot API rejected the token (401): check TELEGRAM_TOKEN" };
    if (error.code === 409) {
      return {
        kind: "409",
        message: "conflict (409): another instance is polling with this token; only one may run",
      };
    }
    return { kind: String(error.code), message: `Bot API error ${error.code}: ${error.description}` };
  }
  return { kind: "network", message: `Bot API unreachable: ${errorMessage(error)}` };
}

export function createPoller(deps: PollerDeps): Poller {
  const { log } = deps;
  let running = true;
  let wake: (() => void) | undefined;
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((r) => {
    resolveStopped = r;
  });
  let outage: { kind: string; since: number; attempts: number } | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      void deps.sleep(ms).then(resolve);
    });

  /** Logs the first failure of an outage and every change of its kind; returns the backoff. */
  function failed(error: unknown, what: string): number {
    const { kind, message } = describe(error);
    if (!outage || outage.kind !== kind) {
      log.error(`${what}: ${message}; retrying with backoff`, { error: kind });
      outage = { kind, since: Date.now(), attempts: 0 };
    }
    outage.attempts++;
    const base = Math.min(30_000, 1000 * 2 ** Math.min(outage.attempts - 1, 5));
    return base * (0.5 + deps.random() / 2);
  }

  function recovered(what: string) {
    if (!outage) return;
    log.info(`${what}: Bot API reachable again`, {
      after_s: Math.round((Date.now() - outage.since) / 1000),
      attempts: outage.attempts,
    });
    outage = undefined;
  }

  async function loop() {
    let offset = deps.inbox.nextOffset();
    while (running) {
      let updates: TelegramUpdate[];
      try {
        updates = await deps.getUpdates(offset, deps.pollTimeoutSeconds ?? 25);
      } catch (error) {
        if (!running) break;
        await pause(failed(error, "polling"));
        continue;
      }
      // Even while stopping, a batch that arrived is stored and handed over: the stored offset is
      // what the next start sends, which confirms it, so nothing is lost and nothing repeats.
      recovered("polling");
      deps.onPoll?.();
      if (updates.length === 0) continue;
      const next = (updates.at(-1) as TelegramUpdate).update_id + 1;
      deps.inbox.store(
        updates.map((u) => ({ updateId: u.update_id, payload: JSON.stringify(u) })),
        next,
      );
      offset = next;
      for (const u of updates) deps.dispatch(u);
    }
    resolveStopped();
  }

  return {
    async start() {
      while (running) {
        try {
          const me = await deps.getMe();
          recovered("getMe");
          log.info("connected to the Bot API", { bot: me.username });
          void loop();
          return me.username ?? "";
        } catch (error) {
          if (!running) break;
          await pause(failed(error, "getMe at start"));
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
  };
}
