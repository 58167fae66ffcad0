import type { TelegramMessageEntity, TelegramUpdate } from "gramio";

/**
 * The in-memory world of the local Bot API: chats, the messages the bot sent, the updates
 * waiting for the bot, and a log of every bot call (so tests can assert what Telegram saw).
 */

export interface LocalUser {
  id: number;
  first_name: string;
  username?: string;
  is_bot?: boolean;
}

export interface LocalChat {
  id: number;
  type: "private" | "group" | "supergroup";
  title?: string;
  /** Set once the group has been migrated: calls to the old id answer 400 with this id. */
  migratedTo?: number;
}

export interface BotMessage {
  chatId: number;
  messageId: number;
  text: string;
  entities: TelegramMessageEntity[];
  keyboard?:
    | { text: string; callback_data?: string; url?: string; web_app?: { url: string } }[][]
    | undefined;
  document?: { fileName: string; path?: string; size: number; content: Uint8Array };
  /** A photo as uploaded (a chart): its bytes, to check they are a PNG of the right size. */
  photo?: { fileName: string; size: number; content: Uint8Array };
  caption?: string;
  silent: boolean;
  replyTo?: number;
  /** Sent with ForceReply: the placeholder of the reply field it opens. */
  forceReply?: string;
  deleted: boolean;
  edits: number;
}

/** One call the bot made, as the server saw it. */
export interface CallRecord {
  method: string;
  chatId?: number;
  at: number;
  ok: boolean;
  code?: number;
}

/** What a client (console or test) sees happen: a new bot message, an edit, a deletion, a toast. */
export type BotEvent =
  | { seq: number; type: "message" | "edit"; message: BotMessage }
  | { seq: number; type: "delete"; chatId: number; messageId: number }
  | { seq: number; type: "answer"; callbackQueryId: string; text?: string };

export interface LocalState {
  nextUpdateId: number;
  nextMessageId: Map<number, number>;
  updates: TelegramUpdate[];
  chats: Map<number, LocalChat>;
  messages: Map<string, BotMessage>;
  /** Messages users sent (bots may delete them in private chats), key `chat:message`. */
  userMessages: Set<string>;
  calls: CallRecord[];
  events: BotEvent[];
  commands: Map<string, { command: string; description: string }[]>;
  /** Set by setWebhook: getUpdates then answers 409, as Telegram does, until deleteWebhook. */
  webhook: string | undefined;
}

export function createLocalState(): LocalState {
  return {
    // Monotonic across console sessions, as Telegram's ids are for one bot.
    nextUpdateId: Date.now(),
    nextMessageId: new Map(),
    updates: [],
    chats: new Map(),
    messages: new Map(),
    webhook: undefined,
    userMessages: new Set(),
    calls: [],
    events: [],
    commands: new Map(),
  };
}

export const messageKey = (chatId: number, messageId: number) => `${chatId}:${messageId}`;

export function nextMessageId(state: LocalState, chatId: number): number {
  const id = (state.nextMessageId.get(chatId) ?? 0) + 1;
  state.nextMessageId.set(chatId, id);
  return id;
}
