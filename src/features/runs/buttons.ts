import { CallbackData } from "@gramio/callback-data";

/**
 * The run buttons as typed codecs: the code that puts a button under a message packs its data with the
 * same object the route that handles the press unpacks it with. A codec's id is part of the data
 * of buttons already sent: renaming one expires those buttons (64 bytes of data at most).
 */

/** /run's script picker; no script: show the list (the Run button under /start). */
export const runButton = new CallbackData("run").string("script", { optional: true });
/** Confirming (or cancelling) a script with `confirm: true`. */
export const runConfirmButton = new CallbackData("rc").string("script");
export const runCancelButton = new CallbackData("rx");
/** Stop a run. */
export const stopButtonData = new CallbackData("stop").number("run");
/** A script on a server of the fleet: pick (no script: the list), confirm, stop. */
export const remoteRunButton = new CallbackData("rr").string("s").string("n", { optional: true });
export const remoteConfirmButton = new CallbackData("rrc").string("s").string("n");
export const remoteStopButton = new CallbackData("rs").string("s").number("r");
/** A /run form's question: form id, question step, choice index (-1: the default, -2: skip). */
export const formPickButton = new CallbackData("rp").string("f").number("s").number("i");
/** A /run form's summary: run (or ask for approval), or cancel. */
export const formGoButton = new CallbackData("rg").string("f").enum("a", ["run", "cancel"]);
/** A request for approval: its id and random token; approve, deny, or withdraw (the requester). */
export const approvalButton = new CallbackData("ap")
  .number("r")
  .string("t")
  .enum("a", ["yes", "no", "withdraw"]);
