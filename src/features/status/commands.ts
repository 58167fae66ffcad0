import { formatStatus, type StatusThresholds, trendSeries } from "../../system/format.ts";
import type { Snapshot } from "../../system/snapshot.ts";
import {
  type CallbackSpec,
  type CommandContext,
  type CommandSpec,
  callbackRoute,
} from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { statusButton } from "./buttons.ts";

/** /status: the server snapshot with a Refresh button; with arguments it is the Plume location status. */

export interface StatusDeps {
  snapshot(): Promise<Snapshot>;
  thresholds: StatusThresholds;
  /** One line per firing alert, shown at the bottom (empty when none). */
  activeAlerts?(): string[];
  /** 24 h sparklines and fill forecasts by series (the metric history). */
  trends?(series: readonly string[]): ReadonlyMap<string, { spark: string; forecast?: string }>;
  /** Buttons other features put beside Refresh (📈: the chart of the history). */
  moreButtons?: InlineKeyboardRows[number];
  /** Rows other features put below (the fleet's server picker). */
  moreRows?: InlineKeyboardRows;
  /** `/status @NAME` or `/status @all`: a server of the fleet; false when the args are not that. */
  fleet?(ctx: CommandContext): Promise<boolean>;
  /** `/status <customerId> <locationId>` or `/status <saved-name>`: the Plume location status. */
  locationStatus?(ctx: CommandContext): Promise<void>;
}

export function createStatusCommands(deps: StatusDeps): {
  commands: CommandSpec[];
  callbacks: CallbackSpec[];
} {
  const REFRESH: InlineKeyboardRows = [
    [
      { text: "🔄 Refresh", callback_data: statusButton.pack({ mode: "refresh" }) },
      ...(deps.moreButtons ?? []),
    ],
    ...(deps.moreRows ?? []),
  ];
  const render = async () => {
    const s = await deps.snapshot();
    return formatStatus(s, deps.thresholds, deps.activeAlerts?.() ?? [], deps.trends?.(trendSeries(s)));
  };
  return {
    commands: [
      {
        name: "status",
        ...(deps.locationStatus ? { usage: "status [CUSTOMER_ID LOCATION_ID]" } : {}),
        description: deps.locationStatus
          ? "Server load, CPU, memory and disks; with ids, a Plume location"
          : "Server load, CPU, memory and disks",
        role: "viewer",
        run: async (ctx) => {
          if (ctx.args) {
            if (await deps.fleet?.(ctx)) return;
            if (deps.locationStatus) return deps.locationStatus(ctx);
            await ctx.usage(
              "Usage: /status (server status). /status CUSTOMER_ID LOCATION_ID is the Plume location status, and Plume is not configured on this bot.",
            );
            return;
          }
          await ctx.reply(await render(), { keyboard: REFRESH });
        },
      },
    ],
    callbacks: [
      callbackRoute(statusButton, "viewer", async (ctx, data) => {
        // "new" (the Status button under /start) sends a new message; "refresh" edits in place.
        if (data.mode === "new") {
          await ctx.reply(await render(), { keyboard: REFRESH });
          return;
        }
        const result = await ctx.edit(await render(), { keyboard: REFRESH });
        await ctx.answer(
          result.ok ? (result.value.skipped ? "No change" : "Refreshed") : "Could not refresh",
        );
      }),
    ],
  };
}
