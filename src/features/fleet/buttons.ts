import { CallbackData } from "@gramio/callback-data";

/**
 * The fleet's buttons as typed codecs (packed where the button is made, unpacked by its
 * route). `s`: a server's name, or "*" for the whole fleet; `r`: refresh in place.
 */
export const fleetStatusButton = new CallbackData("fs").string("s").boolean("r");
