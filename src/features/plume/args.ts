import type { PlumeLocationConfig } from "../../config/schema.ts";

/** Pure: `<customerId> <locationId>` (24 hex each) or a saved location name. */

export type LocationRef = { customerId: string; locationId: string; name?: string };

const ID = /^[0-9a-f]{24}$/i;

export function parseLocationArgs(
  args: string,
  saved: readonly PlumeLocationConfig[],
): LocationRef | undefined {
  const words = args.trim().split(/\s+/).filter(Boolean);
  if (words.length === 2 && ID.test(words[0] as string) && ID.test(words[1] as string)) {
    return { customerId: (words[0] as string).toLowerCase(), locationId: (words[1] as string).toLowerCase() };
  }
  if (words.length === 1) {
    const s = saved.find((l) => l.name.toLowerCase() === (words[0] as string).toLowerCase());
    if (s) return { customerId: s.customer_id, locationId: s.location_id, name: s.name };
  }
  return undefined;
}

export function locationUsage(command: string, saved: readonly PlumeLocationConfig[]): string {
  const names = saved.length ? `\nSaved: ${saved.map((l) => l.name).join(", ")}` : "";
  return `Usage: /${command} CUSTOMER_ID LOCATION_ID (24 hex characters each) or /${command} SAVED_NAME${names}`;
}
