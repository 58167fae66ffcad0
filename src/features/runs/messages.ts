import { format, pre } from "@gramio/format";
import { formatDuration } from "../../shared/duration.ts";
import { type RichText, rich } from "../../shared/text.ts";
import { formatClock } from "../../shared/time-format.ts";

/** Pure: the texts a run shows in Telegram (live view, final status line). */

export type RunOutcome =
  | { status: "succeeded"; exitCode: 0 }
  | { status: "failed"; exitCode: number | null; signal?: string | null }
  | { status: "timed_out"; timeoutMs: number }
  | { status: "stopped"; by: string }
  /** A run on a server of the fleet whose connection broke: it may still be running there. */
  | { status: "lost"; detail: string };

export function outcomeLine(script: string, outcome: RunOutcome, durationMs: number): string {
  const took = formatDuration(durationMs);
  switch (outcome.status) {
    case "succeeded":
      return `✅ ${script} · exit 0 · ${took}`;
    case "failed":
      return outcome.signal
        ? `⚠️ ${script} · killed by ${outcome.signal} · ${took}`
        : `⚠️ ${script} · exit ${outcome.exitCode} · ${took}`;
    case "timed_out":
      return `⏱ ${script} · timed out after ${formatDuration(outcome.timeoutMs)}`;
    case "stopped":
      return `⏹ ${script} · stopped by ${outcome.by} after ${took}`;
    case "lost":
      return `📡 ${script} · connection lost after ${took} (${outcome.detail})`;
  }
}

/** Header + output in a monospace block. `output` must already be filtered and short enough. */
export function withOutput(header: string, output: string): RichText {
  const body = output.trimEnd();
  if (!body) return { text: `${header}\n(no output)`, entities: [] };
  return rich(format`${header}\n${pre(body)}`);
}

/** The last lines of `tail` that fit in `maxChars` and `maxLines`, cut at a line boundary. */
export function lastLines(tail: string, maxChars: number, maxLines: number): string {
  const lines = tail.trimEnd().split("\n");
  const kept: string[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0 && kept.length < maxLines; i--) {
    const line = (lines[i] as string).slice(0, 300);
    if (size + line.length + 1 > maxChars) break;
    kept.unshift(line);
    size += line.length + 1;
  }
  return kept.join("\n");
}

export interface LiveState {
  script: string;
  elapsedMs: number;
  lines: number;
  tail: string;
}

/** The live message of a long-running script: it must fit one message with room to spare. */
export function renderLive(s: LiveState): RichText {
  const header = `▶️ ${s.script} · ${formatDuration(s.elapsedMs)} · ${s.lines} line${s.lines === 1 ? "" : "s"}`;
  return withOutput(header, lastLines(s.tail, 3500, 40));
}

/** Told to a run's chat when the bot finds it was still "running" when the last process ended. */
export function interruptedText(
  row: { id: number; script: string; startedAt: number; requestedByName: string | null },
  timeZone: string | undefined,
): string {
  return `💥 Run #${row.id} (${row.script}) was interrupted: the bot stopped while it ran (started ${formatClock(row.startedAt, timeZone)} by ${row.requestedByName ?? "?"}).`;
}
