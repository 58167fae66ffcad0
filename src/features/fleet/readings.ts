import type { Reading } from "../../shared/reading.ts";
import type { RemoteStatus } from "./remote.ts";
import type { FleetFailure } from "./ssh.ts";

/**
 * Pure: what the alert engine watches for one server, named `<server>:<check>` so every
 * message says which server. Thresholds are the server's own, from its status JSON (the hub's
 * apply only where an older server sends none). An unreachable server is its own check.
 */
export function serverReadings(
  name: string,
  r: { ok: true; value: RemoteStatus } | { ok: false; error: FleetFailure },
  fallback: { load: { warn: number; crit: number }; memory: { warn: number; crit: number } },
): Reading[] {
  const reach: Reading = {
    id: `${name}:reachable`,
    value: r.ok ? 0 : 2,
    warn: 1,
    crit: 2,
    unit: "level",
    clearMargin: 0,
    display: r.ok
      ? "answering"
      : r.error.kind === "host-key"
        ? "host key changed: not contacted until octopus fleet trust"
        : r.error.kind === "too-large"
          ? `answer too large: ${r.error.detail}`
          : r.error.kind === "local"
            ? `not contacted: ${r.error.detail}`
            : `unreachable: ${r.error.detail}`,
  };
  if (!r.ok) return [reach];
  const s = r.value;
  return [
    reach,
    {
      id: `${name}:load`,
      value: s.load.per_core_5m,
      warn: s.load.warn ?? fallback.load.warn,
      crit: s.load.crit ?? fallback.load.crit,
      unit: "/core",
    },
    {
      id: `${name}:memory`,
      value: s.memory.used_percent,
      warn: s.memory.warn ?? fallback.memory.warn,
      crit: s.memory.crit ?? fallback.memory.crit,
      unit: "%",
    },
    ...s.devices.map(
      (d): Reading => ({
        id: `${name}:disk:${d.name}`,
        value: d.used_percent ?? undefined,
        warn: d.alert_threshold ?? 80,
        crit: d.critical_threshold ?? 90,
        unit: "%",
        ...(d.used_percent == null ? { error: d.error ?? "unreadable" } : {}),
      }),
    ),
  ];
}
