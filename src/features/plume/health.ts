import { formatDuration } from "../../shared/duration.ts";
import { plural } from "../../shared/text.ts";
import { formatDateTimeZoned } from "../../shared/time-format.ts";
import { gatewayOf, isConnected } from "./gateway.ts";
import type { PlumeDevice, PlumeLocation, PlumeNode, PlumeQoe } from "./schemas.ts";
import { qoeClasses } from "./schemas.ts";

/**
 * Pure: the health of a Plume location from what the API answered, as support engineers
 * judge it (shared/reference/plume-api.md, rules in docs/PLUME.md). The sources are combined:
 * the summary's gateway state and pod counts count even when the pod list is missing, and a
 * source that could not be read makes the report say "incomplete"; it is never a reason for a
 * better colour.
 */

export type HealthLevel = "unknown" | "not-provisioned" | "offline" | "partial" | "degraded" | "healthy";

export const HEALTH_ICON: Record<HealthLevel, string> = {
  unknown: "⚪",
  "not-provisioned": "⚪",
  offline: "🔴",
  partial: "🟠",
  degraded: "🟡",
  healthy: "🟢",
};
export const HEALTH_NAME: Record<HealthLevel, string> = {
  unknown: "Unknown",
  "not-provisioned": "Not provisioned",
  offline: "Offline",
  partial: "Partial outage",
  degraded: "Degraded",
  healthy: "Healthy",
};
/** Numeric order for alerting: higher is worse; unknown has no rank (no data, never "resolved"). */
export const HEALTH_RANK: Record<Exclude<HealthLevel, "unknown">, number> = {
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
  /** Pods in the list that could not be read (skipped). */
  unreadableNodes?: number;
  devices?: PlumeDevice[] | undefined;
  unreadableDevices?: number;
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
  /** What the verdict was built without: "pods unavailable", "1 pod unreadable". */
  incomplete: string[];
  /** No App QoE score could be read (never changes the colour). */
  qoeNoData: boolean;
  timeZone?: string;
  /** The cloud's zone name when it could not be used (times are then in UTC). */
  unknownZone?: string;
  devices?: { online: number; offlineHour: number; offlineToday: number; unreadable: number };
}

const DAY = 86_400_000;
/** A speed test older than this is history, not the location's state now. */
const SPEED_TEST_RECENT = 7 * DAY;
const LEVEL_OF_SEVERITY: HealthLevel[] = ["healthy", "degraded", "partial", "offline"];
const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);
export const podName = (n: PlumeNode) => n.nickname || n.defaultName || n.id || "pod";
const lower = (s: string | null | undefined) => s?.toLowerCase();

export function analyzeHealth(input: HealthInput, now: number): HealthReport {
  const tz = input.location?.geoIp?.timezone ?? undefined;
  const since = (iso: string | null | undefined) => {
    const t = ms(iso);
    return Number.isFinite(t) ? ` since ${formatDateTimeZoned(t, tz)} (${formatDuration(now - t)})` : "";
  };
  const findings: Finding[] = [];
  const report = (level: HealthLevel): HealthReport => ({
    level,
    findings: findings.sort((a, b) => b.severity - a.severity).slice(0, 5),
    incomplete: incompleteOf(input),
    qoeNoData: !input.qoe || qoeClasses(input.qoe).length === 0,
    ...(tz ? { timeZone: tz } : {}),
    ...(input.location?.geoIp?.timezoneUnknown ? { unknownZone: input.location.geoIp.timezoneUnknown } : {}),
    ...(input.devices
      ? { devices: { ...deviceCounts(input.devices, now), unreadable: input.unreadableDevices ?? 0 } }
      : {}),
  });
  const summary = input.location?.summary;
  const nodes = input.nodes;
  // A summary claiming no pods while pods are listed is stale: the list is the evidence.
  const claimed = nodes?.length ? nodes.length : (summary?.nodeClaimedCount ?? nodes?.length);
  if (claimed === 0) return report("not-provisioned");

  const gateway = nodes ? gatewayOf(nodes) : undefined;
  if (gatewayDown(input)) {
    // With the gateway down every pod is unreachable: one finding, not one per pod.
    const name = gateway ? ` ${podName(gateway)}` : "";
    findings.push({
      severity: 3,
      text: `Gateway${name} is offline${since(gateway?.connectionStateChangeAt)}`,
    });
    return report("offline");
  }
  podFindings(input, gateway, since, now, findings);
  degradedFindings(input, gateway, tz, now, findings);
  const worst = Math.max(0, ...findings.map((f) => f.severity));
  if (worst === 0 && !anyEvidenceUp(input)) {
    findings.push({ severity: 0, text: "No evidence of health: no summary and no pod list could be read" });
    return report("unknown");
  }
  return report(LEVEL_OF_SEVERITY[Math.min(worst, 2)] as HealthLevel);
}

/** Something the cloud said that shows the location up: never inferred from silence. */
function anyEvidenceUp({ location, nodes }: HealthInput): boolean {
  const summary = location?.summary;
  if (lower(summary?.gatewayConnectionState) === "connected") return true;
  if ((summary?.nodeConnectedCount ?? 0) > 0) return true;
  return nodes?.some(isConnected) ?? false;
}

/** The summary decides when it says connected or disconnected; else no pod connected at all. */
function gatewayDown({ location, nodes }: HealthInput): boolean {
  const summary = location?.summary;
  const state = lower(summary?.gatewayConnectionState);
  if (state === "disconnected") return true;
  if (summary?.nodeConnectedCount === 0 && (summary.nodeClaimedCount ?? 0) > 0) return true;
  if (state === "connected") return false;
  return nodes !== undefined && nodes.length > 0 && !nodes.some(isConnected);
}

function podFindings(
  input: HealthInput,
  gateway: PlumeNode | undefined,
  since: (iso: string | null | undefined) => string,
  now: number,
  findings: Finding[],
) {
  // A pod without a state (or "unavailable") is not offline when the summary counts every pod up.
  const summaryAllUp =
    input.location?.summary?.nodeClaimedCount != null &&
    input.location.summary.nodeConnectedCount === input.location.summary.nodeClaimedCount;
  const stateless = (n: PlumeNode) => !n.connectionState || lower(n.connectionState) === "unavailable";
  const offline =
    input.nodes?.filter((n) => n !== gateway && !isConnected(n) && !(summaryAllUp && stateless(n))) ?? [];
  for (const pod of offline) {
    const t = ms(pod.connectionStateChangeAt);
    const unplugged = Number.isFinite(t) && now - t > 7 * DAY;
    findings.push(
      unplugged
        ? {
            severity: 1,
            text: `Pod ${podName(pod)} offline${since(pod.connectionStateChangeAt)}: probably unplugged`,
          }
        : { severity: 2, text: `Pod ${podName(pod)} is offline${since(pod.connectionStateChangeAt)}` },
    );
  }
  // The summary's counts hold even when the pod list is missing or says less.
  const summary = input.location?.summary;
  const claimed = summary?.nodeClaimedCount;
  const up = summary?.nodeConnectedCount;
  const missing = claimed != null && up != null ? claimed - up - offline.length : 0;
  if (missing > 0)
    findings.push({
      severity: 2,
      text: input.nodes
        ? `${plural(missing, "more pod")} offline (not in the pod list)`
        : `${plural(missing, "pod")} offline (names unavailable)`,
    });
}

function degradedFindings(
  input: HealthInput,
  gateway: PlumeNode | undefined,
  tz: string | undefined,
  now: number,
  findings: Finding[],
) {
  const degrade = (text: string, severity = 1) => findings.push({ severity, text });
  for (const pod of input.nodes?.filter(isConnected) ?? []) {
    const h = pod.health;
    const status = lower(h?.status);
    if (h && (status === "fair" || status === "poor" || (h.score != null && h.score <= 3)))
      degrade(
        `Pod ${podName(pod)} health is ${h.status ?? "low"}${h.score != null ? ` (${h.score}/5)` : ""}`,
      );
    if (pod.alerts?.length) degrade(`Pod ${podName(pod)} has ${plural(pod.alerts.length, "active alert")}`);
  }
  const bootAt = ms(gateway?.bootAt);
  if (bootAt > now + 60_000)
    degrade("Gateway boot time is ahead of this bot's clock (one of the clocks is wrong)", 0);
  else if (now - bootAt < 30 * 60_000)
    degrade(`Gateway rebooted ${formatDuration(Math.max(0, now - bootAt))} ago`);
  const speed = gateway?.speedTest;
  const testedAt = ms(speed?.startedAt ?? speed?.timestamp);
  // Only a finished test of the last week counts; one still running, or old, says nothing now.
  const recent = Number.isFinite(testedAt) && now - testedAt <= SPEED_TEST_RECENT && testedAt <= now + 60_000;
  if (
    recent &&
    speed?.status &&
    !/^(succeeded|success|ok|completed)$/i.test(speed.status) &&
    !/^(running|inprogress|in_progress|started|pending|queued)$/i.test(speed.status)
  )
    degrade(`Last speed test ${speed.status} (${formatDateTimeZoned(testedAt, tz)})`);
  for (const c of input.qoe ? qoeClasses(input.qoe) : []) {
    const demanding = /video|conferenc|gaming/i.test(c.name);
    if (c.score < 3 || (demanding && c.score < 4)) degrade(`App QoE ${c.name}: ${c.score.toFixed(1)}/5`);
  }
  const onboarding = input.location?.summary?.onboardingStatus ?? input.location?.onboardingStatus;
  if (onboarding && lower(onboarding) !== "onboardingcomplete")
    degrade(`Onboarding not complete (${onboarding})`, 0);
  const service = input.location?.serviceLevel?.status;
  if (service && lower(service) !== "fullservice") degrade(`Service level: ${service}`, 0);
}

function incompleteOf(input: HealthInput): string[] {
  return [
    ...(input.location ? [] : ["location unavailable"]),
    ...(input.nodes ? [] : ["pods unavailable"]),
    ...(input.unreadableNodes ? [`${plural(input.unreadableNodes, "pod")} unreadable`] : []),
    ...(input.devices ? [] : ["devices unavailable"]),
  ];
}

/** Devices online now, and those that went offline in the last hour and today. Never raises the level. */
export function deviceCounts(devices: readonly PlumeDevice[], now: number) {
  let online = 0;
  let offlineHour = 0;
  let offlineToday = 0;
  for (const d of devices) {
    if (isConnected(d)) {
      online++;
      continue;
    }
    const since = ms(d.offlineSince ?? d.connectionStateChangeAt);
    if (now - since <= 3_600_000) offlineHour++;
    if (now - since <= DAY) offlineToday++;
  }
  return { online, offlineHour, offlineToday };
}
