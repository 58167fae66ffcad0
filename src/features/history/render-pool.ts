import { createLimiter, type Limiter, type Refusal } from "../../shared/limiter.ts";
import type { Logger } from "../../shared/log.ts";

/**
 * Charts drawn at once and waiting, per process and per chat: each render is a child process
 * (tens of MiB, up to a second of CPU), so forty /chart at once must not be forty children.
 */
export const CHART_POOL = { running: 2, waiting: 4, perKey: 2 };

export const createChartPool = () => createLimiter(CHART_POOL);

export function busyText(r: Refusal): string {
  return r.busy === "key"
    ? `This chat already has ${CHART_POOL.perKey} charts being drawn: try again when they have arrived.`
    : `Charts are busy (${r.running} being drawn, ${r.waiting} waiting): try again in a moment.`;
}

/** How long a shutdown waits for charts being drawn (a reload waits for them all). */
const ABORT_WAIT_MS = 3000;

/**
 * One app's charts in the pool: started off the chat's queue, each failure logged (the job
 * itself tells the chat), and awaited by `settle` so a reload's old app sends what it drew.
 */
export function createChartJobs(deps: { pool?: Limiter | undefined; log: Logger }) {
  const pool = deps.pool ?? createChartPool();
  const pending = new Set<Promise<void>>();
  return {
    /** Undefined when started; the refusal when the pool is full. */
    start(chatId: number, job: () => Promise<void>): Refusal | undefined {
      const admitted = pool.run(chatId, job);
      if ("busy" in admitted) {
        deps.log.info("chart refused: busy", { chat: chatId, busy: admitted.busy });
        return admitted;
      }
      const done = admitted.started.catch((error: unknown) =>
        deps.log.error("chart failed", { chat: chatId, error }),
      );
      pending.add(done);
      void done.finally(() => pending.delete(done));
      return undefined;
    },
    async settle(how: "finish" | "abort"): Promise<void> {
      const all = Promise.allSettled([...pending]);
      if (how === "finish") await all;
      else await Promise.race([all, Bun.sleep(ABORT_WAIT_MS)]);
    },
  };
}
