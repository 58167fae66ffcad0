import type { Config } from "../../config/parse.ts";
import type { Clock } from "../../shared/clock.ts";
import {
  type CallbackContext,
  type CallbackSpec,
  type CommandContext,
  type CommandSpec,
  callbackRoute,
} from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { CHART_RANGES, type ChartRange, chartButton } from "./buttons.ts";
import { chartFor, parseChartArgs } from "./chart.ts";
import { renderChart } from "./render-client.ts";
import type { HistoryStore } from "./store.ts";

/** /chart and its buttons: a PNG line chart of the history, range buttons that edit it in place. */
export function createChartCommands(deps: {
  store: HistoryStore;
  config: Config;
  clock: Clock;
  /** SVG → PNG (a child process); injected so tests can count renders. */
  render?: typeof renderChart;
}): { commands: CommandSpec[]; callbacks: CallbackSpec[] } {
  const { store, config, clock } = deps;
  const render = deps.render ?? renderChart;
  const zone = {
    timeZone: clock.timeZone,
    label: clock.timeZone ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || "server time"),
  };
  const targets = ["all", "cpu", "load", "memory"];
  const keyboard = (target: string, range: ChartRange): InlineKeyboardRows => [
    CHART_RANGES.map((r) => ({
      text: r === range ? `• ${r}` : r,
      callback_data: chartButton.pack({ range: r, target, mode: "edit" }),
    })),
    targets.map((t) => ({
      text: t === target ? `• ${t}` : t,
      callback_data: chartButton.pack({ range, target: t, mode: "edit" }),
    })),
  ];
  const caption = (target: string, range: ChartRange) =>
    `📈 ${target} · ${range} (/chart ${target === "all" ? "" : target.replace(":", " ")} ${range})`.replace(
      "  ",
      " ",
    );

  async function show(
    ctx: CommandContext | CallbackContext,
    target: string,
    range: ChartRange,
    editId?: number,
  ) {
    const png = await render(chartFor(store, config, target, range, clock.now(), zone));
    if (!png.ok) return void (await ctx.reply(`Could not draw the chart: ${png.error}.`));
    const name = `chart-${target.replace(/[^\w-]/g, "_")}-${range}.png`;
    const options = { keyboard: keyboard(target, range) };
    if (editId !== undefined) {
      const edited = await ctx.outbox.editPhoto(
        ctx.chatId,
        editId,
        png.value,
        name,
        caption(target, range),
        options,
      );
      if (edited.ok) return;
    }
    await ctx.outbox.photo(ctx.chatId, png.value, name, caption(target, range), options);
  }

  return {
    commands: [
      {
        name: "chart",
        usage: "chart [cpu|load|memory|disk NAME|all] [6h|24h|7d|30d|1y]",
        description: "A chart of the server's history",
        role: "viewer",
        run: async (ctx) => {
          if (!config.history.enabled)
            return void (await ctx.reply("History is off (history.enabled: false)."));
          const parsed = parseChartArgs(
            ctx.args,
            config.monitored_devices.map((d) => d.name),
          );
          if ("error" in parsed) return void (await ctx.usage(parsed.error));
          await show(ctx, parsed.target, parsed.range);
        },
      },
    ],
    callbacks: [
      callbackRoute(chartButton, "viewer", async (ctx, data) => {
        await ctx.answer();
        await show(ctx, data.target, data.range, data.mode === "edit" ? ctx.messageId : undefined);
      }),
    ],
  };
}
