import { bold, format } from "@gramio/format";
import { formatDuration } from "../../shared/duration.ts";
import type { Reading } from "../../shared/reading.ts";
import { type RichText, rich } from "../../shared/text.ts";
import { formatClock } from "../../shared/time-format.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { type AlertAction, alertButton } from "./buttons.ts";
import { formatValue } from "./readings.ts";
import type { AlertEvent, CheckState, Level } from "./rules.ts";

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

/** Who acknowledged or muted an open incident, and until when: shown on its message. */
export interface Handling {
  ackedBy?: string | undefined;
  mutedBy?: string | undefined;
  mutedUntil?: number | "resolved" | undefined;
}

/** Where an incident's messages stand: its number, start, host, the zone times are shown in. */
export interface IncidentContext {
  incidentId: number;
  startedAt: number;
  host: string;
  timeZone: string | undefined;
  handling: Handling;
}

/** An open incident's acknowledgement and live mute, as its message shows them. */
export function handlingOf(s: CheckState | undefined, now: number): Handling {
  if (!s) return {};
  const mutedUntil = s.muteUntilResolved
    ? "resolved"
    : s.muteUntil !== undefined && s.muteUntil > now
      ? s.muteUntil
      : undefined;
  return {
    ...(s.acked ? { ackedBy: s.ackedBy ?? "an admin" } : {}),
    ...(mutedUntil !== undefined ? { mutedUntil, mutedBy: s.mutedBy ?? "an admin" } : {}),
  };
}

/** The buttons under an open incident: Ack until acknowledged; mutes, or Unmute while muted. */
export function incidentKeyboard(incidentId: number, h: Handling = {}): InlineKeyboardRows {
  const button = (text: string, action: AlertAction) => ({
    text,
    callback_data: alertButton.pack({ action, incident: incidentId }),
  });
  const ack = h.ackedBy === undefined ? [button("✔️ Ack", "ack")] : [];
  if (h.mutedUntil !== undefined) return [[...ack, button("🔔 Unmute", "unmute")]];
  return [
    [...ack, button("🔕 1h", "mute1h"), button("🔕 8h", "mute8h")],
    [button("🔕 Until resolved", "muteResolved")],
  ];
}

function handlingLines(h: Handling, timeZone: string | undefined): string {
  const lines: string[] = [];
  if (h.ackedBy !== undefined) lines.push(`✔️ Acknowledged by ${h.ackedBy}`);
  if (h.mutedUntil !== undefined)
    lines.push(
      `🔕 Muted by ${h.mutedBy ?? "an admin"} ${h.mutedUntil === "resolved" ? "until it resolves" : `until ${formatClock(h.mutedUntil, timeZone)}`}`,
    );
  return lines.map((l) => `\n${l}`).join("");
}

/** "(warn at 80%)", "(crit at 3/core)"; a level (a Plume health) says its level itself: nothing. */
function threshold(r: Reading, level: Level): string {
  if (r.value === undefined || r.unit === "level") return "";
  const limit = level === "crit" ? r.crit : r.warn;
  return ` (${level === "crit" ? "crit" : "warn"} at ${r.unit === "%" ? `${limit}%` : `${limit}/core`})`;
}

/** The incident message while it is open. */
export function incidentText(r: Reading, level: Level, c: IncidentContext): RichText {
  return withBody(
    `${ICON[level]} ${NAME[level]} ${r.id} ${formatValue(r)}`,
    `${c.host} · since ${formatClock(c.startedAt, c.timeZone)}${threshold(r, level)}${handlingLines(c.handling, c.timeZone)}`,
  );
}

/** The incident message once it is over. */
export function resolvedText(
  r: Reading,
  c: IncidentContext,
  durationMs: number,
  peak: number | undefined,
): RichText {
  const peakText = peak === undefined ? "" : `, peak ${formatValue({ ...r, value: peak })}`;
  return withBody(
    `✅ ${r.id} ${formatValue(r)}`,
    `${c.host} · ${formatClock(c.startedAt, c.timeZone)} · resolved after ${formatDuration(durationMs)}${peakText}`,
  );
}

/** Every message an event leads to, for each alert chat. */
export function planFor(event: AlertEvent, c: IncidentContext): MessagePlan[] {
  const r = event.reading;
  const quietly = (plans: MessagePlan[]) => (event.muted ? plans.filter((p) => p.kind === "edit") : plans);
  switch (event.kind) {
    case "fire":
      return quietly([
        {
          kind: "incident",
          text: incidentText(r, event.level, c),
          silent: false,
          keyboard: incidentKeyboard(c.incidentId, c.handling),
        },
      ]);
    case "change":
      return quietly([
        {
          kind: "edit",
          text: incidentText(r, event.to, c),
          silent: true,
          keyboard: incidentKeyboard(c.incidentId, c.handling),
          sendIfMissing: false,
        },
        {
          kind: "reply",
          text: {
            text:
              event.to === "crit"
                ? `🔴 now CRIT: ${r.id} ${formatValue(r)}`
                : `⚠️ down to WARN: ${r.id} ${formatValue(r)}`,
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
          text: resolvedText(r, c, event.durationMs, event.peak),
          silent: true,
          sendIfMissing: false,
        },
        {
          kind: "reply",
          text: { text: `✅ ${r.id} resolved after ${formatDuration(event.durationMs)}`, entities: [] },
          silent: true,
        },
      ]);
    case "repeat":
      return quietly([
        {
          kind: "reply",
          text: {
            text: `🔁 still ${NAME[event.level]}: ${r.id} ${formatValue(r)} for ${formatDuration(event.sinceMs)}`,
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
            text: `〰️ ${r.id} is flapping (${event.changes} changes in 30 min): quiet until it holds still for 10 min.`,
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
              text: resolvedText(r, c, event.durationMs, event.peak),
              silent: true,
              sendIfMissing: false,
            },
            {
              kind: "reply",
              text: { text: `✅ ${r.id} settled at OK ${formatValue(r)}`, entities: [] },
              silent: true,
            },
          ])
        : quietly([
            {
              kind: "edit",
              text: incidentText(r, event.level, c),
              silent: true,
              keyboard: incidentKeyboard(c.incidentId, c.handling),
              sendIfMissing: true,
            },
            {
              kind: "reply",
              text: { text: `〰️ ${r.id} settled at ${NAME[event.level]} ${formatValue(r)}`, entities: [] },
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
  return `${ICON[level]} ${r.id} ${formatValue(r)}${sinceText}${mute ? ` · 🔕 ${mute}` : ""}`;
}
