/** A time zone as a remote system names it, made usable by Intl: or UTC, saying why. */
export interface ZoneChoice {
  /** An IANA name or a `+HH:MM` offset that Intl.DateTimeFormat accepts. */
  zone: string;
  /** The name as given, when it could not be used and UTC stands in for it. */
  unknown?: string;
}

const OFFSET = /^(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i;

function accepted(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Pure: `America/New_York` stays; an offset such as `GMT-5`, `UTC+05:30` or `-0500` becomes
 * `-05:00`; anything else (`Mars/Base`, empty) falls back to UTC and keeps the name given.
 */
export function zoneOf(name: string): ZoneChoice {
  const given = name.trim();
  if (given && accepted(given)) return { zone: given };
  const m = OFFSET.exec(given);
  if (m) {
    const hours = Number(m[2]);
    const minutes = Number(m[3] ?? 0);
    const zone = `${m[1]}${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;
    if (hours <= 14 && minutes < 60 && accepted(zone)) return { zone };
  }
  return { zone: "UTC", unknown: given };
}
