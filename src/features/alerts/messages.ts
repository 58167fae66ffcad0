import { bold, format } from "gramio";
import { formatDuration } from "../../shared/duration.ts";
import type { Reading } from "../../shared/reading.ts";
import { type RichText, rich } from "../../shared/text.ts";
import { formatClock } from "../../shared/time-format.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { alertButton } from "./buttons.ts";
import { formatValue } from "./readings.ts";
import type { AlertEvent, Level } from "./rules.ts";

/**
 * Pure: what each alert event says, and where. One incident message per incident and chat
 * (edited as things change, with mute buttons); replies to it for what should make a
 * phone ring (escalation) or be on record quietly (repeats, recovery).
 */

export type PlanKind = "incident" | "edit" | "reply" | "notice";

export interface MessagePlan {
  kind: PlanKind;
  text: RichText;
  silent: boolean;
  keyboard?: InlineKeyboardRows;
  /** For an edit whose incident message was never sent (muted at the time): send it instead. */
  sendIfMissing?: boolean;
}

const ICON: Record<Level, string> = { ok: "✅", warn: "⚠️", crit: "🔴" };
const NAME: Record<Level, string> = { ok: "OK", warn: "WARN", crit: "CRIT" };

const withBody = (title: string, body: string): RichText => rich(format`${bold(title)}\n${body}`);

export function muteButtons(incidentId: number): InlineKeyboardRows {
  return [
    [
      { text: "✔️ Ack", callback_data: alertButton.pack({ action: "ack", incident: incidentId }) },
      { text: "🔕 1h", callback_data: alertButton.pack({ action: "mute1h", incident: incidentId }) },
      { text: "🔕 8h", callback_data: alertButton.pack({ action: "mute8h", incident: incidentId }) },
    ],
    [
      {
        text: "🔕 Until resolved",
        callback_data: alertButton.pack({ action: "muteResolved", incident: incidentId }),
      },
    ],
  ];
}

function threshold(r: Reading, level: Level): string {
  if (r.value === undefined) return "";
  const limit = level === "crit" ? r.crit : r.warn;
  return ` (${level === "crit" ? "crit" : "warn"} at ${r.unit === "%" ? `${limit}%` : `${limit}/core`})`;
}

/** The incident message while it is open. */
export function incidentText(
  r: Reading,
  level: Level,
  startedAt: number,
  host: string,
  timeZone: string | undefined,
): RichText {
  return withBody(
    `${ICON[level]} ${NAME[level]} ${r.label} ${formatValue(r)}`,
    `${host} · since ${formatClock(startedAt, timeZone)}${threshold(r, level)}`,
  );
}

/** The incident message once it is over. */
export function resolvedText(
  r: Reading,
  startedAt: number,
  host: string,
  durationMs: number,
  peak: number | undefined,
  timeZone: string | undefined,
): RichText {
  const peakText = peak === undefined ? "" : `, peak ${formatValue({ ...r, value: peak })}`;
  return withBody(
    `✅ ${r.label} ${formatValue(r)}`,
    `${host} · ${formatClock(startedAt, timeZone)} · resolved after ${formatDuration(durationMs)}${peakText}`,
  );
}

/** Every message an event leads to, for each alert chat. */
export function planFor(
  event: AlertEvent,
  incidentId: number,
  startedAt: number,
  host: string,
  timeZone: string | undefined,
): MessagePlan[] {
  const r = event.reading;
  const quietly = (plans: MessagePlan[]) => (event.muted ? plans.filter((p) => p.kind === "edit") : plans);
  switch (event.kind) {
    case "fire":
      return quietly([
        {
          kind: "incident",
          text: incidentText(r, event.level, startedAt, host, timeZone),
          silent: false,
          keyboard: muteButtons(incidentId),
        },
      ]);
    case "change":
      return quietly([
        {
          kind: "edit",
          text: incidentText(r, event.to, startedAt, host, timeZone),
          silent: true,
          keyboard: muteButtons(incidentId),
          sendIfMissing: false,
        },
        {
          kind: "reply",
          text: {
            text:
              event.to === "crit"
                ? `🔴 now CRIT: ${r.label} ${formatValue(r)}`
                : `⚠️ down to WARN: ${r.label} ${formatValue(r)}`,
            entities: [],
          },
          // Escalation rings the phone; de-escalation is on record quietly.
          silent: event.to !== "crit",
        },
      ]);
    case "resolve":
      return quietly([
        {
          kind: "edit",
          text: resolvedText(r, startedAt, host, event.durationMs, event.peak, timeZone),
          silent: true,
          sendIfMissing: false,
        },
        {
          kind: "reply",
          text: { text: `✅ ${r.label} resolved after ${formatDuration(event.durationMs)}`, entities: [] },
          silent: true,
        },
      ]);
    case "repeat":
      return quietly([
        {
          kind: "reply",
          text: {
            text: `🔁 still ${NAME[event.level]}: ${r.label} ${formatValue(r)} for ${formatDuration(event.sinceMs)}`,
            entities: [],
          },
          silent: true,
        },
      ]);
    case "flapping":
      return quietly([
        {
          kind: "reply",
          text: {
            text: `〰️ ${r.label} is flapping (${event.changes} changes in 30 min): quiet until it holds still for 10 min.`,
            entities: [],
          },
          silent: false,
        },
      ]);
    case "settled":
      return event.level === "ok"
        ? quietly([
            {
              kind: "edit",
              text: resolvedText(r, startedAt, host, event.durationMs, event.peak, timeZone),
              silent: true,
              sendIfMissing: false,
            },
            {
              kind: "reply",
              text: { text: `✅ ${r.label} settled at OK ${formatValue(r)}`, entities: [] },
              silent: true,
            },
          ])
        : quietly([
            {
              kind: "edit",
              text: incidentText(r, event.level, startedAt, host, timeZone),
              silent: true,
              keyboard: muteButtons(incidentId),
              sendIfMissing: true,
            },
            {
              kind: "reply",
              text: { text: `〰️ ${r.label} settled at ${NAME[event.level]} ${formatValue(r)}`, entities: [] },
              silent: event.level !== "crit",
            },
          ]);
  }
}

/** A line for /alerts and the bottom of /status. */
export function stateLine(
  r: Reading,
  level: Level,
  since: number | undefined,
  mute: string | undefined,
  timeZone: string | undefined,
): string {
  const sinceText = since === undefined ? "" : ` · since ${formatClock(since, timeZone)}`;
  return `${ICON[level]} ${r.label} ${formatValue(r)}${sinceText}${mute ? ` · 🔕 ${mute}` : ""}`;
}
