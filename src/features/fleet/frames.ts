import * as v from "valibot";

/**
 * Pure: reading a server's `run NAME` stream (see cli/serve-ssh-run.ts): a first frame line
 * with the run's id, the script's text, a last frame line with how it ended. A frame line
 * starts with the record separator \x1e; anything else is the script's text, passed on whole
 * lines at a time.
 */

export const FRAME = "\x1e";

const StartSchema = v.object({
  run: v.number(),
  script: v.string(),
  kind: v.picklist(["oneshot", "long"]),
  startedAt: v.number(),
});
const EndSchema = v.object({
  end: v.looseObject({
    status: v.picklist(["succeeded", "failed", "timed_out", "stopped", "interrupted"]),
    exitCode: v.nullish(v.number()),
    signal: v.nullish(v.string()),
    timeoutMs: v.nullish(v.number()),
    durationMs: v.number(),
    truncated: v.optional(v.boolean(), false),
    leftoversKilled: v.optional(v.boolean(), false),
    survivors: v.optional(v.number(), 0),
    saveError: v.nullish(v.string()),
  }),
});
const RefusedSchema = v.object({ refused: v.string() });

export type RemoteStart = v.InferOutput<typeof StartSchema>;
export type RemoteEnd = v.InferOutput<typeof EndSchema>["end"];

export type FrameEvent =
  | { kind: "start"; start: RemoteStart }
  | { kind: "text"; text: string }
  | { kind: "end"; end: RemoteEnd }
  | { kind: "refused"; text: string }
  /** A frame line past MAX_FRAME without its newline: the stream is not read further. */
  | { kind: "oversize"; bytes: number };

/** A line longer than this without a newline is passed on as text as it is. */
const MAX_PENDING = 128 * 1024;
/** A frame is a short JSON line: one longer than this is a broken or hostile server. */
export const MAX_FRAME = 64 * 1024;

function frameOf(line: string): FrameEvent | undefined {
  let data: unknown;
  try {
    data = JSON.parse(line.slice(FRAME.length));
  } catch {
    return undefined;
  }
  const start = v.safeParse(StartSchema, data);
  if (start.success) return { kind: "start", start: start.output };
  const end = v.safeParse(EndSchema, data);
  if (end.success) return { kind: "end", end: end.output.end };
  const refused = v.safeParse(RefusedSchema, data);
  if (refused.success) return { kind: "refused", text: refused.output.refused };
  return undefined;
}

export function createFrameReader() {
  let pending = "";
  const take = (complete: string): FrameEvent[] => {
    const events: FrameEvent[] = [];
    let text = "";
    for (const line of complete.split(/(?<=\n)/)) {
      const frame = line.startsWith(FRAME) ? frameOf(line.trimEnd()) : undefined;
      if (!frame) {
        text += line;
        continue;
      }
      if (text) events.push({ kind: "text", text });
      text = "";
      events.push(frame);
    }
    if (text) events.push({ kind: "text", text });
    return events;
  };
  return {
    /** What a chunk of the stream completes. */
    feed(chunk: string): FrameEvent[] {
      pending += chunk;
      const end = pending.lastIndexOf("\n");
      if (end < 0) {
        if (pending.startsWith(FRAME) && pending.length > MAX_FRAME) {
          pending = "";
          return [{ kind: "oversize", bytes: MAX_FRAME }];
        }
        if (pending.length <= MAX_PENDING || pending.startsWith(FRAME)) return [];
        const text = pending;
        pending = "";
        return [{ kind: "text", text }];
      }
      const complete = pending.slice(0, end + 1);
      pending = pending.slice(end + 1);
      return take(complete);
    },
    /** The stream ended: a last line without a newline. */
    close(): FrameEvent[] {
      const rest = pending;
      pending = "";
      return rest ? take(rest) : [];
    },
  };
}
