import { CallbackData } from "@gramio/callback-data";

/**
 * Ack and mute on an incident message: made by messages.ts, handled by commands.ts,
 * one codec for both. Its name is part of buttons already sent: renaming it expires them.
 */
export const ALERT_ACTIONS = ["ack", "mute1h", "mute8h", "muteResolved", "unmute"] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];
/** New actions go last: buttons already sent keep their meaning. */
export const alertButton = new CallbackData("al").enum("action", ALERT_ACTIONS).number("incident");

/** A mute from a row of /alerts: the check's own name (not an incident, which it may not have). */
export const checkMuteButton = new CallbackData("am")
  .enum("action", ["mute1h", "unmute"] as const)
  .string("check");
