import * as v from "valibot";
import { zoneOf } from "../../shared/time-zone.ts";

/**
 * Lenient schemas for what the Plume cloud answers (see shared/reference/plume-api.md):
 * unknown fields pass, most fields may be missing, lists come bare or nested one level.
 * Secrets are removed before parsing, so they reach neither a message nor a log.
 */

const SECRET_KEYS = new Set(["wpaKey", "encryptionKey", "password", "psk", "preSharedKey"]);

/** Deep copy without any key that can hold a secret (wpaKey, encryptionKey, pppoe.password, …). Pure. */
export function stripSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSecrets);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!SECRET_KEYS.has(k)) out[k] = stripSecrets(v);
    return out;
  }
  return value;
}

const str = v.optional(v.nullable(v.string()));
const num = v.optional(v.nullable(v.number()));

export const TokenSchema = v.looseObject({
  access_token: v.pipe(v.string(), v.minLength(1)),
  expires_in: v.optional(v.number(), 600),
  token_type: str,
});

/**
 * The location's zone, usable by every formatter: an offset such as "GMT-5" is converted and an
 * unknown name becomes UTC with `timezoneUnknown` set, so one odd location never breaks a report.
 */
interface GeoIpOut {
  timezone?: string | null | undefined;
  timezoneUnknown?: string;
  city?: string | null | undefined;
  country?: string | null | undefined;
}
const GeoIp = v.pipe(
  v.looseObject({ timezone: str, city: str, country: str }),
  v.transform((g): GeoIpOut => {
    if (typeof g.timezone !== "string") return g;
    const choice = zoneOf(g.timezone);
    return choice.unknown === undefined
      ? { ...g, timezone: choice.zone }
      : { ...g, timezone: choice.zone, timezoneUnknown: choice.unknown };
  }),
);

export const LocationSchema = v.looseObject({
  id: str,
  name: str,
  serviceLevel: v.optional(v.nullable(v.looseObject({ status: str }))),
  geoIp: v.optional(v.nullable(GeoIp)),
  onboardingStatus: str,
  summary: v.optional(
    v.nullable(
      v.looseObject({
        gatewayConnectionState: str,
        nodeConnectedCount: num,
        nodeClaimedCount: num,
        connectedDeviceCount: num,
        onboardingStatus: str,
      }),
    ),
  ),
});

export const NodeSchema = v.looseObject({
  id: str,
  nickname: str,
  defaultName: str,
  model: str,
  firmwareVersion: str,
  connectionState: str,
  connectionStateChangeAt: str,
  backhaulType: str,
  leafToRoot: v.optional(v.nullable(v.array(v.unknown()))),
  networkMode: str,
  mac: str,
  ip: str,
  ipv4: str,
  wanIp: str,
  connectedDeviceCount: num,
  bootAt: str,
  health: v.optional(v.nullable(v.looseObject({ status: str, score: num }))),
  alerts: v.optional(v.nullable(v.array(v.unknown()))),
  speedTest: v.optional(
    v.nullable(
      v.looseObject({ status: str, download: num, upload: num, rtt: num, startedAt: str, timestamp: str }),
    ),
  ),
});

export const DeviceSchema = v.looseObject({
  mac: str,
  name: str,
  nickname: str,
  hostName: str,
  medium: str,
  freqBand: str,
  connectionState: str,
  connectionStateChangeAt: str,
  onlineSince: str,
  offlineSince: str,
  /** The pod it hangs on first: ids or objects, whatever the cloud sends. */
  leafToRoot: v.optional(v.nullable(v.array(v.unknown()))),
});

export const WifiNetworkSchema = v.looseObject({
  ssid: str,
  enabled: v.optional(v.nullable(v.boolean())),
  /** What the cloud sends (older answers said `enabled`): either counts. */
  enable: v.optional(v.nullable(v.boolean())),
  wpaMode: str,
  vapType: str,
});

/** App QoE: shape undocumented; accept a list of classes with a score, under a few names, or `{}`. */
const QoeClass = v.looseObject({ trafficClass: str, name: str, score: num, qoeScore: num });
export const QoeSchema = v.union([
  v.array(QoeClass),
  v.looseObject({ trafficClasses: v.optional(v.array(QoeClass)), stats: v.optional(v.array(QoeClass)) }),
]);

/** A Reports API time: ISO text or epoch milliseconds. */
const time = v.union([v.string(), v.number()]);

/** `onlineStats`: `{statsDateRange, locationState: [{timestamp, value: "online"|"offline"}]}`. */
export const OnlineSampleSchema = v.looseObject({ timestamp: time, value: v.string() });

/** `wanStats`: `{fifteenMins: [{timestamp, rxMbytes, txMbytes, rxMaxMbps, txMaxMbps}]}`. */
export const WanSampleSchema = v.looseObject({
  timestamp: time,
  rxMbytes: num,
  txMbytes: num,
  rxMaxMbps: num,
  txMaxMbps: num,
});

export const PartnerNodeSchema = v.looseObject({
  customerId: str,
  locationId: str,
  serialNumber: str,
  partnerId: str,
});

/** A list read item by item: what could not be read is counted, never silently dropped. */
export interface ItemList<T> {
  items: T[];
  skipped: number;
}

/**
 * The list inside an answer: `{"nodes":[…]}`, `{"nodes":{"nodes":[…]}}` (the explorer shows
 * it) or a bare `[…]`; `single` also takes `{"wifiNetwork":{…}}` as a list of one. Any other
 * shape is undefined ("unexpected answer"), never an empty list. Pure.
 */
export function listIn(json: unknown, key: string, single = false): unknown[] | undefined {
  if (Array.isArray(json)) return json;
  if (!json || typeof json !== "object") return undefined;
  const value = (json as Record<string, unknown>)[key];
  if (Array.isArray(value)) return value;
  if (!value || typeof value !== "object") return undefined;
  const inner = (value as Record<string, unknown>)[key];
  if (Array.isArray(inner)) return inner;
  return single && inner === undefined ? [value] : undefined;
}

/** Each item through its schema; the ones that do not fit are counted in `skipped`. */
export function readItems<S extends v.GenericSchema>(
  list: readonly unknown[],
  item: S,
): ItemList<v.InferOutput<S>> {
  const items: v.InferOutput<S>[] = [];
  let skipped = 0;
  for (const raw of list) {
    const r = v.safeParse(item, raw);
    if (r.success) items.push(r.output);
    else skipped++;
  }
  return { items, skipped };
}

export type PlumeLocation = v.InferOutput<typeof LocationSchema>;

const WRAPPERS = ["location", "data", "result"];

/**
 * Pure: a location answer as some clouds send it, wrapped one level deeper
 * (`{"location": {…}}`, `{"data": {…}}`): the inner object when the outer one has nothing of a
 * location's own (no id, no summary) and one wrapper key holding an object.
 */
export function unwrapLocation(answer: unknown): unknown {
  if (typeof answer !== "object" || answer === null || Array.isArray(answer)) return answer;
  const o = answer as Record<string, unknown>;
  if ("id" in o || "summary" in o) return answer;
  const inner = WRAPPERS.map((k) => o[k]).filter(
    (x) => typeof x === "object" && x !== null && !Array.isArray(x),
  );
  return inner.length === 1 ? inner[0] : answer;
}

/** The answer of GET …/locations/ID, wrapped or not. */
export const LocationAnswerSchema = v.pipe(v.unknown(), v.transform(unwrapLocation), LocationSchema);
export type PlumeNode = v.InferOutput<typeof NodeSchema>;
export type PlumeDevice = v.InferOutput<typeof DeviceSchema>;
export type PlumeWifi = v.InferOutput<typeof WifiNetworkSchema>;
export type PlumeQoe = v.InferOutput<typeof QoeSchema>;
export type OnlineSample = v.InferOutput<typeof OnlineSampleSchema>;
export type WanSample = v.InferOutput<typeof WanSampleSchema>;

/** QoE classes with a usable score, whatever the envelope. */
export function qoeClasses(q: PlumeQoe): { name: string; score: number }[] {
  const list = Array.isArray(q) ? q : (q.trafficClasses ?? q.stats ?? []);
  return list
    .map((c) => ({ name: c.trafficClass ?? c.name ?? "?", score: c.score ?? c.qoeScore ?? Number.NaN }))
    .filter((c) => Number.isFinite(c.score));
}
