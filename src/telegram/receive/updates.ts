import type { TelegramUpdate } from "gramio";
import type { Result } from "../../shared/result.ts";

/**
 * Checks what getUpdates returned before anything trusts it (pure). The result must be an
 * array; each item must be an object with a non-negative integer `update_id`. A bad item is
 * skipped (and described for the log) while the good ones are kept; an id that can still be
 * read from a bad item (a numeric string) moves the offset past it, so it is not fetched again.
 */

export interface ParsedUpdates {
  updates: TelegramUpdate[];
  skipped: { index: number; why: string }[];
  /** One past the highest id seen, good or bad; undefined when none could be read. */
  nextOffset: number | undefined;
}

const isId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

export function parseUpdates(result: unknown): Result<ParsedUpdates, string> {
  if (!Array.isArray(result)) {
    const shape = result === null ? "null" : typeof result;
    return { ok: false, error: `getUpdates returned ${shape}, not a list of updates` };
  }
  const updates: TelegramUpdate[] = [];
  const skipped: ParsedUpdates["skipped"] = [];
  let highest = -1;
  result.forEach((item: unknown, index) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      skipped.push({ index, why: `item is ${item === null ? "null" : typeof item}` });
      return;
    }
    const id = (item as { update_id?: unknown }).update_id;
    if (isId(id)) {
      updates.push(item as TelegramUpdate);
      highest = Math.max(highest, id);
      return;
    }
    const readable = typeof id === "string" && /^\d{1,15}$/.test(id) ? Number(id) : undefined;
    if (readable !== undefined) highest = Math.max(highest, readable);
    skipped.push({
      index,
      why: `update_id is ${id === undefined ? "missing" : JSON.stringify(id).slice(0, 40)}`,
    });
  });
  return { ok: true, value: { updates, skipped, nextOffset: highest >= 0 ? highest + 1 : undefined } };
}
