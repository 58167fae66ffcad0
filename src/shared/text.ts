import type { TelegramMessageEntity } from "@gramio/types";

/** Text with Telegram entities: user and script text never needs escaping (no parse_mode). */
export interface RichText {
  text: string;
  entities: TelegramMessageEntity[];
}

/** Telegram's message limit, in UTF-16 code units (what JS `length` counts). */
export const MESSAGE_LIMIT = 4096;

export const plain = (text: string): RichText => ({ text, entities: [] });

/** `1 check`, `2 checks`. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * A text built with gramio's `format` (bold, pre, code …) as the RichText every sender takes:
 * the same shape, so there is one way to build formatted text.
 */
export const rich = (f: { text: string; entities?: TelegramMessageEntity[] | undefined }): RichText => ({
  text: f.text,
  entities: f.entities ?? [],
});

/** Concatenates pieces, shifting each piece's entities by the text before it. */
export function joinRich(parts: ReadonlyArray<RichText | string>): RichText {
  let text = "";
  const entities: TelegramMessageEntity[] = [];
  for (const part of parts) {
    const piece = typeof part === "string" ? plain(part) : part;
    for (const e of piece.entities) entities.push({ ...e, offset: e.offset + text.length });
    text += piece.text;
  }
  return { text, entities };
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** Where to cut `text` at or before `max`: the last newline, else the last space, never inside a surrogate pair. */
function cutPoint(text: string, start: number, max: number): number {
  const end = start + max;
  if (end >= text.length) return text.length;
  const newline = text.lastIndexOf("\n", end - 1);
  if (newline >= start + max / 2) return newline + 1;
  const space = text.lastIndexOf(" ", end - 1);
  if (space >= start + max / 2) return space + 1;
  return isHighSurrogate(text.charCodeAt(end - 1)) ? end - 1 : end;
}

/**
 * Splits text into messages of at most `limit` UTF-16 units, preferring line boundaries.
 * An entity that crosses a cut is split into one entity per message, so formatting is
 * never broken (a cut inside an entity is what makes Telegram answer "can't parse entities").
 * Pure; returns at least one part.
 */
export function splitRichText(rich: RichText, limit = MESSAGE_LIMIT): RichText[] {
  if (rich.text.length <= limit) return [rich];
  const parts: RichText[] = [];
  let start = 0;
  while (start < rich.text.length) {
    const end = cutPoint(rich.text, start, limit);
    const entities: TelegramMessageEntity[] = [];
    for (const e of rich.entities) {
      const from = Math.max(e.offset, start);
      const to = Math.min(e.offset + e.length, end);
      if (to > from) entities.push({ ...e, offset: from - start, length: to - from });
    }
    parts.push({ text: rich.text.slice(start, end), entities });
    start = end;
  }
  return parts;
}

/** The first and last lines of a long text, for the summary sent with a .txt document. */
export function headTail(text: string, lines = 5, maxChars = 900): string {
  const all = text.split("\n");
  if (all.length <= lines * 2) return text.slice(0, maxChars);
  const head = all.slice(0, lines).join("\n");
  const tail = all.slice(-lines).join("\n");
  const joined = `${head}\n… ${all.length - lines * 2} more lines …\n${tail}`;
  return joined.length <= maxChars ? joined : `${joined.slice(0, maxChars - 1)}…`;
}

/**
 * Masks the given [start, end) ranges (sorted, non-overlapping) with `mask`, moving entities
 * so they still cover the same text: an entity after a range shifts, one around it stretches
 * or shrinks, and one left empty is dropped.
 */
export function maskRich(rich: RichText, ranges: readonly [number, number][], mask: string): RichText {
  if (!ranges.length) return rich;
  const map = (pos: number, end: boolean) => {
    let shift = 0;
    for (const [start, stop] of ranges) {
      if (pos >= stop) shift += mask.length - (stop - start);
      else if (pos > start || (end && pos === stop)) return start + shift + (end ? mask.length : 0);
      else break;
    }
    return pos + shift;
  };
  let text = "";
  let at = 0;
  for (const [start, stop] of ranges) {
    text += rich.text.slice(at, start) + mask;
    at = stop;
  }
  text += rich.text.slice(at);
  const entities = rich.entities
    .map((e) => {
      const offset = map(e.offset, false);
      return { ...e, offset, length: map(e.offset + e.length, true) - offset };
    })
    .filter((e) => e.length > 0);
  return { text, entities };
}
