/**
 * What the console prints, on a terminal: a message that is edited while it is the last
 * thing on the screen is redrawn in place (cursor up over its rows, clear, print again), so a
 * live run stays one message instead of one copy per edit. The prompt line (with whatever
 * the user has typed) is cleared before anything is printed and drawn again after.
 */

export interface TerminalOut {
  write(text: string): void;
  /** The terminal's size now (it can be resized). */
  columns(): number;
  rows(): number;
}

/** Screen rows `text` takes on a terminal `columns` wide (a wide character counts two). */
export function rowsOf(text: string, columns: number): number {
  return text
    .split("\n")
    .reduce((n, line) => n + Math.max(1, Math.ceil(Bun.stringWidth(line) / Math.max(1, columns))), 0);
}

export function createScreen(out: TerminalOut, redrawPrompt: () => void) {
  /** The last block printed, while nothing has been printed after it. */
  let last: { messageId: number; rows: number } | undefined;
  const CLEAR_LINE = "\r\x1b[2K";

  function print(text: string, messageId?: number) {
    const block = `${text}\n`;
    out.write(CLEAR_LINE + block);
    const rows = rowsOf(text, out.columns());
    last = messageId === undefined ? undefined : { messageId, rows };
    redrawPrompt();
  }

  return {
    /** A line of the console's own. */
    note: (text: string) => print(text),
    /** A new message. */
    message: (messageId: number, text: string) => print(text, messageId),
    /** An edited message: in place when it is the last block and still fully on the screen. */
    edit(messageId: number, text: string) {
      if (last?.messageId === messageId && last.rows < out.rows()) {
        out.write(`${CLEAR_LINE}\x1b[${last.rows}A\x1b[J`);
        print(text, messageId);
      } else print(text, messageId);
    },
  };
}

export type Screen = ReturnType<typeof createScreen>;
