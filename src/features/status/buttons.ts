import { CallbackData } from "@gramio/callback-data";

/**
 * The status buttons as typed codecs: the code that puts a button under a message packs its data with the
 * same object the route that handles the press unpacks it with. A codec's id is part of the data
 * of buttons already sent: renaming one expires those buttons (64 bytes of data at most).
 */

/** /status: a fresh message (the Status button under /start) or a refresh in place. */
export const statusButton = new CallbackData("st").enum("mode", ["new", "refresh"] as const);
