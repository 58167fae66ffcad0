/**
 * Pure: when a disk will be full, from its recent used-percent samples, or undefined when
 * the data does not say so with confidence. A Theil-Sen fit (the median of the pairwise
 * slopes, robust to a few outliers), and only when: at least `minPoints` samples, spanning at
 * least `minSpanMs`, most pairwise slopes agree it grows (a steady rise, not noise), and the
 * fitted line reaches 100 % within `horizonMs`. Never from two points.
 */

export interface Forecast {
  /** ms from `now` until the fit reaches 100 %. */
  fullInMs: number;
  /** Percentage points per hour. */
  ratePerHour: number;
}

export interface ForecastOptions {
  minSpanMs: number;
  minPoints?: number;
  /** Share of pairwise slopes that must be positive (default 0.75). */
  agreement?: number;
  /** Beyond this it says nothing (default 90 days). */
  horizonMs?: number;
}

/** At most this many samples enter the fit (evenly thinned): the pairwise step is quadratic. */
const MAX_FIT_POINTS = 120;

export function forecastFull(
  samples: readonly { at: number; value: number }[],
  now: number,
  o: ForecastOptions,
): Forecast | undefined {
  const minPoints = Math.max(3, o.minPoints ?? 8);
  if (samples.length < minPoints) return undefined;
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const first = sorted[0] as { at: number; value: number };
  const last = sorted.at(-1) as { at: number; value: number };
  if (last.at - first.at < o.minSpanMs) return undefined;
  const step = Math.max(1, Math.ceil(sorted.length / MAX_FIT_POINTS));
  const pts = sorted.filter((_, i) => i % step === 0 || i === sorted.length - 1);
  const slopes: number[] = [];
  for (let i = 0; i < pts.length; i++)
    for (let j = i + 1; j < pts.length; j++) {
      const a = pts[i] as { at: number; value: number };
      const b = pts[j] as { at: number; value: number };
      if (b.at > a.at) slopes.push((b.value - a.value) / (b.at - a.at));
    }
  if (!slopes.length) return undefined;
  const rising = slopes.filter((s) => s > 0).length / slopes.length;
  if (rising < (o.agreement ?? 0.75)) return undefined;
  const slope = median(slopes);
  if (!(slope > 0)) return undefined;
  // The line through the median point with that slope, at `now`.
  const intercept = median(pts.map((p) => p.value - slope * p.at));
  const current = intercept + slope * now;
  const fullInMs = Math.max(0, (100 - current) / slope);
  if (fullInMs > (o.horizonMs ?? 90 * 86_400_000)) return undefined;
  return { fullInMs, ratePerHour: slope * 3_600_000 };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** "~3 d", "~5 h", "~40 min". */
export function aboutText(ms: number): string {
  const h = ms / 3_600_000;
  if (h >= 48) return `~${Math.round(h / 24)} d`;
  if (h >= 1) return `~${Math.round(h)} h`;
  return `~${Math.max(1, Math.round(ms / 60_000))} min`;
}
