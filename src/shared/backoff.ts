/**
 * The one retry delay: exponential from `baseMs`, capped at `maxMs`, with jitter so many
 * retriers do not wake together. `attempt` counts from 1; `random` is in [0, 1).
 * Returns a delay between half and the whole of the exponential step.
 */
export function backoffMs(
  attempt: number,
  policy: { baseMs: number; maxMs: number },
  random: () => number,
): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  return step * (0.5 + random() / 2);
}

/** No jitter: the full step every time (a lone retrier, such as one scheduled script). */
export const fullStep = () => 1;
