import { formatDuration } from "../../shared/duration.ts";
import { formatDateTime } from "../../shared/time-format.ts";
import type { PlumeDevice, PlumeLocation, PlumeNode, PlumeQoe } from "./schemas.ts";
import { qoeClasses } from "./schemas.ts";

/**
 * Pure: the health of a Plume location from what the API answered, as support engineers
 * judge it (shared/reference/plume-api.md). Missing data is never "bad": a sub-call that
 * failed is listed as unavailable and the rest still counts.
 */

export type HealthLevel = "not-provisioned" | "offline" | "partial" | "degraded" | "healthy";

export const HEALTH_ICON: Record<HealthLevel, string> = {
  "not-provisioned": "⚪",
  offline: "🔴",
  partial: "🟠",
  degraded: "🟡",
  healthy: "🟢",
};
export const HEALTH_NAME: Record<HealthLevel, string> = {
  "not-provisioned": "Not provisioned",
  offline: "Offline",
  partial: "Partial outage",
  degraded: "Degraded",
  healthy: "Healthy",
};
/** Numeric order for alerting: higher is worse. */
export const HEALTH_RANK: Record<HealthLevel, number> = {
  healthy: 0,
  "not-provisioned": 0,
  degraded: 1,
  partial: 2,
  offline: 3,
};

/** Each source may be missing (the call failed): undefined says so. */
export interface HealthInput {
  location?: PlumeLocation | undefined;
  nodes?: PlumeNode[] | undefined;
  devices?: PlumeDevice[] | undefined;
  serviceLevel?: { status?: string | null | undefined } | undefined;
  qoe?: PlumeQoe | undefined;
}

export interface Finding {
  /** 3 offline, 2 partial, 1 degraded, 0 information. */
  severity: number;
  text: string;
}

export interface HealthReport {
  level: HealthLevel;
  findings: Finding[];
  timeZone?: string;
  devices?: { online: number; offlineHour: number; offlineToday: number };
}

const DAY = 86_400_000;
const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);
export const podName = (n: PlumeNode) => n.nickname || n.defaultName || n.id || "pod";
const isGateway = (n: PlumeNode) => !n.leafToRoot || n.leafToRoot.length === 0;
const connected = (n: PlumeNode) => n.connectionState === "connected";

export function analyzeHealth(input: HealthInput, now: number): HealthReport {
  const tz = input.location?.geoIp?.timezone ?? undefined;
  const when = (iso: string | null | undefined) => {
    const t = ms(iso);
    return Number.isFinite(t) ? ` since ${formatDateTime(t, tz)} (${formatDuration(now - t)})` : "";
  };
  const summary = input.location?.summary;
  const nodes = input.nodes;
  const findings: Finding[] = [];
  const report = (level: HealthLevel): HealthReport => ({
    level,
    findings: findings.sort((a, b) => b.severity - a.severity).slice(0, 5),
    ...(tz ? { timeZone: tz } : {}),
    ...(input.devices ? { devices: deviceCounts(input.devices, now) } : {}),
  });

  const claimed = summary?.nodeClaimedCount ?? nodes?.length;
  if (claimed === 0) return report("not-provisioned");

  const gateway = nodes?.find(isGateway);
  const gatewayDown =
    summary?.gatewayConnectionState === "disconnected" ||
    (gateway !== undefined && !connected(gateway)) ||
    (nodes !== undefined && nodes.length > 0 && !nodes.some(connected));
  if (gatewayDown) {
    // With the gateway down every pod is unreachable: one finding, not one per pod.
    findings.push({
      severity: 3,
      text: `Gateway ${gateway ? podName(gateway) : ""} is offline${when(gateway?.connectionStateChangeAt)}`.replace(
        "  ",
        " ",
      ),
    });
    return report("offline");
  }

  let level: HealthLevel = "healthy";
  for (const pod of nodes?.filter((n) => !isGateway(n) && !connected(n)) ?? []) {
    const since = ms(pod.connectionStateChangeAt);
    if (Number.isFinite(since) && now - since > 7 * DAY) {
      findings.push({
        severity: 1,
        text: `Pod ${podName(pod)} offline${when(pod.connectionStateChangeAt)}: probably unplugged`,
      });
      if (level === "healthy") level = "degraded";
    } else {
      findings.push({
        severity: 2,
        text: `Pod ${podName(pod)} is offline${when(pod.connectionStateChangeAt)}`,
      });
      level = "partial";
    }
  }
  const degrade = (text: string, severity = 1) => {
    findings.push({ severity, text });
    if (level === "healthy") level = "degraded";
  };
  for (const pod of nodes?.filter(connected) ?? []) {
    const h = pod.health;
    if (h && (h.status === "fair" || h.status === "poor" || (h.score != null && h.score <= 3))) {
      degrade(
        `Pod ${podName(pod)} health is ${h.status ?? "low"}${h.score != null ? ` (${h.score}/5)` : ""}`,
      );
    }
    if (pod.alerts?.length)
      degrade(`Pod ${podName(pod)} has ${pod.alerts.length} active alert${pod.alerts.length > 1 ? "s" : ""}`);
  }
  if (gateway && now - ms(gateway.bootAt) < 30 * 60_000)
    degrade(`Gateway rebooted ${formatDuration(now - ms(gateway.bootAt))} ago`);
  const speed = gateway?.speedTest;
  if (speed?.status && !/^(succeeded|success|ok|completed)$/i.test(speed.status))
    degrade(`Last speed test ${speed.status}`);
  for (const c of input.qoe ? qoeClasses(input.qoe) : []) {
    const demanding = /video|conferenc|gaming/i.test(c.name);
    if (c.score < 3 || (demanding && c.score < 4)) degrade(`App QoE ${c.name}: ${c.score.toFixed(1)}/5`);
  }
  const onboarding = summary?.onboardingStatus ?? input.location?.onboardingStatus;
  if (onboarding && onboarding !== "OnboardingComplete")
    degrade(`Onboarding not complete (${onboarding})`, 0);
  const service = input.serviceLevel?.status ?? input.location?.serviceLevel?.status;
  if (service && service !== "fullService") degrade(`Service level: ${service}`, 0);
  return report(level);
}

/** Devices online now, and those that went offline in the last hour and today. Never raises the level. */
export function deviceCounts(devices: readonly PlumeDevice[], now: number) {
  let online = 0;
  let offlineHour = 0;
  let offlineToday = 0;
  for (const d of devices) {
    if (d.connectionState === "connected") {
      online++;
      continue;
    }
    const since = ms(d.offlineSince ?? d.connectionStateChangeAt);
    if (now - since <= 3_600_000) offlineHour++;
    if (now - since <= DAY) offlineToday++;
  }
  return { online, offlineHour, offlineToday };
}
