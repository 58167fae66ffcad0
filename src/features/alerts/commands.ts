import type { Clock } from "../../shared/clock.ts";
import { parseDuration } from "../../shared/duration.ts";
import { formatDateTime } from "../../shared/time-format.ts";
import type { AlertsRepo } from "../../storage/alerts-repo.ts";
import { type CallbackSpec, type CommandSpec, callbackRoute } from "../../telegram/feature.ts";
import { alertButton } from "./buttons.ts";
import type { AlertMonitor } from "./monitor.ts";
import type { CheckState } from "./rules.ts";

/** /alerts, /mute, /unmute and the buttons under incident messages. Viewers see; admins mute. */

const MUTE_USAGE = "Usage: /mute CHECK DURATION (e.g. /mute disk:root 2h, /mute load resolved)";

export function createAlertCommands(deps: {
  monitor: AlertMonitor;
  repo: AlertsRepo<CheckState>;
  clock: Clock;
}): {
  commands: CommandSpec[];
  callbacks: CallbackSpec[];
} {
  const { monitor, clock } = deps;
  const checksHint = () => `Checks: ${monitor.checkIds().join(", ")}`;

  return {
    commands: [
      {
        name: "alerts",
        description: "Alert states, mutes and the next check",
        role: "viewer",
        run: async (ctx) => {
          const { firing, quiet } = monitor.lines();
          const next = monitor.nextCheck();
          const parts = [
            firing.length ? `🚨 Firing\n${firing.join("\n")}` : "No alert is firing.",
            quiet.length ? quiet.join("\n") : "No check has run yet.",
            `Next check ${next ? formatDateTime(next.getTime(), deps.clock.timeZone) : "not scheduled"} · ${monitor.ticks()} checks so far`,
          ];
          await ctx.reply(parts.join("\n\n"));
        },
      },
      {
        name: "mute",
        usage: "mute CHECK DURATION",
        description: "Silence a check for a while",
        role: "admin",
        run: async (ctx) => {
          const [check, duration, extra] = ctx.args.split(/\s+/);
          if (!check || !duration || extra) return void (await ctx.reply(`${MUTE_USAGE}\n${checksHint()}`));
          const resolved = /^(resolved|incident)$/i.test(duration);
          const ms = resolved ? undefined : parseDuration(duration);
          if (!resolved && ms === undefined) return void (await ctx.reply(MUTE_USAGE));
          const until = resolved ? "resolved" : clock.now() + (ms as number);
          if (!monitor.mute(check, until))
            return void (await ctx.reply(`No check named ${check}. ${checksHint()}`));
          await ctx.reply(
            resolved
              ? `🔕 ${check} muted until its incident resolves.`
              : `🔕 ${check} muted until ${formatDateTime(until as number, deps.clock.timeZone)}.`,
          );
        },
      },
      {
        name: "unmute",
        usage: "unmute CHECK",
        description: "End a mute",
        role: "admin",
        run: async (ctx) => {
          if (!ctx.args || /\s/.test(ctx.args))
            return void (await ctx.reply(`Usage: /unmute CHECK\n${checksHint()}`));
          await ctx.reply(
            monitor.unmute(ctx.args)
              ? `🔔 ${ctx.args} unmuted.`
              : `No check named ${ctx.args}. ${checksHint()}`,
          );
        },
      },
    ],
    callbacks: [
      callbackRoute(alertButton, "admin", async (ctx, data) => {
        const incident = deps.repo.incident(data.incident);
        if (!incident || incident.endedAt !== null) return void (await ctx.answer("This incident is over."));
        const check = incident.checkId;
        if (data.action === "ack")
          return void (await ctx.answer(
            monitor.ack(check) ? "Acknowledged: no more repeats." : "Nothing to acknowledge.",
          ));
        const until =
          data.action === "mute1h"
            ? clock.now() + 3_600_000
            : data.action === "mute8h"
              ? clock.now() + 8 * 3_600_000
              : "resolved";
        monitor.mute(check, until);
        await ctx.answer(
          until === "resolved"
            ? `${check} muted until resolved`
            : `${check} muted until ${formatDateTime(until, deps.clock.timeZone)}`,
        );
      }),
    ],
  };
}
