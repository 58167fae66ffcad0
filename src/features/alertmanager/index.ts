import type { Database } from "bun:sqlite";
import type { AlertmanagerConfig } from "../../config/schema-alertmanager.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import { formatDateTime } from "../../shared/time-format.ts";
import { createAlertsRepo } from "../../storage/alerts-repo.ts";
import { createAmGroupsRepo } from "../../storage/am-groups-repo.ts";
import {
  type CallbackSpec,
  type CommandSpec,
  callbackRoute,
  type Feature,
  fitsCallbackData,
  type Role,
} from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { createBridge, silenceOf } from "./bridge.ts";
import { AM_MUTES, amGroupButton, amSilenceButton } from "./buttons.ts";
import { groupTitle, labelText, matchersOf } from "./group-message.ts";
import type { AmPayload } from "./payload.ts";
import { createReceiver } from "./receiver.ts";
import { createSilencesClient, type SilencesClient } from "./silences.ts";

/**
 * Octopus as the chat front of Prometheus Alertmanager: the webhook (receiver.ts) turns each
 * group into one message through the durable alert outbox (bridge.ts); Mute makes a silence
 * in Alertmanager and Unmute expires it (silences.ts); /silences lists the active ones; the
 * firing groups are listed in /alerts with the local checks.
 */

export interface AlertmanagerDeps {
  config: AlertmanagerConfig;
  alertChats: () => readonly number[];
  db: Database;
  clock: Clock;
  log: Logger;
  /** OCTOPUS_ALERTMANAGER_TOKEN: the bearer token Alertmanager's webhook carries. */
  token: string | undefined;
  /** The alert outbox has rows to send. */
  kick(): void;
  silences?: SilencesClient;
}

export function createAlertmanagerFeature(deps: AlertmanagerDeps) {
  const { clock, log } = deps;
  const groups = createAmGroupsRepo(deps.db);
  const bridge = createBridge({
    db: deps.db,
    groups,
    alerts: createAlertsRepo(deps.db),
    clock,
    log,
    routes: () => deps.config.routes,
    fallbackChats: deps.alertChats,
    kick: deps.kick,
  });
  const url = deps.config.url;
  const silences = deps.silences ?? (url ? createSilencesClient(url) : undefined);
  const noApi = "alertmanager.url is not set: silences cannot be made from here.";
  const at = (ms: number) => formatDateTime(ms, clock.timeZone);
  const receiveAlert = createReceiver({ token: () => deps.token, bridge, log });

  /** The firing groups, for /alerts: a line each, and (admins) their Mute or Unmute. */
  function alertsSection(role: Role): { lines: string[]; rows: InlineKeyboardRows } {
    const now = clock.now();
    const lines: string[] = [];
    const rows: InlineKeyboardRows = [];
    for (const g of groups.firing()) {
      const p = JSON.parse(g.payload) as AmPayload;
      const silence = silenceOf(g, now);
      lines.push(
        `${groupTitle(p)} · ${labelText(matchersOf(p))}${silence ? ` · 🔕 by ${silence.by} until ${at(silence.until)}` : ""}`,
      );
      if (role !== "admin") continue;
      const action = silence ? "unmute" : "mute1h";
      rows.push([
        {
          text: silence ? `🔔 Unmute ${groupTitle(p)}` : `🔕 Mute ${groupTitle(p)} 1h`,
          callback_data: amGroupButton.pack({ action, group: g.id }),
        },
      ]);
    }
    return { lines, rows };
  }

  const silencesCommand: CommandSpec = {
    name: "silences",
    description: "Active silences in Alertmanager",
    role: "viewer",
    run: async (ctx) => {
      if (!silences) return void (await ctx.reply(noApi));
      const list = await silences.active();
      if (!list.ok) return void (await ctx.reply(list.error));
      if (!list.value.length) return void (await ctx.reply("No silence is active in Alertmanager."));
      const lines = list.value.map(
        (s) =>
          `🔕 ${s.matchers.map((m) => `${m.name}${m.isEqual ? "" : "!"}${m.isRegex ? "=~" : "="}${m.value}`).join(", ")} · by ${s.createdBy || "?"} · until ${at(Date.parse(s.endsAt))}${s.comment ? `\n   ${s.comment.slice(0, 120)}` : ""}`,
      );
      const rows: InlineKeyboardRows =
        ctx.role === "admin"
          ? list.value.flatMap((s, i) => {
              const data = amSilenceButton.pack({ id: s.id });
              return fitsCallbackData(data) ? [[{ text: `🔔 Unmute ${i + 1}`, callback_data: data }]] : [];
            })
          : [];
      await ctx.reply(
        `Active silences (${list.value.length}):\n${lines.map((l, i) => `${i + 1}. ${l}`).join("\n")}`,
        rows.length ? { keyboard: rows } : {},
      );
    },
  };

  /** Forgets a group's silence (expired in Alertmanager) and edits its message. */
  function unsilenced(groupId: number) {
    groups.setSilence(groupId, undefined);
    bridge.refresh(groupId);
  }

  const callbacks: CallbackSpec[] = [
    callbackRoute(amGroupButton, "admin", async (ctx, data) => {
      const g = groups.get(data.group);
      if (g?.status !== "firing") return void (await ctx.answer("This alert group is resolved."));
      if (!silences) return void (await ctx.answer(noApi));
      const p = JSON.parse(g.payload) as AmPayload;
      if (data.action === "unmute") {
        if (!g.silenceId) return void (await ctx.answer("It is not muted."));
        const r = await silences.expire(g.silenceId);
        if (!r.ok) {
          await ctx.answer("Not unmuted");
          return void (await ctx.reply(`Not unmuted: ${r.error}`));
        }
        unsilenced(g.id);
        await ctx.answer("Unmuted: its silence in Alertmanager is expired.");
        return void (await ctx.reply(`🔔 ${ctx.user.name} unmuted ${groupTitle(p)}.`));
      }
      const mute = AM_MUTES.find((m) => m.action === data.action);
      const labels = matchersOf(p);
      if (!mute || !Object.keys(labels).length)
        return void (await ctx.answer("This group has no labels a silence could match."));
      const now = clock.now();
      const until = now + mute.ms;
      const r = await silences.create({
        labels,
        startsAt: now,
        endsAt: until,
        createdBy: ctx.user.name,
        comment: `Muted from Telegram by ${ctx.user.name} (id ${ctx.user.id}) for ${mute.label}`,
      });
      if (!r.ok) {
        await ctx.answer("Not muted");
        return void (await ctx.reply(`Not muted: ${r.error}`));
      }
      // A mute made while another one stood replaces it there too.
      if (g.silenceId && g.silenceId !== r.value) await silences.expire(g.silenceId);
      groups.setSilence(g.id, { id: r.value, by: ctx.user.name, until });
      bridge.refresh(g.id);
      await ctx.answer(`Silenced in Alertmanager for ${mute.label}.`);
      await ctx.reply(`🔕 ${ctx.user.name} muted ${groupTitle(p)} until ${at(until)} (silence ${r.value}).`);
    }),
    callbackRoute(amSilenceButton, "admin", async (ctx, data) => {
      if (!silences) return void (await ctx.answer(noApi));
      const r = await silences.expire(data.id);
      if (!r.ok) {
        await ctx.answer("Not unmuted");
        return void (await ctx.reply(`Not unmuted: ${r.error}`));
      }
      for (const g of groups.firing()) if (g.silenceId === data.id) unsilenced(g.id);
      await ctx.answer("Unmuted.");
      await ctx.reply(`🔔 ${ctx.user.name} expired silence ${data.id}.`);
    }),
  ];

  const feature: Feature = {
    name: "alertmanager",
    commands: [silencesCommand],
    callbacks,
    start() {
      // Resolved groups not heard of for a week are forgotten.
      try {
        groups.prune(clock.now() - 7 * 86_400_000);
      } catch (error) {
        log.warn("old Alertmanager groups could not be pruned", { error });
      }
    },
  };
  return { ...feature, receiveAlert, path: deps.config.path, alertsSection };
}
