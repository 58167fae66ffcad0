import type { PlumeLocationConfig } from "../../config/schema.ts";
import type { Clock } from "../../shared/clock.ts";
import {
  type CallbackSpec,
  type CommandContext,
  type CommandSpec,
  callbackRoute,
} from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { type LocationRef, locationUsage, parseLocationArgs } from "./args.ts";
import { locationButton } from "./buttons.ts";
import type { PlumeClient } from "./client.ts";
import { plumeErrorText } from "./errors.ts";
import { devicesText, healthText, locationTitle, nodesText, statusText, wifiText } from "./format.ts";
import { deviceCounts } from "./health.ts";
import type { PlumeService } from "./service.ts";

/** /health, /nodes, /devices, /wifi, /node, /locations and `/status CUSTOMER LOCATION`: any authorized user. */

type Ctx = Pick<CommandContext, "user" | "reply">;

/** A location report button: the codec keeps it under Telegram's 64 bytes (about 57). */
const locationData = (action: "health" | "refresh" | "nodes" | "devices" | "wifi", ref: LocationRef) =>
  locationButton.pack({ action, customer: ref.customerId, location: ref.locationId });

export function createPlumeCommands(deps: {
  plume: PlumeService;
  saved: readonly PlumeLocationConfig[];
  clock: Clock;
}) {
  const { plume, saved, clock } = deps;
  const buttons = (ref: LocationRef): InlineKeyboardRows => [
    [
      { text: "📡 Nodes", callback_data: locationData("nodes", ref) },
      { text: "📱 Devices", callback_data: locationData("devices", ref) },
      { text: "📶 Wi-Fi", callback_data: locationData("wifi", ref) },
    ],
    [{ text: "🔄 Refresh", callback_data: locationData("refresh", ref) }],
  ];

  async function withClient(ctx: Ctx, fn: (c: { owner: string; client: PlumeClient }) => Promise<void>) {
    const found = await plume.forUser(ctx.user.id);
    if (!found.ok) return void (await ctx.reply(found.error));
    await fn(found.value);
  }

  const health = (ctx: Ctx, ref: LocationRef, refresh: boolean) =>
    withClient(ctx, async ({ owner, client }) => {
      const r = await plume.health(owner, client, ref.customerId, ref.locationId, refresh);
      if (!r.ok) return void (await ctx.reply(plumeErrorText(r.error)));
      const title = ref.name ?? locationTitle(r.value.location, ref.customerId, ref.locationId);
      await ctx.reply(healthText(title, r.value.report, r.value.unavailable), { keyboard: buttons(ref) });
    });

  const detail = (kind: "n" | "d" | "w" | "s", ctx: Ctx, ref: LocationRef, refresh = false) =>
    withClient(ctx, async ({ owner, client }) => {
      const key = (e: string) => `${owner}|${ref.customerId}|${ref.locationId}|${e}`;
      const location = await plume.cached(key("location"), refresh, () =>
        client.location(ref.customerId, ref.locationId),
      );
      if (!location.ok && location.error.kind === "not-found")
        return void (await ctx.reply(plumeErrorText(location.error)));
      const loc = location.ok ? location.value : undefined;
      const title = ref.name ?? locationTitle(loc, ref.customerId, ref.locationId);
      const tz = loc?.geoIp?.timezone ?? undefined;
      if (kind === "n" || kind === "s") {
        const nodes = await plume.cached(key("nodes"), refresh, () =>
          client.nodes(ref.customerId, ref.locationId),
        );
        if (kind === "s") {
          if (!loc)
            return void (await ctx.reply(
              plumeErrorText((location as { error: Parameters<typeof plumeErrorText>[0] }).error),
            ));
          return void (await ctx.reply(
            statusText(title, loc, nodes.ok ? nodes.value : undefined, clock.now()),
            { keyboard: buttons(ref) },
          ));
        }
        if (!nodes.ok) return void (await ctx.reply(plumeErrorText(nodes.error)));
        return void (await ctx.reply(nodesText(title, nodes.value, tz, clock.now())));
      }
      if (kind === "d") {
        const devices = await plume.cached(key("devices"), refresh, () =>
          client.devices(ref.customerId, ref.locationId),
        );
        if (!devices.ok) return void (await ctx.reply(plumeErrorText(devices.error)));
        return void (await ctx.reply(
          devicesText(title, devices.value, deviceCounts(devices.value, clock.now())),
        ));
      }
      const wifi = await plume.cached(key("wifi"), refresh, () =>
        client.wifi(ref.customerId, ref.locationId),
      );
      if (!wifi.ok) return void (await ctx.reply(plumeErrorText(wifi.error)));
      await ctx.reply(wifiText(title, wifi.value));
    });

  const locationCommand = (
    name: string,
    description: string,
    run: (ctx: CommandContext, ref: LocationRef) => Promise<void>,
  ): CommandSpec => ({
    name,
    usage: `${name} CUSTOMER LOCATION`,
    description,
    role: "viewer",
    run: async (ctx) => {
      const ref = parseLocationArgs(ctx.args, saved);
      if (!ref) return void (await ctx.reply(locationUsage(name, saved)));
      await run(ctx, ref);
    },
  });

  const commands: CommandSpec[] = [
    locationCommand("health", "Plume location health", (ctx, ref) => health(ctx, ref, false)),
    locationCommand("nodes", "Plume pods of a location", (ctx, ref) => detail("n", ctx, ref)),
    locationCommand("devices", "Devices at a Plume location", (ctx, ref) => detail("d", ctx, ref)),
    locationCommand("wifi", "Wi-Fi networks of a location", (ctx, ref) => detail("w", ctx, ref)),
    {
      name: "node",
      usage: "node SERIAL",
      description: "Find a pod by serial and show its location's health",
      role: "viewer",
      run: async (ctx) => {
        const serial = ctx.args.trim();
        if (!/^[A-Za-z0-9-]{4,40}$/.test(serial))
          return void (await ctx.reply("Usage: /node SERIAL (the pod's serial number)"));
        await withClient(ctx, async ({ client }) => {
          const found = await client.partnerNode(serial);
          if (!found.ok)
            return void (await ctx.reply(
              found.error.kind === "not-found"
                ? `No pod with serial ${serial} in your partner's inventory.`
                : plumeErrorText(found.error),
            ));
          const { customerId, locationId } = found.value;
          if (!customerId || !locationId)
            return void (await ctx.reply(
              `Pod ${serial} is in the inventory but not claimed by any location.`,
            ));
          await health(ctx, { customerId, locationId }, false);
        });
      },
    },
    {
      name: "locations",
      description: "Saved Plume locations",
      role: "viewer",
      run: async (ctx) => {
        if (!saved.length)
          return void (await ctx.reply("No saved locations (plume.locations in the config)."));
        await ctx.reply(
          `Saved locations:\n${saved.map((l) => `• ${l.name}${l.watch ? " (watched)" : ""}`).join("\n")}`,
          {
            keyboard: saved.map((l) => [
              {
                text: `🩺 ${l.name}`,
                callback_data: locationData("health", {
                  customerId: l.customer_id,
                  locationId: l.location_id,
                }),
              },
            ]),
          },
        );
      },
    },
  ];

  const callbacks: CallbackSpec[] = [
    callbackRoute(locationButton, "viewer", async (ctx, data) => {
      const { customer: customerId, location: locationId, action } = data;
      const named = saved.find((l) => l.customer_id === customerId && l.location_id === locationId);
      const ref: LocationRef = { customerId, locationId, ...(named ? { name: named.name } : {}) };
      await ctx.answer();
      if (action === "health" || action === "refresh") await health(ctx, ref, action === "refresh");
      else await detail(action === "nodes" ? "n" : action === "devices" ? "d" : "w", ctx, ref);
    }),
  ];

  /** The `/status CUSTOMER LOCATION` route. */
  const locationStatus = async (ctx: CommandContext) => {
    const ref = parseLocationArgs(ctx.args, saved);
    if (!ref)
      return void (await ctx.reply(
        `Usage: /status (server) or /status CUSTOMER_ID LOCATION_ID or /status SAVED_NAME`,
      ));
    await detail("s", ctx, ref);
  };

  return { commands, callbacks, locationStatus };
}
