import { bold, format } from "gramio";
import { joinRich, type RichText } from "../shared/text.ts";
import type { Role } from "../telegram/access.ts";
import {
  type CallbackSpec,
  type CommandContext,
  type CommandSpec,
  callbackRoute,
  listedFor,
} from "../telegram/context.ts";
import type { InlineKeyboardRows } from "../telegram/outbox.ts";
import { helpButton } from "./buttons.ts";

/** /start, /help and /whoami: what a new user sees first, on a phone. */

const rich = (f: { text: string; entities: RichText["entities"] }): RichText => ({
  text: f.text,
  entities: f.entities,
});

/** The /help text for a role: every command it may use, one line each (pure). */
export function helpText(commands: readonly CommandSpec[], role: Role): RichText {
  const lines = listedFor(commands, role).map((c) => `/${c.usage ?? c.name} - ${c.description}`);
  return joinRich([rich(format`${bold("Commands")} (${role})`), `\n${lines.join("\n")}`]);
}

export function createStartHelpCommands(options: {
  /** All commands, including these three (read lazily: the list is built after this). */
  all(): readonly CommandSpec[];
  /** Buttons under /start, e.g. Status and Run. */
  quickButtons(role: Role): InlineKeyboardRows;
  /** Plume is set up (server credentials or saved locations): /start says how to use it. */
  plume?: boolean;
}): CommandSpec[] {
  const whoami = (ctx: CommandContext) =>
    rich(
      format`You are ${bold(ctx.user.name)}, Telegram user id ${bold(String(ctx.user.id))}, role ${bold(ctx.role)}.`,
    );
  return [
    {
      name: "start",
      description: "Welcome and quick buttons",
      role: "viewer",
      run: async (ctx) => {
        await ctx.reply(
          joinRich([
            rich(format`${bold("Octopus")} watches this server for you.\n`),
            whoami(ctx),
            options.plume
              ? "\nPlume Wi-Fi: /health CUSTOMER_ID LOCATION_ID (or a saved name from /locations).\n/help lists the commands."
              : "\n/help lists the commands.",
          ]),
          {
            keyboard: options.quickButtons(ctx.role),
          },
        );
      },
    },
    {
      name: "help",
      description: "The commands you may use",
      role: "viewer",
      run: async (ctx) => {
        await ctx.reply(helpText(options.all(), ctx.role));
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
}

/** The Help button under /start. */
export function createHelpCallback(all: () => readonly CommandSpec[]): CallbackSpec {
  return callbackRoute(helpButton, "viewer", async (ctx) => {
    await ctx.reply(helpText(all(), ctx.role));
  });
}
