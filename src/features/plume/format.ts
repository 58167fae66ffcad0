import { bold, code, format } from "@gramio/format";
import { formatDuration } from "../../shared/duration.ts";
import { joinRich, plural, type RichText, rich } from "../../shared/text.ts";
import { formatDateTimeZoned } from "../../shared/time-format.ts";
import { gatewayOf, isConnected } from "./gateway.ts";
import { HEALTH_ICON, HEALTH_NAME, type HealthReport, podName } from "./health.ts";
import type { ItemList, PlumeDevice, PlumeLocation, PlumeNode, PlumeWifi } from "./schemas.ts";

/** Pure texts for the Plume commands, short enough for a phone. Keys never appear: they were stripped. */

/** What every report starts with: a title and both full ids (code: one tap copies them). */
export interface Heading {
  title: string;
  customerId: string;
  locationId: string;
  /** "as of 12:03, 40 s ago" when the answer came from the cache. */
  asOf?: string | undefined;
}

const when = (iso: string | null | undefined, tz: string | undefined, now: number) => {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(t) ? `${formatDateTimeZoned(t, tz)} (${formatDuration(now - t)} ago)` : "unknown";
};

export function locationTitle(location: PlumeLocation | undefined): string {
  return location?.name || "Location without a name";
}

export function head(first: string, h: Heading): RichText {
  return rich(
    format`${bold(first)}\n${code(h.customerId)} / ${code(h.locationId)}${h.asOf ? `\n${h.asOf}` : ""}`,
  );
}

const unreadable = (n: number, what: string) => (n ? [`${plural(n, what)} could not be read`] : []);

export function healthText(h: Heading, r: HealthReport, unavailable: readonly string[]): RichText {
  const incomplete = r.incomplete.length ? ` · incomplete: ${r.incomplete.join(", ")}` : "";
  const lines = r.findings.map((f) => `• ${f.text}`);
  if (r.devices) {
    lines.push(
      `Devices: ${r.devices.online} online · ${r.devices.offlineHour} left in the last hour · ${r.devices.offlineToday} today`,
      ...unreadable(r.devices.unreadable, "device"),
    );
  }
  lines.push(...unavailable);
  if (r.qoeNoData) lines.push("QoE: no data");
  if (r.unknownZone !== undefined)
    lines.push(`Times in UTC: the location's time zone "${r.unknownZone}" is not one I know`);
  return joinRich([
    head(`${HEALTH_ICON[r.level]} ${HEALTH_NAME[r.level]}${incomplete} · ${h.title}`, h),
    lines.length ? `\n${lines.join("\n")}` : "",
  ]);
}

export function statusText(
  h: Heading,
  loc: PlumeLocation,
  nodes: ItemList<PlumeNode> | undefined,
  now: number,
): RichText {
  const s = loc.summary;
  const tz = loc.geoIp?.timezone ?? undefined;
  const gateway = nodes ? gatewayOf(nodes.items) : undefined;
  const speed = gateway?.speedTest;
  const lines = [
    `Gateway: ${s?.gatewayConnectionState ?? gateway?.connectionState ?? "unknown"}`,
    `Pods: ${s?.nodeConnectedCount ?? nodes?.items.filter(isConnected).length ?? "?"} connected of ${s?.nodeClaimedCount ?? nodes?.items.length ?? "?"} claimed`,
    `Devices connected: ${s?.connectedDeviceCount ?? "?"}`,
    `Onboarding: ${s?.onboardingStatus ?? loc.onboardingStatus ?? "unknown"}`,
    `Service level: ${loc.serviceLevel?.status ?? "unknown"}`,
  ];
  if (speed) {
    lines.push(
      `Last speed test: ${speed.status ?? "?"}, ↓ ${speed.download ?? "?"} / ↑ ${speed.upload ?? "?"} Mbps, ${speed.rtt ?? "?"} ms, ${when(speed.startedAt ?? speed.timestamp, tz, now)}`,
    );
  }
  return joinRich([head(`📍 ${h.title}`, h), `\n${lines.join("\n")}`]);
}

export function nodesText(
  h: Heading,
  nodes: ItemList<PlumeNode>,
  tz: string | undefined,
  now: number,
): RichText {
  const gateway = gatewayOf(nodes.items);
  const lines = nodes.items.map((n) => {
    const role = n === gateway ? "gateway" : "pod";
    const state = isConnected(n) ? "🟢" : "🔴";
    const health = n.health?.status
      ? ` · health ${n.health.status}${n.health.score != null ? ` ${n.health.score}/5` : ""}`
      : "";
    const ids = [
      `serial ${n.id ?? "?"}`,
      `MAC ${n.mac ?? "?"}`,
      `IP ${n.ip ?? n.ipv4 ?? n.wanIp ?? "?"}`,
    ].join(" · ");
    return `${state} ${podName(n)} (${role}, ${n.model ?? "?"})\n   ${ids}\n   ${n.connectionState ?? "?"} since ${when(n.connectionStateChangeAt, tz, now)}\n   backhaul ${n.backhaulType ?? "?"} · fw ${n.firmwareVersion ?? "?"}${health}`;
  });
  lines.push(...unreadable(nodes.skipped, "pod"));
  return joinRich([head(`📡 Pods · ${h.title}`, h), `\n${lines.join("\n") || "No pods."}`]);
}

/** The pod a device hangs on: the first of its `leafToRoot` (an id, or an object with a name). */
function podOf(d: PlumeDevice, pods: readonly PlumeNode[]): string | undefined {
  const first = d.leafToRoot?.[0];
  const id = typeof first === "string" ? first : (first as { id?: unknown } | undefined)?.id;
  const pod = pods.find((p) => p.id === id);
  if (pod) return podName(pod);
  const named = first as { nickname?: unknown; defaultName?: unknown } | undefined;
  const name = typeof first === "object" ? (named?.nickname ?? named?.defaultName ?? id) : id;
  return typeof name === "string" ? name : undefined;
}

export function devicesText(
  h: Heading,
  devices: ItemList<PlumeDevice>,
  counts: { online: number; offlineHour: number; offlineToday: number },
  options: { pods: readonly PlumeNode[]; offlineOnly: boolean; tz: string | undefined; now: number },
): RichText {
  const list = options.offlineOnly ? devices.items.filter((d) => !isConnected(d)) : devices.items;
  const sorted = [...list].sort((a, b) => Number(isConnected(b)) - Number(isConnected(a)));
  const lines = sorted.map((d) => {
    const name = d.nickname || d.name || d.hostName;
    const pod = podOf(d, options.pods);
    const where = [d.medium ?? "?", d.freqBand, pod ? `on ${pod}` : undefined].filter(Boolean).join(" ");
    const off = isConnected(d)
      ? ""
      : ` · offline since ${when(d.offlineSince ?? d.connectionStateChangeAt, options.tz, options.now)}`;
    return `${isConnected(d) ? "🟢" : "⚪"} ${name ? `${name} · ` : ""}${d.mac ?? "MAC ?"} · ${where}${off}`;
  });
  lines.push(...unreadable(devices.skipped, "device"));
  const empty = options.offlineOnly ? "No offline device." : "No devices.";
  return joinRich([
    head(`📱 Devices${options.offlineOnly ? " offline" : ""} · ${h.title}`, h),
    `\n${counts.online} online · ${counts.offlineHour} went offline in the last hour · ${counts.offlineToday} today\n${lines.join("\n") || empty}`,
  ]);
}

export function wifiText(h: Heading, networks: ItemList<PlumeWifi>): RichText {
  const lines = networks.items.map(
    (w) =>
      `${(w.enable ?? w.enabled) === false ? "⚪ off ·" : "🟢"} ${w.ssid ?? "(hidden)"} · ${w.wpaMode ?? "security unknown"}${w.vapType ? ` · ${w.vapType}` : ""}`,
  );
  lines.push(...unreadable(networks.skipped, "network"));
  return joinRich([head(`📶 Wi-Fi · ${h.title}`, h), `\n${lines.join("\n") || "No networks."}`]);
}
