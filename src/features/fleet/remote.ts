import * as v from "valibot";
import type { FleetFailure } from "./ssh.ts";

/**
 * Pure: a server's `status --json` (what `octopus status --json` prints there, thresholds
 * and levels decided by that server's own config) read leniently, and the lines the chat shows.
 */

const Level = v.optional(v.picklist(["ok", "warn", "crit"]), "ok");
const RemoteSchema = v.looseObject({
  host: v.string(),
  load: v.looseObject({
    per_core_5m: v.number(),
    level: Level,
    warn: v.optional(v.number()),
    crit: v.optional(v.number()),
  }),
  cpu_percent: v.optional(v.looseObject({ busy: v.number() })),
  memory: v.looseObject({
    used_percent: v.number(),
    level: Level,
    warn: v.optional(v.number()),
    crit: v.optional(v.number()),
  }),
  devices: v.array(
    v.looseObject({
      name: v.string(),
      used_percent: v.nullish(v.number()),
      error: v.nullish(v.string()),
      alert_threshold: v.optional(v.number()),
      critical_threshold: v.optional(v.number()),
      level: Level,
    }),
  ),
});
export type RemoteStatus = v.InferOutput<typeof RemoteSchema>;

export function parseRemoteStatus(text: string): RemoteStatus | undefined {
  try {
    const r = v.safeParse(RemoteSchema, JSON.parse(text));
    return r.success ? r.output : undefined;
  } catch {
    return undefined;
  }
}

const ICON = { ok: "🟢", warn: "⚠️", crit: "🔴" } as const;
const RANK = { ok: 0, warn: 1, crit: 2 } as const;

export function worstLevel(s: RemoteStatus): keyof typeof ICON {
  const levels = [s.load.level, s.memory.level, ...s.devices.map((d) => d.level)];
  return levels.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), "ok" as keyof typeof ICON);
}

/** One line per server for /servers and `/status @all`. */
export function serverLine(
  name: string,
  r: { ok: true; value: RemoteStatus } | { ok: false; error: FleetFailure },
): string {
  if (!r.ok)
    return `${r.error.kind === "host-key" ? "🔴" : "⚪"} ${name} · ${r.error.kind === "host-key" ? "host key changed" : "unreachable"}: ${r.error.detail}`;
  const s = r.value;
  const worst = [...s.devices].sort((a, b) => (b.used_percent ?? 101) - (a.used_percent ?? 101))[0];
  const disk = worst
    ? ` · ${worst.name} ${worst.used_percent === null || worst.used_percent === undefined ? "✖" : `${worst.used_percent}%`}`
    : "";
  return `${ICON[worstLevel(s)]} ${name} · load ${s.load.per_core_5m.toFixed(2)}/core · mem ${Math.round(s.memory.used_percent)}%${disk}`;
}

/** `/status @web1`: the server's figures, its levels as its own config sets them. */
export function remoteStatusText(name: string, s: RemoteStatus): string {
  const disks = s.devices.map(
    (d) =>
      `${ICON[d.level]} ${d.name} ${d.used_percent === null || d.used_percent === undefined ? `✖ ${d.error ?? "unreadable"}` : `${d.used_percent}%`}`,
  );
  return [
    `🖥 ${name} (${s.host})`,
    `${ICON[s.load.level]} load ${s.load.per_core_5m.toFixed(2)}/core${s.cpu_percent ? ` · CPU ${Math.round(s.cpu_percent.busy)}%` : ""}`,
    `${ICON[s.memory.level]} memory ${Math.round(s.memory.used_percent)}%`,
    ...disks,
  ].join("\n");
}
