import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LocalBotApi } from "./local-api/server.ts";
import type { BotEvent, BotMessage, LocalUser } from "./local-api/state.ts";
import type { Screen } from "./screen.ts";

/**
 * The terminal chat: the operator types as an admin of a private chat with the real bot,
 * through the built-in local Bot API. Replies print as they arrive, edits are redrawn in place
 * on a terminal, documents are saved to one folder (removed on exit unless kept), and inline
 * buttons are numbered: typing the number presses it.
 */

export const CONSOLE_USER: LocalUser = { id: 1, first_name: "console", username: "console" };

export interface ConsoleIo {
  lines: AsyncIterable<string>;
  /** Where output goes: a Screen on a terminal (edits redrawn in place), appended lines otherwise. */
  screen: Pick<Screen, "note" | "message" | "edit">;
}

/** The screen for a pipe: every message and edit appended, as a log of the chat. */
export function appendingScreen(write: (text: string) => void): ConsoleIo["screen"] {
  return {
    note: (text) => write(`${text}\n`),
    message: (_, text) => write(`\n${text}\n`),
    edit: (_, text) => write(`\n${text}\n`),
  };
}

/** Renders one bot event for the terminal and remembers the buttons it showed (pure but for `buttons`). */
export function renderEvent(
  event: BotEvent,
  buttons: { messageId: number; data: string }[],
  saveDir: string,
): string {
  if (event.type === "delete") return `🗑  message #${event.messageId} deleted`;
  if (event.type === "answer") return event.text ? `ℹ️  ${event.text}` : "";
  const m: BotMessage = event.message;
  const head = event.type === "edit" ? `✏️  #${m.messageId} (edited)` : `🐙 #${m.messageId}`;
  let body = m.text;
  if (m.photo) {
    mkdirSync(saveDir, { recursive: true });
    const path = join(saveDir, `${m.messageId}-${m.photo.fileName.replace(/[^\w.-]/g, "_")}`);
    writeFileSync(path, m.photo.content);
    body = `🖼 picture saved to ${path}${m.caption ? `\n${m.caption}` : ""}`;
  }
  if (m.document) {
    mkdirSync(saveDir, { recursive: true });
    const path = join(saveDir, `${m.messageId}-${m.document.fileName.replace(/[^\w.-]/g, "_")}`);
    writeFileSync(path, m.document.content);
    body = `📎 ${m.document.fileName} (${m.document.size} bytes) saved to ${path}${m.caption ? `\n${m.caption}` : ""}`;
  }
  const rows = (m.keyboard ?? []).map((row) =>
    row
      .map((b) => {
        if (!b.callback_data) return `[${b.text}](${b.url ?? ""})`;
        buttons.push({ messageId: m.messageId, data: b.callback_data });
        return `[${buttons.length}] ${b.text}`;
      })
      .join("   "),
  );
  const reply =
    m.forceReply !== undefined ? [`↩️ type your answer${m.forceReply ? ` (${m.forceReply})` : ""}`] : [];
  return [`${head}${m.silent ? " 🔕" : ""}`, body, ...rows, ...reply].join("\n");
}

/** Runs until the input ends; `beforeExit` (stopping the bot, which flushes its outbox) still prints. */
export async function runConsole(
  api: LocalBotApi,
  io: ConsoleIo,
  saveDir: string,
  beforeExit: () => Promise<void>,
): Promise<void> {
  const buttons: { messageId: number; data: string }[] = [];
  let keep = false;
  // The newest message asks for a typed answer (ForceReply): digits are that answer, not a button.
  let answering = false;
  const unsubscribe = api.subscribe((event) => {
    if (event.type === "message") answering = event.message.forceReply !== undefined;
    const text = renderEvent(event, buttons, saveDir);
    if (!text) return;
    if (event.type === "edit") io.screen.edit(event.message.messageId, text);
    else if (event.type === "message") io.screen.message(event.message.messageId, text);
    else io.screen.note(text);
  });
  io.screen.note(
    `Octopus console: you are an admin in a private chat with the bot. Try /help. Ctrl-D exits.\nDocuments the bot sends are saved in ${saveDir}, removed on exit (.keep keeps them).`,
  );
  try {
    for await (const raw of io.lines) {
      const line = raw.trim();
      if (!line) continue;
      if (line.startsWith(".say ")) {
        api.userSays(CONSOLE_USER.id, CONSOLE_USER, line.slice(5).trim());
        continue;
      }
      if (line.startsWith(".")) {
        keep ||= line === ".keep";
        io.screen.note(
          line === ".keep"
            ? `${saveDir} will be kept.`
            : "Console commands: .keep (keep the documents folder on exit), .say TEXT (send TEXT as typed, even digits)",
        );
        continue;
      }
      const number = /^\d+$/.test(line) && !answering ? Number(line) : 0;
      const button = number ? buttons[number - 1] : undefined;
      if (button) api.press(CONSOLE_USER.id, button.messageId, button.data, CONSOLE_USER);
      else if (number) io.screen.note(`No button ${number}.`);
      else api.userSays(CONSOLE_USER.id, CONSOLE_USER, line);
    }
  } finally {
    await beforeExit();
    unsubscribe();
    if (!keep) rmSync(saveDir, { recursive: true, force: true });
  }
}
