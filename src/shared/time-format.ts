/** Clock times for messages, in the server's time zone unless one is given (Plume locations have their own). */

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, options: Intl.DateTimeFormatOptions, timeZone?: string): Intl.DateTimeFormat {
  const id = `${key}|${timeZone ?? ""}`;
  let f = formatters.get(id);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { ...options, hourCycle: "h23", ...(timeZone ? { timeZone } : {}) });
    formatters.set(id, f);
  }
  return f;
}

/** `14:03` */
export function formatClock(ms: number, timeZone: string | undefined): string {
  return formatter("hm", { hour: "2-digit", minute: "2-digit" }, timeZone).format(ms);
}

/** `22 Nov 2026` */
export function formatDate(ms: number, timeZone: string | undefined): string {
  return formatter("dmy", { day: "2-digit", month: "short", year: "numeric" }, timeZone).format(ms);
}

/** `22 Nov 14:03` */
export function formatDateTime(ms: number, timeZone: string | undefined): string {
  return formatter("dhm", { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" }, timeZone)
    .format(ms)
    .replace(",", "");
}

/** `22 Nov 14:03 EST`: a time that says its zone (a customer's zone is not the server's). */
export function formatDateTimeZoned(ms: number, timeZone: string | undefined): string {
  return formatter(
    "dhmz",
    { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short" },
    timeZone,
  )
    .format(ms)
    .replace(",", "");
}
