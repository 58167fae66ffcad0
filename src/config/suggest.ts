import type { KeyPath } from "./yaml-positions.ts";

type SchemaLike = {
  type?: string;
  entries?: Record<string, unknown>;
  item?: unknown;
  wrapped?: unknown;
  pipe?: unknown[];
};

/** Unwraps optional/nullish/pipe layers to the object or array schema underneath. */
function unwrap(schema: unknown): SchemaLike | undefined {
  let s = schema as SchemaLike | undefined;
  for (let i = 0; s && i < 10; i++) {
    if (s.entries || s.item) return s;
    if (s.wrapped) s = s.wrapped as SchemaLike;
    else if (Array.isArray(s.pipe) && s.pipe[0] !== s) s = s.pipe[0] as SchemaLike;
    else return undefined;
  }
  return undefined;
}

/** The keys an object schema accepts at `path` (the path of the object, not the key). */
export function knownKeys(root: unknown, path: KeyPath): string[] {
  let s = unwrap(root);
  for (const segment of path) {
    if (!s) return [];
    s = unwrap(typeof segment === "number" ? s.item : s.entries?.[segment]);
  }
  return s?.entries ? Object.keys(s.entries) : [];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

/** The closest known key when it is close enough to be a typo (pure). */
export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(unknown.length / 3)) + 1;
  for (const key of known) {
    const d = distance(unknown.toLowerCase(), key);
    if (d < bestDistance) {
      best = key;
      bestDistance = d;
    }
  }
  return best;
}
