import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";

export type KeyPath = ReadonlyArray<string | number>;

export interface Position {
  line: number;
  column: number;
}

/** `one_time_scripts[0].timeout` from `["one_time_scripts", 0, "timeout"]`. */
export function formatKeyPath(path: KeyPath): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${key}` : key;
  }
  return out;
}

function keyOf(node: unknown): unknown {
  return isScalar(node) ? node.value : node;
}

/**
 * Finds where a key path sits in the YAML source. `atKey` points at the key itself (for an
 * unknown key) instead of its value. A path that runs out (a missing key) resolves to the
 * deepest node that exists, which is where the operator has to add it.
 */
export function locate(doc: Document, lines: LineCounter, path: KeyPath, atKey = false): Position {
  let node: Node | null | undefined = doc.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => String(keyOf(p.key)) === String(segment));
      if (!pair) break;
      const keyNode = pair.key as Node | null;
      if (last && atKey) {
        offset = keyNode?.range?.[0] ?? offset;
        break;
      }
      node = pair.value as Node | null;
      offset = node?.range?.[0] ?? keyNode?.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
