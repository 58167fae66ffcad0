import { bold, format } from "@gramio/format";
import { joinRich, type RichText, rich } from "../../shared/text.ts";
import type { Role } from "../../telegram/feature.ts";
import {
  type CommandContext,
  type CommandSpec,
  callbackRoute,
  type Feature,
  listedFor,
} from "../../telegram/feature.ts";
import { helpButton } from "./buttons.ts";

/** /start, /help and /whoami: what a new user sees first, on a phone. */

/** The /help text for a role: every command it may use, one line each (pure). */
export function helpText(commands: readonly CommandSpec[], role: Role): RichText {
  const lines = listedFor(commands, role).map((c) => `/${c.usage ?? c.name} - ${c.description}`);
  return joinRich([rich(format`${bold("Commands")} (${role})`), `\n${lines.join("\n")}`]);
}

/** /start, /help, /whoami and the Help button, built from the other features (listed in /help). */
export function createStartHelpFeature(
  others: readonly Feature[],
  /** Plume is set up: /start says how to use it. */
  plume: boolean,
): Feature {
  const whoami = (ctx: CommandContext) =>
    rich(
      format`You are ${bold(ctx.user.name)}, Telegram user id ${bold(String(ctx.user.id))}, role ${bold(ctx.role)}.`,
    );
  const own: CommandSpec[] = [
    {
      name: "start",
      description: "Welcome and quick buttons",
      role: "viewer",
      run: async (ctx) => {
        const buttons = [
          ...others.flatMap((f) => f.startButtons?.(ctx.role) ?? []),
          { text: "❓ Help", callback_data: helpButton.pack({}) },
        ];
        await ctx.reply(
          joinRich([
            rich(format`${bold("Octopus")} watches this server for you.\n`),
            whoami(ctx),
            plume
              ? "\nPlume Wi-Fi: /health CUSTOMER_ID LOCATION_ID (or a saved name from /locations).\n/help lists the commands."
              : "\n/help lists the commands.",
          ]),
          { keyboard: [buttons] },
        );
      },
    },
    {
      name: "help",
      description: "The commands you may use",
      role: "viewer",
      run: async (ctx) => {
        await ctx.reply(helpText(all, ctx.role));
      },
    },
    {
      name: "cancel",
      description: "End a conversation (/auth, a /run form)",
      role: "viewer",
      menu: false,
      run: async (ctx) => {
        const ended: string[] = [];
        for (const f of others) {
          const what = await f.cancel?.(ctx);
          if (what) ended.push(what);
        }
        await ctx.reply(ended.length ? ended.join("\n") : "Nothing to cancel.");
      },
    },
    {
      name: "whoami",
      description: "Your user id and role",
      role: "viewer",
      run: async (ctx) => {
        await ctx.reply(whoami(ctx));
      },
    },
  ];
  const all: readonly CommandSpec[] = [...own, ...others.flatMap((f) => f.commands)];
  return {
    name: "start-help",
    commands: own,
    callbacks: [
      callbackRoute(helpButton, "viewer", async (ctx) => {
        await ctx.reply(helpText(all, ctx.role));
      }),
    ],
  };
}
