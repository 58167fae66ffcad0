/**
 * A small bounded pool: at most `running` jobs at once, at most `waiting` more queued behind
 * them, and at most `perKey` (running or queued) for one key (a chat). Past a bound a job is
 * refused at once, never queued without end: the caller says "busy, try again".
 */
export interface LimiterBounds {
  running: number;
  waiting: number;
  perKey: number;
}

export type Refusal = { busy: "key" | "all"; running: number; waiting: number };

export type Admission<T> = { started: Promise<T> } | Refusal;

export function createLimiter(bounds: LimiterBounds) {
  let running = 0;
  const queue: Array<() => void> = [];
  const perKey = new Map<string | number, number>();

  const release = (key: string | number) => {
    const left = (perKey.get(key) ?? 1) - 1;
    if (left > 0) perKey.set(key, left);
    else perKey.delete(key);
    const next = queue.shift();
    if (next) next();
    else running--;
  };

  return {
    /** Starts `job` now or queues it; refused (synchronously) when a bound is reached. */
    run<T>(key: string | number, job: () => Promise<T>): Admission<T> {
      const mine = perKey.get(key) ?? 0;
      if (mine >= bounds.perKey) return { busy: "key", running, waiting: queue.length };
      if (running >= bounds.running && queue.length >= bounds.waiting)
        return { busy: "all", running, waiting: queue.length };
      perKey.set(key, mine + 1);
      let turn = Promise.resolve();
      if (running < bounds.running) running++;
      else turn = new Promise<void>((resolve) => queue.push(resolve));
      const started = turn.then(job).finally(() => release(key));
      return { started };
    },
    /** Jobs running and queued now (for /metrics and tests). */
    load: () => ({ running, waiting: queue.length }),
  };
}

export type Limiter = ReturnType<typeof createLimiter>;
