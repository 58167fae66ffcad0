import type { CallbackData } from "@gramio/callback-data";
import type { Gauge } from "../shared/metrics.ts";
import type { RichText } from "../shared/text.ts";
import type { EditResult, InlineKeyboardRows, Outbox, SendOptions, SendResult } from "./send/outbox.ts";

export type Role = "admin" | "viewer";

/** Admins may do everything a viewer may, and more: the one role check. */
export const allows = (have: Role, need: Role) => have === "admin" || need === "viewer";

/** What a command handler gets: who asked, where, and how to answer (always via the outbox). */
export interface CommandContext {
  chatId: number;
  chatType: string;
  user: { id: number; name: string };
  role: Role;
  /** Everything after the command name, trimmed. */
  args: string;
  /** The message that carried the command (to delete a secret, or to reply to). */
  messageId: number;
  reply(text: RichText | string, options?: SendOptions): Promise<SendResult>;
  /** Replies with how the command is used: the command counts as outcome "usage", not "ok". */
  usage(text: RichText | string, options?: SendOptions): Promise<SendResult>;
  outbox: Outbox;
}

export interface CallbackContext extends Omit<CommandContext, "args" | "usage"> {
  /** Shows a toast (or nothing) and stops the button's spinner. Called for you if you do not. */
  answer(text?: string): Promise<void>;
  edit(text: RichText | string, options?: Omit<SendOptions, "replyTo">): Promise<EditResult>;
}

export interface CommandSpec {
  name: string;
  /** One line for /help and the Telegram menu. */
  description: string;
  role: Role;
  /** Shown on bad arguments: "/run NAME". */
  usage?: string;
  /** Also listed in the Telegram command menu (the default); false for aliases. */
  menu?: boolean;
  /** Listed for a role only when this says so (e.g. /run for a viewer with no viewer script). */
  listedFor?(role: Role): boolean;
  run(ctx: CommandContext): Promise<void>;
}

/**
 * A button route: the codec that packs the button's data where it is made and unpacks it here
 * (one object, imported by both sides), the role it needs, and the handler of the decoded
 * data. Callback data is at most 64 bytes: only short ids, never commands or paths.
 */
export interface CallbackSpec {
  /** Does this data belong to this route? */
  matches(data: string): boolean;
  /** The decoded data, or undefined when it does not decode (an old or forged button). */
  decode(data: string): unknown;
  role: Role;
  run(ctx: CallbackContext, data: unknown): Promise<void>;
}

/** Whether packed button data fits Telegram's limit on callback_data (64 bytes). */
export function fitsCallbackData(data: string): boolean {
  return Buffer.byteLength(data) <= 64;
}

interface FieldSpec {
  key: string;
  type: string;
  enumValues?: readonly unknown[];
}

/**
 * Whether unpacked data has every required field, of its kind: the codec accepts a forged
 * `ch;;cpu;` with the range simply missing, which a handler must never see.
 */
function complete(codec: unknown, data: Record<string, unknown>): boolean {
  const required = (codec as { schema?: { required?: readonly FieldSpec[] } }).schema?.required ?? [];
  return required.every(({ key, type, enumValues }) => {
    const value = data[key];
    if (value === undefined) return false;
    if (type === "enum") return enumValues?.includes(value) ?? false;
    if (type === "number") return typeof value === "number" && Number.isFinite(value);
    return true;
  });
}

/** A route for one codec, typed on both sides. */
export function callbackRoute<T extends Record<string, unknown>>(
  codec: CallbackData<T, Record<string, unknown>>,
  role: Role,
  run: (ctx: CallbackContext, data: T) => Promise<void>,
): CallbackSpec {
  return {
    matches: (data) => codec.filter(data),
    decode: (data) => {
      const r = codec.safeUnpack(data);
      return r.success && complete(codec, r.data) ? r.data : undefined;
    },
    role,
    run: (ctx, data) => run(ctx, data as T),
  };
}

/** A free-text message in a conversation (the /auth flow); returns true if it took the message. */
export type TextHook = (ctx: CommandContext & { text: string }) => Promise<boolean>;

/** The Telegram command menu for a role (setMyCommands): what that role may use. */
/** The commands a role sees listed (in /help and the menu): allowed, and useful to it. */
export function listedFor(commands: readonly CommandSpec[], role: Role): CommandSpec[] {
  return commands.filter((c) => c.menu !== false && allows(role, c.role) && (c.listedFor?.(role) ?? true));
}

export function menuFor(commands: readonly CommandSpec[], role: Role) {
  return listedFor(commands, role).map((c) => ({
    command: c.name,
    description: c.description.slice(0, 256),
  }));
}

/**
 * One thing the bot does (status, runs, alerts, Plume, start/help), as the receiving side of
 * the Telegram boundary sees it. Built after the sending side (features send through the
 * outbox) and before the receiving side, which routes updates to these and nothing else.
 */
export interface Feature {
  readonly name: string;
  readonly commands: readonly CommandSpec[];
  readonly callbacks: readonly CallbackSpec[];
  /** Free text in a conversation (the /auth flow, the credential guard), tried in order. */
  readonly textHooks?: readonly TextHook[];
  /** /cancel: ends this feature's conversation with the user in this chat; says what it ended, or undefined. */
  cancel?(ctx: CommandContext): Promise<string | undefined>;
  /** Buttons this feature puts under /start for a role (one row is built from all of them). */
  startButtons?(role: Role): InlineKeyboardRows[number];
  readonly gauges?: readonly Gauge[];
  /** Starts unattended work (schedules, checks, recovery). */
  start?(): void | Promise<void>;
  /** Stops taking new unattended work; what is in flight goes on until `settle`. */
  stop?(): void;
  /** "finish": waits for work in flight (a reload); "abort": ends it now (a shutdown). */
  settle?(how: "finish" | "abort"): Promise<void>;
}
