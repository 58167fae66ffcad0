import { bold, format } from "@gramio/format";
import { type RichText, rich } from "../../shared/text.ts";
import { formatClock } from "../../shared/time-format.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { AM_MUTES, amGroupButton } from "./buttons.ts";
import type { AmPayload } from "./payload.ts";

/**
 * Pure: what an Alertmanager group's message says: its state, its labels, each alert (its
 * instance and summary), its silence, and the buttons (Mute for a firing group, Unmute for a
 * silenced one). At most MAX_LINES alerts are listed; the rest are counted.
 */

const MAX_LINES = 15;

export interface SilenceShown {
  by: string;
  until: number;
}

/** The labels a silence of the group matches: its group labels, else what all its alerts share. */
export function matchersOf(p: AmPayload): Record<string, string> {
  return Object.keys(p.groupLabels).length ? p.groupLabels : p.commonLabels;
}

/** `alertname=HighLoad, job=node` */
export const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");

/** What tells one alert of the group from the others (labels its group and siblings do not share). */
function alertLine(p: AmPayload, a: AmPayload["alerts"][number]): string {
  const shared = (k: string, v: string) =>
    k === "alertname" || matchersOf(p)[k] === v || (p.alerts.length > 1 && p.commonLabels[k] === v);
  const own = Object.fromEntries(Object.entries(a.labels).filter(([k, v]) => !shared(k, v)));
  const summary = a.annotations.summary ?? a.annotations.description ?? "";
  const what = labelText(own) || a.labels.alertname || "alert";
  return `${a.status === "firing" ? "🔴" : "✅"} ${what}${summary ? ` — ${summary}` : ""}`.slice(0, 300);
}

export function groupTitle(p: AmPayload): string {
  const name = p.groupLabels.alertname ?? p.commonLabels.alertname ?? "alerts";
  const firing = p.alerts.filter((a) => a.status === "firing").length;
  return p.status === "firing" ? `🔥 ${name} · ${firing} firing` : `✅ ${name} · resolved`;
}

export function groupText(
  p: AmPayload,
  silence: SilenceShown | undefined,
  timeZone: string | undefined,
): RichText {
  const alerts = [...p.alerts].sort((a, b) => (a.status === b.status ? 0 : a.status === "firing" ? -1 : 1));
  const lines = alerts.slice(0, MAX_LINES).map((a) => alertLine(p, a));
  const more = alerts.length - lines.length + p.truncatedAlerts;
  const body = [
    labelText(matchersOf(p)),
    ...lines,
    ...(more > 0 ? [`… ${more} more`] : []),
    ...(silence && p.status === "firing"
      ? [
          `🔕 Muted by ${silence.by} until ${formatClock(silence.until, timeZone)} (a silence in Alertmanager)`,
        ]
      : []),
    ...(p.commonAnnotations.runbook_url ? [`runbook: ${p.commonAnnotations.runbook_url}`] : []),
    "from Alertmanager",
  ].filter(Boolean);
  return rich(format`${bold(groupTitle(p))}\n${body.join("\n")}`);
}

/** Mute buttons for a firing group, Unmute for a silenced one, none once resolved. */
export function groupKeyboard(
  groupId: number,
  p: AmPayload,
  silenced: boolean,
): InlineKeyboardRows | undefined {
  if (p.status !== "firing") return undefined;
  if (silenced)
    return [[{ text: "🔔 Unmute", callback_data: amGroupButton.pack({ action: "unmute", group: groupId }) }]];
  return [
    AM_MUTES.map((m) => ({
      text: `🔕 ${m.label}`,
      callback_data: amGroupButton.pack({ action: m.action, group: groupId }),
    })),
  ];
}
