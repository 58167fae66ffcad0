import type { PlumeLocationConfig } from "../../config/schema.ts";

/**
 * Pure: two 24-hex ids (customer, then location) anywhere in the text, so a URL from Plume's
 * tools or ids separated by commas or slashes work as pasted; or a saved location name.
 */

export type LocationRef = { customerId: string; locationId: string; name?: string };

const IDS = /(?<![0-9a-f])[0-9a-f]{24}(?![0-9a-f])/gi;

/** The 24-hex ids in a text, lower-cased, in order. */
export const idsIn = (text: string) => (text.match(IDS) ?? []).map((id) => id.toLowerCase());

export function parseLocationArgs(
  args: string,
  saved: readonly PlumeLocationConfig[],
): LocationRef | undefined {
  const ids = idsIn(args);
  if (ids.length === 2) return { customerId: ids[0] as string, locationId: ids[1] as string };
  const words = args.trim().split(/\s+/).filter(Boolean);
  if (words.length === 1 && ids.length === 0) {
    const s = saved.find((l) => l.name.toLowerCase() === (words[0] as string).toLowerCase());
    if (s) return { customerId: s.customer_id, locationId: s.location_id, name: s.name };
  }
  return undefined;
}

export function locationUsage(command: string, saved: readonly PlumeLocationConfig[]): string {
  const names = saved.length ? `\nSaved: ${saved.map((l) => l.name).join(", ")}` : "";
  return `Usage: /${command} CUSTOMER_ID LOCATION_ID (24 hex characters each) or /${command} SAVED_NAME${names}`;
}
