import { CallbackData } from "@gramio/callback-data";

/**
 * Every button the bot makes, as typed codecs: the code that puts a button under a message
 * packs its data with the same object the route that handles the press unpacks it with.
 * Ids are short (Telegram allows 64 bytes of callback data) and fixed: a codec's name is
 * part of the data of buttons already sent, so renaming one expires those buttons.
 */

/** The Help button under /start. */
export const helpButton = new CallbackData("help");
/** /status: a fresh message (the Status button under /start) or a refresh in place. */
export const statusButton = new CallbackData("st").enum("mode", ["new", "refresh"] as const);
/** /run's script picker; no script: show the list (the Run button under /start). */
export const runButton = new CallbackData("run").string("script", { optional: true });
/** Confirming (or cancelling) a script with `confirm: true`. */
export const runConfirmButton = new CallbackData("rc").string("script");
export const runCancelButton = new CallbackData("rx");
/** Stop a run. */
export const stopButtonData = new CallbackData("stop").number("run");
/** A Plume location's report buttons: health, refresh, nodes, devices, Wi-Fi. */
export const locationButton = new CallbackData("pl")
  .enum("action", ["health", "refresh", "nodes", "devices", "wifi"] as const)
  .string("customer")
  .string("location");
/** The /auth confirmation. */
export const authButton = new CallbackData("pa").enum("answer", ["ok", "no"] as const);
