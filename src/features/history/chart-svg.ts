import { timeTicks } from "./time-ticks.ts";

/**
 * Pure: a line chart as SVG, readable on a phone (1000 × 560): one line per series (its
 * average), a min–max band where the points have one, thresholds as dashed lines, the time
 * axis at round times in the given zone (said above the chart). A gap in the points (the bot
 * was down) breaks the line; it is never bridged. Threshold labels sit in the right margin,
 * beside their line, never on the data.
 */

export interface ChartSeries {
  name: string;
  points: readonly { at: number; min: number; avg: number; max: number }[];
}

export interface ChartSpec {
  title: string;
  series: readonly ChartSeries[];
  from: number;
  to: number;
  /** The y axis: 0–100 for percentages; from 0 to the data's top otherwise. */
  unit: "%" | "";
  thresholds: readonly { label: string; value: number }[];
  timeZone: string | undefined;
  /** The zone's name as the chart says it ("Europe/Berlin"). */
  zoneLabel: string;
  /** The point spacing of the tier: a larger step between points is a gap. */
  stepMs: number;
  /** A line under the title ("history since 14:05"), when the chart shows less than asked. */
  subtitle?: string;
}

export const WIDTH = 1000;
export const HEIGHT = 560;
const M = { left: 70, right: 100, top: 80, bottom: 78 };
/** Inter at 18 px: about 0.55 em a character, enough to keep a label inside the picture. */
const halfWidth = (text: string, size: number) => (text.length * size * 0.55) / 2;
const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const f1 = (n: number) => (Math.round(n * 10) / 10).toString();

/** Nice round tick values from 0 to at least `top`. */
function yTicks(top: number): number[] {
  const raw = top / 5;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? raw;
  return Array.from({ length: Math.ceil(top / step) + 1 }, (_, i) => i * step);
}

/** Runs of points without a gap longer than 2.5 steps. */
function runs<T extends { at: number }>(points: readonly T[], stepMs: number): T[][] {
  const out: T[][] = [];
  for (const p of points) {
    const run = out.at(-1);
    const prev = run?.at(-1);
    if (run && prev && p.at - prev.at <= stepMs * 2.5) run.push(p);
    else out.push([p]);
  }
  return out;
}

export function chartSvg(c: ChartSpec): string {
  const all = c.series.flatMap((s) => s.points);
  const dataTop = Math.max(0, ...all.map((p) => p.max), ...c.thresholds.map((t) => t.value));
  const ticks = c.unit === "%" ? [0, 20, 40, 60, 80, 100] : yTicks(dataTop * 1.1 || 1);
  const top = ticks.at(-1) as number;
  const w = WIDTH - M.left - M.right;
  const h = HEIGHT - M.top - M.bottom;
  const x = (t: number) => M.left + ((t - c.from) / (c.to - c.from)) * w;
  const y = (v: number) => M.top + h - (Math.min(v, top) / top) * h;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Inter">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${M.left}" y="38" font-size="26" font-weight="600" fill="#111827">${esc(c.title)}</text>`,
  ];
  if (c.subtitle)
    parts.push(`<text x="${M.left}" y="64" font-size="18" fill="#6b7280">${esc(c.subtitle)}</text>`);
  for (const v of ticks) {
    parts.push(
      `<line x1="${M.left}" x2="${WIDTH - M.right}" y1="${f1(y(v))}" y2="${f1(y(v))}" stroke="#e5e7eb" stroke-width="1"/>`,
      `<text x="${M.left - 10}" y="${f1(y(v) + 6)}" font-size="18" text-anchor="end" fill="#4b5563">${f1(v)}${c.unit}</text>`,
    );
  }
  for (const tick of timeTicks(c.from, c.to, c.timeZone)) {
    const half = halfWidth(tick.label, 18);
    const at = Math.min(Math.max(x(tick.at), half + 4), WIDTH - half - 4);
    parts.push(
      `<line x1="${f1(x(tick.at))}" x2="${f1(x(tick.at))}" y1="${M.top + h}" y2="${M.top + h + 8}" stroke="#9ca3af" stroke-width="2"/>`,
      `<text x="${f1(at)}" y="${HEIGHT - M.bottom + 28}" font-size="18" text-anchor="middle" fill="#4b5563">${esc(tick.label)}</text>`,
    );
  }
  // Labels in the right margin at their line's height, pushed apart when two lines are close.
  const placed: number[] = [];
  for (const t of [...c.thresholds].sort((a, b) => b.value - a.value)) {
    let at = y(t.value) + 6;
    const above = placed.at(-1);
    if (above !== undefined && at - above < 18) at = above + 18;
    placed.push(at);
    parts.push(
      `<line x1="${M.left}" x2="${WIDTH - M.right}" y1="${f1(y(t.value))}" y2="${f1(y(t.value))}" stroke="#9ca3af" stroke-width="2" stroke-dasharray="8 6"/>`,
      `<text x="${WIDTH - M.right + 8}" y="${f1(at)}" font-size="16" text-anchor="start" fill="#6b7280">${esc(t.label)}</text>`,
    );
  }
  let legend = { x: M.left, y: HEIGHT - 30 };
  c.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string;
    for (const run of runs(s.points, c.stepMs)) {
      if (run.some((p) => p.max > p.min)) {
        const upper = run.map((p) => `${f1(x(p.at))},${f1(y(p.max))}`);
        const lower = [...run].reverse().map((p) => `${f1(x(p.at))},${f1(y(p.min))}`);
        parts.push(
          `<polygon points="${[...upper, ...lower].join(" ")}" fill="${color}" fill-opacity="0.15"/>`,
        );
      }
      const line = run.map((p) => `${f1(x(p.at))},${f1(y(p.avg))}`).join(" ");
      parts.push(
        run.length === 1
          ? `<circle cx="${f1(x((run[0] as { at: number }).at))}" cy="${f1(y((run[0] as { avg: number }).avg))}" r="3" fill="${color}"/>`
          : `<polyline points="${line}" fill="none" stroke="${color}" stroke-width="3" stroke-linejoin="round"/>`,
      );
    }
    // The legend flows left to right, onto a second row when the names do not fit one.
    const width = 26 + 2 * halfWidth(s.name, 18) + 28;
    if (legend.x + width > WIDTH - 24 && legend.x > M.left) legend = { x: M.left, y: legend.y + 22 };
    parts.push(
      `<rect x="${f1(legend.x)}" y="${legend.y - 8}" width="18" height="6" fill="${color}"/>`,
      `<text x="${f1(legend.x + 26)}" y="${legend.y}" font-size="18" fill="#111827">${esc(s.name)}</text>`,
    );
    legend.x += width;
  });
  if (!all.length)
    parts.push(
      `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" font-size="24" text-anchor="middle" fill="#6b7280">No history for this range yet</text>`,
    );
  parts.push(
    `<text x="${WIDTH - 24}" y="38" font-size="16" text-anchor="end" fill="#6b7280">${esc(`times: ${c.zoneLabel}`)}</text>`,
    "</svg>",
  );
  return parts.join("\n");
}
