/**
 * Pure: a sparkline of `cells` characters (`▁▂▃▄▅▆▇█`) over [from, to): each cell is the
 * mean of the points in its slice of time, scaled between the lowest and highest cell; a cell
 * with no point is a space, so a gap (the bot was down) shows as a gap, never as a line.
 */
const BARS = "▁▂▃▄▅▆▇█";

export function sparkline(
  points: readonly { at: number; avg: number }[],
  from: number,
  to: number,
  cells: number,
): string {
  const width = (to - from) / cells;
  const sums = new Array<number>(cells).fill(0);
  const counts = new Array<number>(cells).fill(0);
  for (const p of points) {
    const i = Math.floor((p.at - from) / width);
    if (i < 0 || i >= cells) continue;
    sums[i] = (sums[i] as number) + p.avg;
    counts[i] = (counts[i] as number) + 1;
  }
  const means = sums.map((s, i) => ((counts[i] as number) ? s / (counts[i] as number) : undefined));
  const known = means.filter((m): m is number => m !== undefined);
  if (!known.length) return "";
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  return means
    .map((m) => {
      if (m === undefined) return " ";
      const level = hi - lo < 1e-9 ? 0 : Math.round(((m - lo) / (hi - lo)) * (BARS.length - 1));
      return BARS[level];
    })
    .join("");
}
