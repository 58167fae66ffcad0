import { code, format } from "@gramio/format";
import type { PlumeLocationConfig } from "../../config/schema.ts";
import type { Clock } from "../../shared/clock.ts";
import { formatDuration } from "../../shared/duration.ts";
import type { Result } from "../../shared/result.ts";
import { rich } from "../../shared/text.ts";
import { formatClock } from "../../shared/time-format.ts";
import type { RecentLocation } from "../../storage/plume-recent-repo.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import type { LocationRef } from "./args.ts";
import { type LocationAction, locationButton, statsButton, wanButton } from "./buttons.ts";
import type { PlumeClient } from "./client.ts";
import { type PlumeError, plumeErrorText } from "./errors.ts";
import {
  devicesText,
  type Heading,
  head,
  healthText,
  locationTitle,
  nodesText,
  statusText,
  wifiText,
} from "./format.ts";
import { deviceCounts } from "./health.ts";
import { STATS_PERIODS, type StatsPeriod, statsText, uptimeOf, wanOf, wanText } from "./history.ts";
import type { Answer } from "./present.ts";
import type { PlumeLocation } from "./schemas.ts";
import type { PlumeService } from "./service.ts";

/** A location report button: the codec keeps it under Telegram's 64 bytes (about 57). */
export const locationData = (action: LocationAction, ref: LocationRef) =>
  locationButton.pack({ action, customer: ref.customerId, location: ref.locationId });

/** A customer's locations as buttons, at most this many (a phone screen's worth, twice). */
const CUSTOMER_BUTTONS = 30;

export type Detail = "nodes" | "devices" | "offline" | "wifi" | "status";
export type WanPeriod = "daily" | "weekly" | "monthly";

/** The reports a Plume command answers with, built from the service (cached calls). */
export function createReports(deps: { plume: PlumeService; clock: Clock }) {
  const { plume, clock } = deps;
  const buttons = (ref: LocationRef): InlineKeyboardRows => [
    [
      { text: "📡 Nodes", callback_data: locationData("nodes", ref) },
      { text: "📱 Devices", callback_data: locationData("devices", ref) },
      { text: "📶 Wi-Fi", callback_data: locationData("wifi", ref) },
    ],
    [
      { text: "📈 Stats", callback_data: locationData("stats", ref) },
      { text: "🌐 WAN", callback_data: locationData("wan", ref) },
      { text: "🔄 Refresh", callback_data: locationData("refresh", ref) },
    ],
  ];
  /** "as of 12:03, 40s ago" for an answer from the cache (a fresh one says nothing). */
  const asOf = (fetchedAt: number | undefined) => {
    const age = fetchedAt === undefined ? 0 : clock.now() - fetchedAt;
    return fetchedAt !== undefined && age >= 2000
      ? `as of ${formatClock(fetchedAt, clock.timeZone)}, ${formatDuration(age)} ago (🔄 Refresh for now)`
      : undefined;
  };
  const heading = (ref: LocationRef, title: string, fetchedAt?: number): Heading => ({
    title,
    customerId: ref.customerId,
    locationId: ref.locationId,
    asOf: asOf(fetchedAt),
  });

  async function health(
    c: { owner: string; client: PlumeClient },
    ref: LocationRef,
    refresh: boolean,
  ): Promise<Answer> {
    const r = await plume.health(c.owner, c.client, ref.customerId, ref.locationId, refresh);
    if (!r.ok) return { text: plumeErrorText(r.error) };
    const h = heading(ref, ref.name ?? locationTitle(r.value.location), r.value.fetchedAt);
    const seen = { name: r.value.location?.name ?? ref.name ?? null };
    return { text: healthText(h, r.value.report, r.value.unavailable), keyboard: buttons(ref), seen };
  }

  async function detail(
    kind: Detail,
    { owner, client }: { owner: string; client: PlumeClient },
    ref: LocationRef,
    refresh = false,
  ): Promise<Answer> {
    const key = (e: string) => `${owner}|${ref.customerId}|${ref.locationId}|${e}`;
    const answer = await detailOf(kind, { owner, client }, ref, refresh);
    // The location answer detailOf just got (cached when it succeeded): no second call.
    const found = plume.peek<PlumeLocation>(key("location"));
    return found ? { ...answer, seen: { name: found.name ?? ref.name ?? null } } : answer;
  }

  async function detailOf(
    kind: Detail,
    { owner, client }: { owner: string; client: PlumeClient },
    ref: LocationRef,
    refresh: boolean,
  ): Promise<Answer> {
    const key = (e: string) => `${owner}|${ref.customerId}|${ref.locationId}|${e}`;
    const { customerId: c, locationId: l } = ref;
    const location = await plume.cached(key("location"), refresh, () => client.location(c, l));
    if (!location.ok && location.error.kind === "not-found") return { text: plumeErrorText(location.error) };
    const loc = location.ok ? location.value : undefined;
    const title = ref.name ?? locationTitle(loc);
    // The age shown is that of the data the report is about.
    const h = (main: string) => heading(ref, title, plume.fetchedAt(key(main)));
    const tz = loc?.geoIp?.timezone ?? undefined;
    const now = clock.now();
    if (kind === "nodes" || kind === "status") {
      const nodes = await plume.cached(key("nodes"), refresh, () => client.nodes(c, l));
      if (kind === "status") {
        if (!location.ok) return { text: plumeErrorText(location.error) };
        return {
          text: statusText(h("location"), location.value, nodes.ok ? nodes.value : undefined, now),
          keyboard: buttons(ref),
        };
      }
      return nodes.ok
        ? { text: nodesText(h("nodes"), nodes.value, tz, now) }
        : { text: plumeErrorText(nodes.error) };
    }
    if (kind === "devices" || kind === "offline") {
      const [devices, nodes] = await Promise.all([
        plume.cached(key("devices"), refresh, () => client.devices(c, l)),
        plume.cached(key("nodes"), refresh, () => client.nodes(c, l)),
      ]);
      if (!devices.ok) return { text: plumeErrorText(devices.error) };
      const counts = deviceCounts(devices.value.items, now);
      const pods = nodes.ok ? nodes.value.items : [];
      return {
        text: devicesText(h("devices"), devices.value, counts, {
          pods,
          offlineOnly: kind === "offline",
          tz,
          now,
        }),
      };
    }
    const wifi = await plume.cached(key("wifi"), refresh, () => client.wifi(c, l));
    return wifi.ok ? { text: wifiText(h("wifi"), wifi.value) } : { text: plumeErrorText(wifi.error) };
  }

  /** `/health CUSTOMER`: that customer's locations, one button each (the first 30), "N of M" past that. */
  async function customer(client: PlumeClient, customerId: string): Promise<Answer> {
    const found = await client.locations(customerId);
    if (!found.ok) return { text: plumeErrorText(found.error) };
    const usable = found.value.items.filter((l) => l.id);
    if (!usable.length) return { text: `Customer ${customerId} has no location.` };
    const shown = usable.slice(0, CUSTOMER_BUTTONS);
    const known = Math.max(usable.length, found.value.total ?? 0);
    const all = found.value.complete && shown.length === known;
    const of = found.value.complete || found.value.total !== undefined ? `${known}` : `at least ${known}`;
    const more = all
      ? ""
      : `\n${shown.length} of ${of} shown. Another: /health ${customerId} LOCATION_ID (24 hex characters).`;
    return {
      text: rich(format`Locations of customer ${code(customerId)}: tap one for its health.${more}`),
      keyboard: shown.map((l) => [
        {
          text: `🩺 ${l.name || l.id}`,
          callback_data: locationData("health", { customerId, locationId: l.id as string }),
        },
      ]),
    };
  }

  /** A Reports API answer beside its location (cached): the title and the zone it is shown with. */
  async function withLocation<T>(
    c: { owner: string; client: PlumeClient },
    ref: LocationRef,
    label: string,
    call: () => Promise<Result<T, PlumeError>>,
  ) {
    const { customerId, locationId } = ref;
    const [found, location] = await Promise.all([
      call(),
      plume.cached(`${c.owner}|${customerId}|${locationId}|location`, false, () =>
        c.client.location(customerId, locationId),
      ),
    ]);
    const loc = location.ok ? location.value : undefined;
    const name = ref.name ?? locationTitle(loc);
    return {
      found,
      loc,
      title: head(`${label} · ${name}`, heading(ref, name)),
      tz: loc?.geoIp?.timezone ?? undefined,
    };
  }

  /** /stats: uptime over a period, with buttons for the others. */
  async function stats(
    c: { owner: string; client: PlumeClient },
    ref: LocationRef,
    period: StatsPeriod,
  ): Promise<Answer> {
    const p = STATS_PERIODS[period];
    const { customerId, locationId } = ref;
    const r = await withLocation(c, ref, "📈 Uptime", () =>
      c.client.onlineStats(customerId, locationId, p.granularity, p.limit),
    );
    if (!r.found.ok) return { text: plumeErrorText(r.found.error) };
    const text = statsText(r.title, period, uptimeOf(r.found.value.items), r.tz, clock.now());
    const keyboard: InlineKeyboardRows = [
      (Object.keys(STATS_PERIODS) as StatsPeriod[]).map((k) => ({
        text: `${k === period ? "• " : ""}${STATS_PERIODS[k].label}`,
        callback_data: statsButton.pack({ period: k, customer: customerId, location: locationId }),
      })),
    ];
    return { text, keyboard, ...(r.loc ? { seen: { name: r.loc.name ?? null } } : {}) };
  }

  /** /wan: WAN consumption over a period. */
  async function wan(
    c: { owner: string; client: PlumeClient },
    ref: LocationRef,
    period: WanPeriod,
  ): Promise<Answer> {
    const r = await withLocation(c, ref, "🌐 WAN", () =>
      c.client.wanStats(ref.customerId, ref.locationId, period),
    );
    if (!r.found.ok) return { text: plumeErrorText(r.found.error) };
    const keyboard: InlineKeyboardRows = [
      (["daily", "weekly", "monthly"] as const).map((p) => ({
        text: `${p === period ? "• " : ""}${p}`,
        callback_data: wanButton.pack({ period: p, customer: ref.customerId, location: ref.locationId }),
      })),
    ];
    return {
      text: wanText(r.title, period, wanOf(r.found.value.items), r.tz),
      keyboard,
      ...(r.loc ? { seen: { name: r.loc.name ?? null } } : {}),
    };
  }

  return { health, detail, customer, stats, wan };
}

/** /locations: the configured ones (with "watched"), then the user's last ones, each a button. */
export function locationsList(
  saved: readonly PlumeLocationConfig[],
  recent: readonly RecentLocation[],
): [string, { keyboard: InlineKeyboardRows }?] {
  if (!saved.length && !recent.length)
    return ["No saved locations (plume.locations in the config) and none looked at yet."];
  const button = (text: string, customerId: string, locationId: string) => [
    { text, callback_data: locationData("health", { customerId, locationId }) },
  ];
  const lines = [
    ...(saved.length
      ? ["Saved locations:", ...saved.map((l) => `• ${l.name}${l.watch ? " (watched)" : ""}`)]
      : []),
    ...(recent.length ? ["Your last ones:", ...recent.map((r) => `• ${r.name ?? r.locationId}`)] : []),
  ];
  return [
    lines.join("\n"),
    {
      keyboard: [
        ...saved.map((l) => button(`🩺 ${l.name}`, l.customer_id, l.location_id)),
        ...recent.map((r) => button(`🕘 ${r.name ?? r.locationId}`, r.customerId, r.locationId)),
      ],
    },
  ];
}
