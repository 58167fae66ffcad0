import { CallbackData } from "@gramio/callback-data";

/**
 * Ack and mute on an incident message: made by messages.ts, handled by commands/alerts.ts,
 * one codec for both. Its name is part of buttons already sent: renaming it expires them.
 */
export const alertButton = new CallbackData("al")
  .enum("action", ["ack", "mute1h", "mute8h", "muteResolved"] as const)
  .number("incident");
