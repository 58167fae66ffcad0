import type { Config } from "../../config/parse.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Limiter } from "../../shared/limiter.ts";
import type { Logger } from "../../shared/log.ts";
import {
  type CallbackContext,
  type CallbackSpec,
  type CommandContext,
  type CommandSpec,
  callbackRoute,
} from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { CHART_RANGES, type ChartRange, chartButton } from "./buttons.ts";
import { chartFor, parseChartArgs, sinceText } from "./chart.ts";
import { renderChart } from "./render-client.ts";
import { busyText, createChartJobs } from "./render-pool.ts";
import type { HistoryStore } from "./store.ts";

/** /chart and its buttons: a PNG line chart of the history, range buttons that edit it in place. */
export function createChartCommands(deps: {
  store: HistoryStore;
  config: Config;
  clock: Clock;
  /** SVG → PNG (a child process); injected so tests can count renders. */
  render?: typeof renderChart;
  /** Where renders wait their turn (one per process, kept across reloads). */
  pool?: Limiter | undefined;
  log: Logger;
}): { commands: CommandSpec[]; callbacks: CallbackSpec[]; settle(how: "finish" | "abort"): Promise<void> } {
  const { store, config, clock } = deps;
  const render = deps.render ?? renderChart;
  const jobs = createChartJobs({ pool: deps.pool, log: deps.log });
  const zone = {
    timeZone: clock.timeZone,
    label: clock.timeZone ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || "server time"),
  };
  const button = (text: string, data: Parameters<typeof chartButton.pack>[0]) => ({
    text,
    callback_data: chartButton.pack(data),
  });
  // Every monitored disk gets a button (four to a row), so any chart leads back to any other;
  // one whose name would not fit Telegram's 64 bytes of callback data is left to /chart disk NAME.
  const diskTargets = () =>
    config.monitored_devices
      .map((d) => `disk:${d.name}`)
      .filter((t) => Buffer.byteLength(chartButton.pack({ range: "24h", target: t, mode: "edit" })) <= 64);
  const keyboard = (target: string, range: ChartRange): InlineKeyboardRows => {
    const mark = (t: string, text: string) => (t === target ? `• ${text}` : text);
    const disks = diskTargets().map((t) => button(mark(t, t.slice(5)), { range, target: t, mode: "edit" }));
    const rows: InlineKeyboardRows = [
      CHART_RANGES.map((r) => button(r === range ? `• ${r}` : r, { range: r, target, mode: "edit" })),
      ["all", "cpu", "load", "memory"].map((t) => button(mark(t, t), { range, target: t, mode: "edit" })),
    ];
    for (let i = 0; i < disks.length; i += 4) rows.push(disks.slice(i, i + 4));
    return rows;
  };
  const caption = (target: string, range: ChartRange, since: number | undefined) => {
    const command = ["/chart", target === "all" ? "" : target.replace(":", " "), range]
      .filter(Boolean)
      .join(" ");
    const young =
      since === undefined ? "" : ` · history since ${sinceText(since, clock.now(), zone.timeZone)}`;
    return `📈 ${target} · ${range}${young} (${command})`;
  };

  /**
   * A render through the pool, off the chat's queue (the chat's next command does not wait
   * for the picture); refused at once when the chat or the process has enough being drawn.
   */
  const admit = (ctx: CommandContext | CallbackContext, target: string, range: ChartRange, editId?: number) =>
    jobs.start(ctx.chatId, () =>
      show(ctx, target, range, editId).catch(async (error: unknown) => {
        await ctx.reply("Could not draw the chart: something went wrong (the details are in the bot's log).");
        throw error;
      }),
    );

  async function show(
    ctx: CommandContext | CallbackContext,
    target: string,
    range: ChartRange,
    editId?: number,
  ) {
    const chart = chartFor(store, config, target, range, clock.now(), zone);
    const png = await render(chart.svg);
    if (!png.ok) return void (await ctx.reply(`Could not draw the chart: ${png.error}.`));
    const name = `chart-${target.replace(/[^\w-]/g, "_")}-${range}.png`;
    const options = { keyboard: keyboard(target, range) };
    if (editId !== undefined) {
      const edited = await ctx.outbox.editPhoto(
        ctx.chatId,
        editId,
        png.value,
        name,
        caption(target, range, chart.since),
        options,
      );
      if (edited.ok) return;
    }
    await ctx.outbox.photo(ctx.chatId, png.value, name, caption(target, range, chart.since), options);
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
          const refused = admit(ctx, parsed.target, parsed.range);
          if (refused) await ctx.reply(busyText(refused));
        },
      },
    ],
    callbacks: [
      callbackRoute(chartButton, "viewer", async (ctx, data) => {
        const refused = admit(ctx, data.target, data.range, data.mode === "edit" ? ctx.messageId : undefined);
        // Busy: said on the button (a toast), the chart left as it is.
        await ctx.answer(refused ? busyText(refused) : undefined);
      }),
    ],
    settle: jobs.settle,
  };
}
