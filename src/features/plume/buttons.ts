import { CallbackData } from "@gramio/callback-data";

/**
 * The Plume buttons as typed codecs: the code that puts a button under a message packs its data with the
 * same object the route that handles the press unpacks it with. A codec's id is part of the data
 * of buttons already sent: renaming one expires those buttons (64 bytes of data at most).
 */

/**
 * A Plume location's report buttons: health, refresh, nodes, devices, Wi-Fi, and (appended, so
 * buttons already sent keep their meaning) uptime stats and WAN; each but refresh a new message.
 */
export const LOCATION_ACTIONS = ["health", "refresh", "nodes", "devices", "wifi", "stats", "wan"] as const;
export type LocationAction = (typeof LOCATION_ACTIONS)[number];
export const locationButton = new CallbackData("pl")
  .enum("action", LOCATION_ACTIONS)
  .string("customer")
  .string("location");
/** The /auth confirmation. */
export const authButton = new CallbackData("pa").enum("answer", ["ok", "no"] as const);
/** /stats: uptime over another period, in place. */
export const statsButton = new CallbackData("ps")
  .enum("period", ["3h", "24h", "7d"] as const)
  .string("customer")
  .string("location");
/** /wan: consumption over another period, in place. */
export const wanButton = new CallbackData("pw")
  .enum("period", ["daily", "weekly", "monthly"] as const)
  .string("customer")
  .string("location");
