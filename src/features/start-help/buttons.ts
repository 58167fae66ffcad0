import { CallbackData } from "@gramio/callback-data";

/**
 * The /start buttons of this feature as typed codecs: the code that puts a button under a message packs its data with the
 * same object the route that handles the press unpacks it with. A codec's id is part of the data
 * of buttons already sent: renaming one expires those buttons (64 bytes of data at most).
 */

/** The Help button under /start. */
export const helpButton = new CallbackData("help");
