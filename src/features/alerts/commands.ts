import type { Clock } from "../../shared/clock.ts";
import { parseDuration } from "../../shared/duration.ts";
import { plural } from "../../shared/text.ts";
import { formatDateTime } from "../../shared/time-format.ts";
import type { AlertsRepo } from "../../storage/alerts-repo.ts";
import {
  type CallbackSpec,
  type CommandContext,
  type CommandSpec,
  callbackRoute,
  fitsCallbackData,
  type Role,
} from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { alertButton, checkMuteButton } from "./buttons.ts";
import type { AlertMonitor } from "./monitor.ts";
import type { CheckState } from "./rules.ts";

/** /alerts, /mute, /unmute and the buttons under incident messages and /alerts. Viewers see; admins mute. */

const MUTE_USAGE = "Usage: /mute CHECK DURATION (e.g. /mute disk:root 2h, /mute load resolved)";
const HOUR = 3_600_000;

/** `/mute disk:Root FS 2h`: the longest configured check name the text starts with, then the rest. */
export function splitCheck(args: string, checks: readonly string[]): { check?: string; rest: string } {
  const text = args.trim();
  const lower = text.toLowerCase();
  const match = [...checks]
    .sort((a, b) => b.length - a.length)
    .find((c) => lower === c.toLowerCase() || lower.startsWith(`${c.toLowerCase()} `));
  return match ? { check: match, rest: text.slice(match.length).trim() } : { rest: text };
}

export function createAlertCommands(deps: {
  monitor: AlertMonitor;
  repo: AlertsRepo<CheckState>;
  clock: Clock;
  /** Alertmanager's firing groups, listed under the local checks. */
  external?(role: Role): { lines: string[]; rows: InlineKeyboardRows };
}): {
  commands: CommandSpec[];
  callbacks: CallbackSpec[];
  /** /alerts as the dashboard shows it: its text, and the buttons an admin gets, with Ack per open incident. */
  webView(role: Role): { text: string; rows: InlineKeyboardRows };
} {
  const { monitor, clock } = deps;
  const checksHint = () => `Checks: ${monitor.checkIds().join(", ") || "none yet (no check has run)"}`;
  const untilText = (until: number | "resolved") =>
    until === "resolved" ? "until its incident resolves" : `until ${formatDateTime(until, clock.timeZone)}`;

  /** One row per check for an admin: mute it for an hour, or unmute it. */
  function rowButtons(): InlineKeyboardRows {
    return monitor.checkIds().flatMap((check) => {
      const muted = monitor.isMuted(check);
      const data = checkMuteButton.pack({ action: muted ? "unmute" : "mute1h", check });
      // Callback data is at most 64 bytes: a check with a very long name is muted by command.
      if (!fitsCallbackData(data)) return [];
      return [[{ text: muted ? `🔔 Unmute ${check}` : `🔕 Mute ${check} 1h`, callback_data: data }]];
    });
  }

  /** /alerts for a role: its text, and (admins) a Mute or Unmute per check and per external group. */
  function alertsView(role: Role): { text: string; rows: InlineKeyboardRows } {
    const external = deps.external?.(role);
    const rows = role === "admin" ? [...rowButtons(), ...(external?.rows ?? [])] : [];
    return { text: alertsText(external), rows };
  }

  function alertsText(external: { lines: string[] } | undefined): string {
    const { firing, quiet } = monitor.lines();
    const next = monitor.nextCheck();
    const ticks = monitor.ticks();
    const none = ticks ? "No check has run since the bot started." : "No check has run yet.";
    return [
      firing.length ? `🚨 Firing\n${firing.join("\n")}` : "No alert is firing.",
      quiet.length ? quiet.join("\n") : none,
      `Next check ${next ? formatDateTime(next.getTime(), clock.timeZone) : "not scheduled"} · ${plural(ticks, "check")} so far`,
      ...(external
        ? [
            external.lines.length
              ? `📣 Alertmanager\n${external.lines.join("\n")}`
              : "📣 Alertmanager: no group is firing.",
          ]
        : []),
    ].join("\n\n");
  }

  /**
   * The configured check the arguments start with, or the answer saying why not (usage when
   * empty, the check list when unknown or `restOk` refuses what follows).
   */
  async function checkIn(ctx: CommandContext, usage: string, restOk: (rest: string) => boolean) {
    const { check, rest } = splitCheck(ctx.args, monitor.checkIds());
    if (!ctx.args.trim()) return void (await ctx.usage(`${usage}\n${checksHint()}`));
    if (check && restOk(rest)) return { check, rest };
    const named = check ? ctx.args.trim() : ctx.args.trim().split(/\s+/)[0];
    return void (await ctx.reply(`No check named ${named}. ${checksHint()}`));
  }

  const mute: CommandSpec = {
    name: "mute",
    usage: "mute CHECK DURATION",
    description: "Silence a check for a while",
    role: "admin",
    run: async (ctx) => {
      const found = await checkIn(ctx, MUTE_USAGE, () => true);
      if (!found) return;
      const { check, rest } = found;
      const resolved = /^(resolved|incident)$/i.test(rest);
      const ms = resolved ? undefined : parseDuration(rest);
      if (!resolved && ms === undefined) return void (await ctx.usage(MUTE_USAGE));
      const until = resolved ? "resolved" : clock.now() + (ms as number);
      monitor.mute(check, until, ctx.user.name);
      await ctx.reply(`🔕 ${check} muted ${untilText(until)}.`);
    },
  };

  const unmute: CommandSpec = {
    name: "unmute",
    usage: "unmute CHECK",
    description: "End a mute",
    role: "admin",
    run: async (ctx) => {
      const found = await checkIn(ctx, "Usage: /unmute CHECK", (rest) => rest.length === 0);
      if (!found) return;
      const { check } = found;
      const result = monitor.unmute(check);
      await ctx.reply(result === "unmuted" ? `🔔 ${check} unmuted.` : `${check} was not muted.`);
    },
  };

  function webView(role: Role) {
    const view = alertsView(role);
    if (role !== "admin") return view;
    const acks: InlineKeyboardRows = monitor.checkIds().flatMap((check) => {
      const open = deps.repo.currentIncident(check);
      const data = open ? alertButton.pack({ action: "ack", incident: open.id }) : "";
      return open && fitsCallbackData(data) ? [[{ text: `✅ Ack ${check}`, callback_data: data }]] : [];
    });
    return { text: view.text, rows: [...acks, ...view.rows] };
  }

  return {
    webView,
    commands: [
      {
        name: "alerts",
        description: "Alert states, mutes and the next check",
        role: "viewer",
        run: async (ctx) => {
          const { text, rows } = alertsView(ctx.role);
          await ctx.reply(text, rows.length ? { keyboard: rows } : {});
        },
      },
      mute,
      unmute,
    ],
    callbacks: [
      callbackRoute(alertButton, "admin", async (ctx, data) => {
        const incident = deps.repo.incident(data.incident);
        if (!incident || incident.endedAt !== null) return void (await ctx.answer("This incident is over."));
        const check = incident.checkId;
        const by = ctx.user.name;
        let toast: string;
        if (data.action === "ack")
          toast = monitor.ack(check, by) ? "Acknowledged: no more repeats." : "Nothing to acknowledge.";
        else if (data.action === "unmute")
          toast = monitor.unmute(check) === "unmuted" ? `${check} unmuted` : `${check} was not muted`;
        else {
          const now = clock.now();
          const until =
            data.action === "mute1h" ? now + HOUR : data.action === "mute8h" ? now + 8 * HOUR : "resolved";
          monitor.mute(check, until, by);
          toast = `${check} muted ${untilText(until)}`;
        }
        await ctx.answer(toast);
        // The incident's message (in every alert chat) now says who did it, with the right buttons.
        monitor.refresh(data.incident);
      }),
      callbackRoute(checkMuteButton, "admin", async (ctx, data) => {
        if (!monitor.checkIds().includes(data.check)) return void (await ctx.answer("No such check now."));
        if (data.action === "unmute") {
          const result = monitor.unmute(data.check);
          await ctx.answer(result === "unmuted" ? `${data.check} unmuted` : `${data.check} was not muted`);
        } else {
          const until = clock.now() + HOUR;
          monitor.mute(data.check, until, ctx.user.name);
          await ctx.answer(`${data.check} muted ${untilText(until)}`);
        }
        const open = deps.repo.currentIncident(data.check);
        if (open) monitor.refresh(open.id);
        const { text, rows } = alertsView(ctx.role);
        await ctx.edit(text, { keyboard: rows });
      }),
    ],
  };
}
