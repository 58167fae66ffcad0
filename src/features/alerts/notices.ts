import { formatDuration } from "../../shared/duration.ts";
import { formatClock } from "../../shared/time-format.ts";
import type { IncidentRow } from "../../storage/alerts-repo.ts";

/** Pure texts for the alert path's own health: restarts and the daily digest. */

/**
 * "restarted; down from HH:MM to HH:MM" when the last heartbeat is older than two check
 * intervals; the server's boot time tells a reboot from a crash. undefined: nothing to say.
 */
export function restartNotice(
  lastHeartbeat: number | undefined,
  now: number,
  intervalMs: number,
  bootedAt: number,
  timeZone: string | undefined,
): string | undefined {
  if (lastHeartbeat === undefined || now - lastHeartbeat <= 2 * intervalMs) return undefined;
  const reason =
    bootedAt > lastHeartbeat ? ` The server rebooted at ${formatClock(bootedAt, timeZone)}.` : "";
  return `🔄 Octopus restarted: checks were down from ${formatClock(lastHeartbeat, timeZone)} to ${formatClock(now, timeZone)} (${formatDuration(now - lastHeartbeat)}).${reason}`;
}

/** The daily digest: proof that the alert path works, or a summary of the day. */
export function digestText(
  checks: number,
  incidents: readonly IncidentRow[],
): { text: string; quiet: boolean } {
  if (incidents.length === 0)
    return { text: `✅ All quiet for 24 h: ${checks} checks, no alerts.`, quiet: true };
  const open = incidents.filter((i) => i.endedAt === null);
  const byCheck = new Map<string, number>();
  for (const i of incidents) byCheck.set(i.checkId, (byCheck.get(i.checkId) ?? 0) + 1);
  const list = [...byCheck].map(([id, n]) => `${id}${n > 1 ? ` ×${n}` : ""}`).join(", ");
  const openText = open.length ? ` ${open.length} still open: ${open.map((i) => i.checkId).join(", ")}.` : "";
  return {
    text: `📋 Last 24 h: ${checks} checks, ${incidents.length} incidents (${list}).${openText}`,
    quiet: open.length === 0,
  };
}
