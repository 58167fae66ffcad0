import type { ScriptDef } from "../../config/parse.ts";
import type { Clock } from "../../shared/clock.ts";
import { formatDuration } from "../../shared/duration.ts";
import { formatClock } from "../../shared/time-format.ts";
import {
  type CallbackContext,
  type CallbackSpec,
  type CommandContext,
  type CommandSpec,
  callbackRoute,
  type Role,
} from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { runButton, runCancelButton, runConfirmButton, stopButtonData } from "./buttons.ts";
import { catalogErrorText, mayRun, resolveRunRequest, scriptsFor, visibleScripts } from "./catalog.ts";
import { needsForm } from "./form-flow.ts";
import { stopButton } from "./presenter.ts";
import type { RunListener, StartRefusal } from "./run-types.ts";
import type { RunLaunch, Runner } from "./runner.ts";

/**
 * /run, /jobs, /stop and their buttons: only configured scripts, by name; values only for a
 * script's declared params, through its form (form-flow.ts).
 */

export interface RunCommandDeps {
  scripts(): readonly ScriptDef[];
  runner: Runner;
  clock: Clock;
  listenerFor(chatId: number): RunListener;
  /** `/run @SERVER …`: a script on a server of the fleet; false when the arguments are not that. */
  remote?(ctx: CommandContext): Promise<boolean>;
  /** Runs on servers of the fleet started from this chat's bot, for /jobs (`hidden`: not for this role). */
  remoteJobs?(role: Role): { jobs: RemoteJob[]; hidden: number };
  /** A script with params or approval: its form (asks, then calls back with the values). */
  form(ctx: CommandContext | CallbackContext, script: ScriptDef, typed: string): Promise<void>;
}

/** A run on a server of the fleet as /jobs lists it. */
export interface RemoteJob {
  line: string;
  stop?: { text: string; callback_data: string };
}

export function refusalText(
  refusal: StartRefusal,
  clock: Clock,
): { text: string; keyboard?: InlineKeyboardRows } {
  switch (refusal.kind) {
    case "already-running": {
      const r = refusal.run;
      return {
        text: `${r.script.name} is already running since ${formatClock(r.startedAt, clock.timeZone)} (started by ${r.requester.name}, ${formatDuration(clock.now() - r.startedAt)} ago).`,
        keyboard: stopButton(r.id),
      };
    }
    case "running-elsewhere": {
      const r = refusal.row;
      return {
        text: `${r.script} is already running as run #${r.id} since ${formatClock(r.startedAt, clock.timeZone)} (started by ${r.requestedByName ?? "?"}).`,
      };
    }
    case "limit":
      return {
        text: `${refusal.max} scripts are running already (runner.max_parallel). Try again when one ends: /jobs`,
      };
    case "cannot-start":
      return { text: `Could not start: ${refusal.reason}. (run #${refusal.runId}, status failed)` };
  }
}

function scriptKeyboard(scripts: readonly ScriptDef[]): InlineKeyboardRows {
  const rows: InlineKeyboardRows = [];
  for (let i = 0; i < scripts.length; i += 2) {
    rows.push(
      scripts.slice(i, i + 2).map((s) => ({
        text: `${s.kind === "long" ? "📡" : "▶️"} ${s.title}`,
        callback_data: runButton.pack({ script: s.name }),
      })),
    );
  }
  return rows;
}

export function createRunCommands(deps: RunCommandDeps): {
  /** Starts a script now (its values frozen in `given`), or says in the chat why not. */
  launch(ctx: CommandContext | CallbackContext, script: ScriptDef, given?: RunLaunch): Promise<void>;
  commands: CommandSpec[];
  callbacks: CallbackSpec[];
} {
  const { runner, clock } = deps;

  async function launch(ctx: CommandContext | CallbackContext, script: ScriptDef, given?: RunLaunch) {
    const started = runner.start(
      script,
      { userId: ctx.user.id, name: ctx.user.name, chatId: ctx.chatId, trigger: "user" },
      deps.listenerFor(ctx.chatId),
      given,
    );
    if (!started.ok) {
      const { text, keyboard } = refusalText(started.error, clock);
      await ctx.reply(text, keyboard ? { keyboard } : {});
    }
  }

  async function request(ctx: CommandContext | CallbackContext, script: ScriptDef, typed = "") {
    if (needsForm(script)) return deps.form(ctx, script, typed);
    if (script.confirm) {
      await ctx.reply(`Run ${script.name}?${script.description ? `\n${script.description}` : ""}`, {
        keyboard: [
          [
            { text: "▶️ Run", callback_data: runConfirmButton.pack({ script: script.name }) },
            { text: "✖️ Cancel", callback_data: runCancelButton.pack({}) },
          ],
        ],
      });
      return;
    }
    await launch(ctx, script);
  }

  const byName = (name: string) => deps.scripts().find((s) => s.name === name);

  return {
    launch,
    commands: [
      {
        name: "run",
        usage: "run NAME",
        description: "Run a configured script",
        role: "viewer",
        // A viewer with no viewer script has nothing to run: not listed in /help or the menu.
        listedFor: (role) => scriptsFor(deps.scripts(), role).length > 0,
        run: async (ctx) => {
          if (await deps.remote?.(ctx)) return;
          const available = scriptsFor(deps.scripts(), ctx.role);
          if (!ctx.args) {
            if (!available.length) return void (await ctx.reply("No scripts are configured for your role."));
            await ctx.reply("Which script?", { keyboard: scriptKeyboard(available) });
            return;
          }
          const resolved = resolveRunRequest(deps.scripts(), ctx.args, ctx.role);
          if (!resolved.ok) return void (await ctx.usage(catalogErrorText(resolved.error, available)));
          await request(ctx, resolved.value.script, resolved.value.rest);
        },
      },
      {
        name: "jobs",
        description: "Scripts running now",
        role: "viewer",
        run: async (ctx) => {
          const visible = visibleScripts(deps.scripts(), ctx.role);
          const all = runner.active();
          const runs = visible ? all.filter((r) => visible.includes(r.script.name)) : all;
          const remote = deps.remoteJobs?.(ctx.role) ?? { jobs: [], hidden: 0 };
          const hidden = all.length - runs.length + remote.hidden;
          if (!runs.length && !remote.jobs.length)
            return void (await ctx.reply(
              hidden ? `No script you may run is running (${hidden} admin-only).` : "No script is running.",
            ));
          const lines = [
            ...runs.map(
              (r) =>
                `#${r.id} ${r.script.name} · ${formatDuration(clock.now() - r.startedAt)} · by ${r.requester.name} · ${r.output.lines()} lines`,
            ),
            ...remote.jobs.map((j) => j.line),
          ];
          const keyboard =
            ctx.role === "admin"
              ? [
                  ...runs.map((r) => [
                    {
                      text: `⏹ Stop #${r.id} ${r.script.name}`,
                      callback_data: stopButtonData.pack({ run: r.id }),
                    },
                  ]),
                  ...remote.jobs.flatMap((j) => (j.stop ? [[j.stop]] : [])),
                ]
              : undefined;
          await ctx.reply(lines.join("\n"), keyboard ? { keyboard } : {});
        },
      },
      {
        name: "stop",
        usage: "stop ID",
        description: "Stop a running script",
        role: "admin",
        run: async (ctx) => {
          const id = Number(ctx.args.replace(/^#/, ""));
          if (!ctx.args || !Number.isInteger(id) || id <= 0)
            return void (await ctx.usage("Usage: /stop ID (see /jobs)"));
          await ctx.reply(runner.stop(id, ctx.user.name) ? `Stopping #${id}…` : `Run #${id} is not running.`);
        },
      },
    ],
    callbacks: [
      callbackRoute(runButton, "viewer", async (ctx, data) => {
        if (!data.script) {
          // The Run button under /start: offer the keyboard.
          const available = scriptsFor(deps.scripts(), ctx.role);
          await ctx.reply("Which script?", { keyboard: scriptKeyboard(available) });
          return;
        }
        const script = byName(data.script);
        if (!script) return void (await ctx.answer("That script is not configured any more."));
        if (!mayRun(ctx.role, script)) return void (await ctx.answer("Only admins may run that."));
        await ctx.answer(script.confirm || needsForm(script) ? undefined : `Starting ${script.name}`);
        await request(ctx, script);
      }),
      callbackRoute(runConfirmButton, "viewer", async (ctx, data) => {
        const script = byName(data.script);
        if (!script) return void (await ctx.answer("That script is not configured any more."));
        if (!mayRun(ctx.role, script)) return void (await ctx.answer("Only admins may run that."));
        // A script that gained params or approval since this button was sent goes through its form.
        if (needsForm(script)) return void (await deps.form(ctx, script, ""));
        await ctx.edit(`Running ${script.name} (confirmed by ${ctx.user.name}).`);
        await launch(ctx, script);
      }),
      callbackRoute(runCancelButton, "viewer", async (ctx) => {
        await ctx.edit("Cancelled: nothing was run.");
      }),
      callbackRoute(stopButtonData, "admin", async (ctx, data) => {
        await ctx.answer(runner.stop(data.run, ctx.user.name) ? "Stopping…" : "It is not running any more.");
      }),
    ],
  };
}
