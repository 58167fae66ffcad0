import { bold } from "gramio";
import { formatDuration } from "../../shared/duration.ts";
import { joinRich, type RichText, rich } from "../../shared/text.ts";
import { formatDateTime } from "../../shared/time-format.ts";
import { HEALTH_ICON, HEALTH_NAME, type HealthReport, podName } from "./health.ts";
import type { PlumeDevice, PlumeLocation, PlumeNode, PlumeWifi } from "./schemas.ts";

/** Pure texts for the Plume commands, short enough for a phone. Keys never appear: they were stripped. */

const when = (iso: string | null | undefined, tz: string | undefined, now: number) => {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(t) ? `${formatDateTime(t, tz)} (${formatDuration(now - t)} ago)` : "unknown";
};

export function locationTitle(
  location: PlumeLocation | undefined,
  customerId: string,
  locationId: string,
): string {
  return location?.name
    ? `${location.name}`
    : `location ${locationId.slice(-6)} (customer ${customerId.slice(-6)})`;
}

export function healthText(title: string, r: HealthReport, unavailable: readonly string[]): RichText {
  const lines = r.findings.map((f) => `• ${f.text}`);
  if (r.devices) {
    lines.push(
      `Devices: ${r.devices.online} online · ${r.devices.offlineHour} left in the last hour · ${r.devices.offlineToday} today`,
    );
  }
  lines.push(...unavailable);
  if (r.timeZone) lines.push(`Times in ${r.timeZone}`);
  return joinRich([
    rich(bold(`${HEALTH_ICON[r.level]} ${HEALTH_NAME[r.level]} · ${title}`)),
    lines.length ? `\n${lines.join("\n")}` : "",
  ]);
}

export function statusText(
  title: string,
  loc: PlumeLocation,
  nodes: readonly PlumeNode[] | undefined,
  now: number,
): RichText {
  const s = loc.summary;
  const tz = loc.geoIp?.timezone ?? undefined;
  const gateway = nodes?.find((n) => !n.leafToRoot?.length);
  const speed = gateway?.speedTest;
  const lines = [
    `Gateway: ${s?.gatewayConnectionState ?? gateway?.connectionState ?? "unknown"}`,
    `Pods: ${s?.nodeConnectedCount ?? nodes?.filter((n) => n.connectionState === "connected").length ?? "?"} connected of ${s?.nodeClaimedCount ?? nodes?.length ?? "?"} claimed`,
    `Devices connected: ${s?.connectedDeviceCount ?? "?"}`,
    `Onboarding: ${s?.onboardingStatus ?? loc.onboardingStatus ?? "unknown"}`,
    `Service level: ${loc.serviceLevel?.status ?? "unknown"}`,
  ];
  if (speed) {
    lines.push(
      `Last speed test: ${speed.status ?? "?"}, ↓ ${speed.download ?? "?"} / ↑ ${speed.upload ?? "?"} Mbps, ${speed.rtt ?? "?"} ms, ${when(speed.startedAt ?? speed.timestamp, tz, now)}`,
    );
  }
  return joinRich([rich(bold(`📍 ${title}`)), `\n${lines.join("\n")}`]);
}

export function nodesText(
  title: string,
  nodes: readonly PlumeNode[],
  tz: string | undefined,
  now: number,
): RichText {
  const lines = nodes.map((n) => {
    const role = n.leafToRoot?.length ? "pod" : "gateway";
    const state = n.connectionState === "connected" ? "🟢" : "🔴";
    const health = n.health?.status
      ? ` · health ${n.health.status}${n.health.score != null ? ` ${n.health.score}/5` : ""}`
      : "";
    return `${state} ${podName(n)} (${role}, ${n.model ?? "?"})\n   ${n.connectionState ?? "?"} since ${when(n.connectionStateChangeAt, tz, now)}\n   backhaul ${n.backhaulType ?? "?"} · fw ${n.firmwareVersion ?? "?"}${health}`;
  });
  return joinRich([rich(bold(`📡 Pods · ${title}`)), `\n${lines.join("\n") || "No pods."}`]);
}

export function devicesText(
  title: string,
  devices: readonly PlumeDevice[],
  counts: { online: number; offlineHour: number; offlineToday: number },
): RichText {
  const name = (d: PlumeDevice) => d.nickname || d.name || d.hostName || d.mac || "device";
  const sorted = [...devices].sort(
    (a, b) => Number(b.connectionState === "connected") - Number(a.connectionState === "connected"),
  );
  const lines = sorted.map(
    (d) =>
      `${d.connectionState === "connected" ? "🟢" : "⚪"} ${name(d)} · ${d.medium ?? "?"}${d.freqBand ? ` ${d.freqBand}` : ""}`,
  );
  return joinRich([
    rich(bold(`📱 Devices · ${title}`)),
    `\n${counts.online} online · ${counts.offlineHour} went offline in the last hour · ${counts.offlineToday} today\n${lines.join("\n")}`,
  ]);
}

export function wifiText(title: string, networks: readonly PlumeWifi[]): RichText {
  const lines = networks.map(
    (w) =>
      `${w.enabled === false ? "⚪" : "🟢"} ${w.ssid ?? "(hidden)"} · ${w.wpaMode ?? "security unknown"}${w.vapType ? ` · ${w.vapType}` : ""}`,
  );
  return joinRich([rich(bold(`📶 Wi-Fi · ${title}`)), `\n${lines.join("\n") || "No networks."}`]);
}
