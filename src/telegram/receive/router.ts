import type { TelegramCallbackQuery, TelegramMessage, TelegramUpdate } from "gramio";
import { isStorageFailure } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";
import type {
  CallbackContext,
  CallbackSpec,
  CommandContext,
  CommandSpec,
  Feature,
  TextHook,
} from "../feature.ts";
import { allows } from "../feature.ts";
import type { Outbox, SendOptions } from "../send/outbox.ts";
import type { Access } from "./access.ts";
import { parseCommand } from "./command-parse.ts";

/**
 * Turns one update into at most one handler call. Access is checked here and only here:
 * unknown users get one "Not authorized" per hour and no handler runs for them. This is
 * also the error sink for updates: a failing handler is logged with the update id and
 * the user gets a short answer, never a stack trace.
 */

export interface RouterDeps {
  access: Access;
  outbox: Outbox;
  log: Logger;
  /** Everything the bot does: the router knows features only through this interface. */
  features: readonly Feature[];
  /** The bot's username, to ignore commands addressed to another bot in groups. */
  botUsername(): string;
  /** Metrics: one call per command with its outcome (ok, usage, error, denied, unknown, forbidden). */
  onCommand?(command: string, outcome: string): void;
}

const nameOf = (u: { first_name: string; last_name?: string; username?: string }) =>
  [u.first_name, u.last_name].filter(Boolean).join(" ") || u.username || "someone";

/**
 * The outbox as one update's handler sees it: what it sends is a reply to a person (the
 * `reply` priority, ahead of any alert backlog, unless it says otherwise: live output is
 * `bulk`), and any send that has to wait for a retry releases the chat, so the next command
 * in it is handled meanwhile.
 */
function releasingOutbox(outbox: Outbox, release: () => void): Outbox {
  const opts = <T extends SendOptions>(o: T | undefined): T =>
    ({
      priority: "reply",
      ...o,
      onWaiting: () => {
        o?.onWaiting?.();
        release();
      },
    }) as T;
  return {
    ...outbox,
    send: (chatId, text, o) => outbox.send(chatId, text, opts(o)),
    edit: (chatId, messageId, text, o) => outbox.edit(chatId, messageId, text, opts(o)),
    document: (chatId, name, content, caption, o) => outbox.document(chatId, name, content, caption, opts(o)),
    photo: (chatId, png, name, caption, o) => outbox.photo(chatId, png, name, caption, opts(o)),
    editPhoto: (chatId, id, png, name, caption, o) =>
      outbox.editPhoto(chatId, id, png, name, caption, opts(o)),
  };
}

/** The features' commands by name, their buttons and text hooks; a name used twice is a bug. */
function routeTable(features: readonly Feature[]) {
  const commands = new Map<string, CommandSpec>();
  for (const c of features.flatMap((f) => f.commands)) {
    if (commands.has(c.name)) throw new Error(`two features define /${c.name}`);
    commands.set(c.name, c);
  }
  const callbacks: readonly CallbackSpec[] = features.flatMap((f) => f.callbacks);
  const textHooks: readonly TextHook[] = features.flatMap((f) => f.textHooks ?? []);
  return { commands, callbacks, textHooks };
}

export function createRouter(deps: RouterDeps) {
  const { access, log } = deps;
  const routes = routeTable(deps.features);

  async function deny(outbox: Outbox, chatId: number, user: { id: number }, what: string) {
    log.warn("access denied", { user: user.id, chat: chatId, what });
    if (access.shouldTellDenied(user.id)) {
      await outbox.send(chatId, `Not authorized. Your Telegram user id is ${user.id}.`);
    }
  }

  async function onMessage(message: TelegramMessage, outbox: Outbox) {
    const from = message.from;
    // Ignore what no operator typed here: bots, forwards, service messages, non-text.
    if (!from || from.is_bot || message.forward_origin || message.sender_chat) return;
    if (typeof message.text !== "string") return;
    const chatId = message.chat.id;
    const command = parseCommand(message.text);
    const isPrivate = message.chat.type === "private";
    if (command?.mention && command.mention.toLowerCase() !== deps.botUsername().toLowerCase()) return;
    const role = access.roleOf(from.id);
    if (!role) {
      // In a group, only commands provoke the answer; chatter is not ours to judge.
      // Metric labels come from a fixed set: a stranger's text must never become a series.
      if (command) deps.onCommand?.(routes.commands.has(command.name) ? command.name : "other", "denied");
      if (command || isPrivate) await deny(outbox, chatId, from, command ? `/${command.name}` : "text");
      return;
    }
    let outcome = "ok";
    const ctx: CommandContext = {
      chatId,
      chatType: message.chat.type,
      user: { id: from.id, name: nameOf(from) },
      role,
      args: command?.args ?? "",
      messageId: message.message_id,
      outbox,
      reply: (text, options) => outbox.send(chatId, text, options),
      usage: (text, options) => {
        outcome = "usage";
        return outbox.send(chatId, text, options);
      },
    };
    if (!command) {
      for (const hook of routes.textHooks) if (await hook({ ...ctx, text: message.text })) return;
      if (isPrivate) await ctx.reply("I only understand commands. /help lists them.");
      return;
    }
    const spec = routes.commands.get(command.name);
    if (!spec) {
      deps.onCommand?.("other", "unknown");
      if (isPrivate || command.mention)
        await ctx.reply(`Unknown command /${command.name}. /help lists what you can use.`);
      return;
    }
    if (!allows(role, spec.role)) {
      deps.onCommand?.(spec.name, "forbidden");
      await ctx.reply(`/${spec.name} needs the admin role; you are a viewer.`);
      return;
    }
    log.info("command", { command: spec.name, user: from.id, chat: chatId });
    try {
      await spec.run(ctx);
      deps.onCommand?.(spec.name, outcome);
    } catch (error) {
      deps.onCommand?.(spec.name, "error");
      throw error;
    }
  }

  async function onCallback(query: TelegramCallbackQuery, outbox: Outbox) {
    const chatId = query.message?.chat.id ?? query.from.id;
    const role = access.roleOf(query.from.id);
    if (!role) {
      log.warn("access denied", { user: query.from.id, chat: chatId, what: "button" });
      void outbox.answer(query.id, "Not authorized.");
      return;
    }
    const raw = query.data ?? "";
    const spec = routes.callbacks.find((c) => c.matches(raw));
    const data = spec?.decode(raw);
    if (!spec || data === undefined) {
      log.debug("button not understood (stale or forged)", {
        user: query.from.id,
        chat: chatId,
        data: raw.slice(0, 64),
      });
      void outbox.answer(query.id, "This button has expired.");
      return;
    }
    if (!allows(role, spec.role)) {
      void outbox.answer(query.id, "Only admins may do that.");
      return;
    }
    let answered = false;
    const messageId = query.message?.message_id ?? 0;
    const ctx: CallbackContext = {
      chatId,
      chatType: query.message?.chat.type ?? "private",
      user: { id: query.from.id, name: nameOf(query.from) },
      role,
      messageId,
      outbox,
      reply: (text, options) => outbox.send(chatId, text, options),
      edit: (text, options) => outbox.edit(chatId, messageId, text, options),
      answer: async (text) => {
        answered = true;
        // Not awaited: an answer that must be retried never holds up the chat.
        void outbox.answer(query.id, text);
      },
    };
    try {
      await spec.run(ctx, data);
    } finally {
      if (!answered) void outbox.answer(query.id);
    }
  }

  return async function handle(update: TelegramUpdate, release: () => void = () => {}): Promise<void> {
    const outbox = releasingOutbox(deps.outbox, release);
    try {
      if (update.message) await onMessage(update.message, outbox);
      else if (update.callback_query) await onCallback(update.callback_query, outbox);
      // Edited messages, channel posts and everything else are ignored on purpose.
    } catch (error) {
      log.error("handler failed", { update: update.update_id, error });
      const chatId = update.message?.chat.id ?? update.callback_query?.message?.chat.id;
      if (chatId !== undefined) {
        await outbox.send(
          chatId,
          isStorageFailure(error)
            ? `That could not be done: the bot cannot write to its state directory (disk full or failing). Commands that only read still work. (ref ${update.update_id})`
            : `Something went wrong handling that (ref ${update.update_id}). The details are in the bot's log.`,
        );
      }
    }
  };
}
