import type { PlumeLocationConfig } from "../../config/schema.ts";
import type { Clock } from "../../shared/clock.ts";
import type { PlumeRecentRepo } from "../../storage/plume-recent-repo.ts";
import {
  type CallbackSpec,
  type CommandContext,
  type CommandSpec,
  callbackRoute,
} from "../../telegram/feature.ts";
import { idsIn, type LocationRef, locationUsage, parseLocationArgs } from "./args.ts";
import { locationButton, statsButton, wanButton } from "./buttons.ts";
import type { PlumeClient } from "./client.ts";
import { plumeErrorText } from "./errors.ts";
import type { StatsPeriod } from "./history.ts";
import { type Answer, type PlumeCtx, present } from "./present.ts";
import { createReports, type Detail, locationsList, type WanPeriod } from "./reports.ts";
import type { PlumeService } from "./service.ts";

/** /health, /nodes, /devices, /wifi, /node, /locations and `/status CUSTOMER LOCATION`: any authorized user. */

export function createPlumeCommands(deps: {
  plume: PlumeService;
  saved: readonly PlumeLocationConfig[];
  clock: Clock;
  /** Each user's last locations; a write that fails (disk full) only loses the suggestion. */
  recent: Pick<PlumeRecentRepo, "remember" | "recent">;
}) {
  const { plume, saved, clock } = deps;
  const reports = createReports(deps);
  /** Runs a report and remembers the location for the user when it was found. */
  const remembered = (ctx: PlumeCtx, ref: LocationRef, build: () => Promise<Answer>) => async () => {
    const a = await build();
    if (a.seen) {
      const l = { customerId: ref.customerId, locationId: ref.locationId, name: a.seen.name };
      try {
        deps.recent.remember(ctx.user.id, l, clock.now());
      } catch {
        // A full disk loses a suggestion, never the report.
      }
    }
    return a;
  };

  /** A location from a button's ids, with its saved name when it has one. */
  const refOf = (customerId: string, locationId: string): LocationRef => {
    const named = saved.find((l) => l.customer_id === customerId && l.location_id === locationId);
    return { customerId, locationId, ...(named ? { name: named.name } : {}) };
  };

  /** The user's current location: the last one a report found for them. */
  const lastUsed = (userId: number): LocationRef | undefined => {
    const last = deps.recent.recent(userId)[0];
    if (!last) return undefined;
    const ref = refOf(last.customerId, last.locationId);
    return ref.name || !last.name ? ref : { ...ref, name: last.name };
  };

  async function withClient(ctx: PlumeCtx, fn: (c: { owner: string; client: PlumeClient }) => Promise<void>) {
    const found = await plume.forUser(ctx.user.id);
    if (!found.ok) return void (await ctx.reply(found.error));
    await fn(found.value);
  }
  const checking = (ref: LocationRef) => `Checking ${ref.name ?? `location ${ref.locationId}`}`;
  /** A location report: the user's client, progress when slow, the location remembered. */
  const report = (
    ctx: PlumeCtx,
    ref: LocationRef,
    inPlace: boolean,
    build: (c: { owner: string; client: PlumeClient }) => Promise<Answer>,
  ) =>
    withClient(ctx, (c) =>
      present(
        ctx,
        checking(ref),
        inPlace,
        remembered(ctx, ref, () => build(c)),
      ),
    );
  const health = (ctx: PlumeCtx, ref: LocationRef, refresh: boolean) =>
    report(ctx, ref, refresh, (c) => reports.health(c, ref, refresh));
  const detail = (kind: Detail, ctx: PlumeCtx, ref: LocationRef) =>
    report(ctx, ref, false, (c) => reports.detail(kind, c, ref));
  const stats = (ctx: PlumeCtx, ref: LocationRef, period: StatsPeriod, inPlace: boolean) =>
    report(ctx, ref, inPlace, (c) => reports.stats(c, ref, period));
  const wan = (ctx: PlumeCtx, ref: LocationRef, period: WanPeriod, inPlace: boolean) =>
    report(ctx, ref, inPlace, (c) => reports.wan(c, ref, period));

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
      // `/devices office offline`, `/wan office weekly`: the flag word is not part of the location.
      const args = ctx.args.replace(/(^|\s)(offline|daily|weekly|monthly)(?=\s|$)/gi, " ");
      const ids = idsIn(args);
      // No location given: the user's current one (the last one a report found; its title
      // names it). /health instead offers the saved and recent ones, since a new case starts
      // there; with no current one, any of them asks the same way.
      if (!args.trim()) {
        const current = lastUsed(ctx.user.id);
        if (name === "health" || !current) {
          const recent = deps.recent.recent(ctx.user.id);
          if (!recent.length && !saved.length) return void (await ctx.usage(locationUsage(name, saved)));
          const [text, extra] = locationsList(saved, recent);
          return void (await ctx.reply(
            `Which location? ${locationUsage(name, []).slice(7)}\n\n${text}`,
            extra,
          ));
        }
        return run(ctx, current);
      }
      const ref = parseLocationArgs(args, saved);
      // One id alone is a customer: its locations, as buttons.
      if (!ref && ids.length === 1)
        return withClient(ctx, (c) =>
          present(ctx, `Looking up customer ${ids[0]}`, false, () =>
            reports.customer(c.client, ids[0] as string),
          ),
        );
      if (!ref) return void (await ctx.usage(locationUsage(name, saved)));
      await run(ctx, ref);
    },
  });

  const commands: CommandSpec[] = [
    locationCommand("health", "Plume location health", (ctx, ref) => health(ctx, ref, false)),
    locationCommand("nodes", "Plume pods of a location", (ctx, ref) => detail("nodes", ctx, ref)),
    locationCommand("devices", "Devices at a Plume location (add 'offline' for those only)", (ctx, ref) =>
      detail(/\boffline\b/i.test(ctx.args) ? "offline" : "devices", ctx, ref),
    ),
    locationCommand("wifi", "Wi-Fi networks of a location", (ctx, ref) => detail("wifi", ctx, ref)),
    locationCommand("stats", "Uptime history of a location (3 h, 24 h, 7 days)", (ctx, ref) =>
      stats(ctx, ref, "24h", false),
    ),
    locationCommand("wan", "WAN consumption of a location (add weekly or monthly)", (ctx, ref) => {
      const period = /\bmonthly\b/i.test(ctx.args)
        ? "monthly"
        : /\bweekly\b/i.test(ctx.args)
          ? "weekly"
          : "daily";
      return wan(ctx, ref, period, false);
    }),
    {
      name: "node",
      usage: "node SERIAL",
      description: "Find a pod by serial and show its location's health",
      role: "viewer",
      run: async (ctx) => {
        const serial = ctx.args.trim();
        if (!/^[A-Za-z0-9-]{4,40}$/.test(serial))
          return void (await ctx.usage("Usage: /node SERIAL (the pod's serial number)"));
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
      description: "Saved Plume locations and the ones you looked at last",
      role: "viewer",
      run: async (ctx) => {
        const recent = deps.recent.recent(ctx.user.id);
        await ctx.reply(...locationsList(saved, recent));
      },
    },
  ];

  const callbacks: CallbackSpec[] = [
    callbackRoute(statsButton, "viewer", async (ctx, data) => {
      await stats(ctx, refOf(data.customer, data.location), data.period, true);
    }),
    callbackRoute(wanButton, "viewer", async (ctx, data) => {
      await wan(ctx, refOf(data.customer, data.location), data.period, true);
    }),
    callbackRoute(locationButton, "viewer", async (ctx, data) => {
      const { action } = data;
      const ref = refOf(data.customer, data.location);
      // Refresh answers the press itself ("Refreshed" / "No change") once the report is edited.
      if (action !== "refresh") await ctx.answer();
      if (action === "health" || action === "refresh") await health(ctx, ref, action === "refresh");
      else if (action === "stats") await stats(ctx, ref, "24h", false);
      else if (action === "wan") await wan(ctx, ref, "daily", false);
      else await detail(action, ctx, ref);
    }),
  ];

  /** The `/status CUSTOMER LOCATION` route. */
  const locationStatus = async (ctx: CommandContext) => {
    const ref = parseLocationArgs(ctx.args, saved);
    if (!ref)
      return void (await ctx.usage(
        `Usage: /status (server) or /status CUSTOMER_ID LOCATION_ID or /status SAVED_NAME`,
      ));
    await detail("status", ctx, ref);
  };

  return { commands, callbacks, locationStatus };
}
