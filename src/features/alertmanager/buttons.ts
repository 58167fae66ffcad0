import { CallbackData } from "@gramio/callback-data";

/**
 * The bridge's buttons: Mute and Unmute on a group's message (its row number, never its
 * labels), and Unmute under /silences (Alertmanager's silence id, a UUID: 36 bytes fit).
 * Their names are part of buttons already sent.
 */
export const AM_MUTES = [
  { action: "mute1h", label: "1h", ms: 3_600_000 },
  { action: "mute8h", label: "8h", ms: 8 * 3_600_000 },
  { action: "mute24h", label: "24h", ms: 24 * 3_600_000 },
] as const;

export const amGroupButton = new CallbackData("ag")
  .enum("action", ["mute1h", "mute8h", "mute24h", "unmute"] as const)
  .number("group");

export const amSilenceButton = new CallbackData("as").string("id");
