/**
 * The one redactor: every log line, every message and caption the bot sends, every document
 * and every line of script output passes through it. Known secrets (the bot token, the secret
 * key, Plume headers, access tokens) are replaced wherever they appear, in their plain, URL-
 * and base64-encoded forms; a `Basic` header also in its decoded `client:secret` form and its
 * parts. Shapes that look like credentials are replaced even when nobody registered them.
 * Config patterns (`redact:`) and per-run secrets come on top through `with`.
 */
export interface Redactor {
  /** Registers a secret and its derived forms; values shorter than 6 characters are ignored. */
  add(secret: string | undefined): void;
  redact(text: string): string;
  /** Where `redact` would mask, as sorted, non-overlapping [start, end) ranges. */
  ranges(text: string): [number, number][];
  /** The secrets as registered (not their derived forms): for filtering child environments. */
  values(): string[];
  /** This redactor plus per-run secrets and patterns (global regexes); registrations on this one still apply. */
  with(extra: { secrets?: readonly string[]; patterns?: readonly RegExp[] }): Redactor;
}

export const MASK = "[redacted]";
const MIN_LENGTH = 6;

/** Unregistered shapes: the match is masked after the prefix group, if the shape has one. */
const SHAPES: RegExp[] = [
  /(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}/g, // Telegram bot token, also inside ".../bot<token>/getMe"
  /(\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi, // HTTP credentials
  /((?:\\?")?(?:access_token|client_secret|password|wpaKey|encryptionKey)(?:\\?")?\s*[:=]\s*(?:\\?")?)[^"\\\s,&}]+/gi,
];

const base64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

function decodeBasic(b64: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
  const decoded = Buffer.from(b64, "base64").toString("utf8");
  // Only a printable "id:secret" counts: random base64 decodes to noise.
  return /^[\x21-\x7e]+:[\x20-\x7e]+$/.test(decoded) ? decoded : undefined;
}

/** A secret and the forms it can take in text: plain, URL-encoded, base64 (std, url, unpadded). */
export function derivedForms(secret: string, minLength = MIN_LENGTH): string[] {
  const forms = new Set<string>();
  const add = (s: string | undefined) => {
    if (!s || s.length < minLength) return;
    forms.add(s);
    forms.add(encodeURIComponent(s));
  };
  add(secret);
  const b = base64(secret);
  for (const form of [b, b.replace(/=+$/, ""), b.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")])
    if (form.length >= minLength) forms.add(form);
  // "Basic <base64>" or the bare base64 of "client:secret": the decoded pair and its parts.
  const basic = /^\s*(?:Basic\s+)?([A-Za-z0-9+/]+={0,2})\s*$/i.exec(secret)?.[1];
  const decoded = basic ? decodeBasic(basic) : undefined;
  if (basic && decoded) {
    add(basic);
    add(decoded);
    const colon = decoded.indexOf(":");
    add(decoded.slice(0, colon));
    add(decoded.slice(colon + 1));
  }
  add(/^\s*Bearer\s+(\S+)\s*$/i.exec(secret)?.[1]);
  return [...forms];
}

function merge(ranges: [number, number][]): [number, number][] {
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: [number, number][] = [];
  for (const r of ranges) {
    const last = out.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** Replaces each range with MASK. */
export function applyRanges(text: string, ranges: readonly [number, number][]): string {
  if (!ranges.length) return text;
  let out = "";
  let at = 0;
  for (const [start, end] of ranges) {
    out += text.slice(at, start) + MASK;
    at = end;
  }
  return out + text.slice(at);
}

function build(
  registered: Set<string>,
  forms: () => string[],
  extraSecrets: readonly string[],
  patterns: readonly RegExp[],
): Redactor {
  // Per-run secrets (a script's secret_env values) count from 4 characters.
  const extraForms = extraSecrets.flatMap((s) => derivedForms(s, 4)).sort((a, b) => b.length - a.length);
  const ranges = (text: string): [number, number][] => {
    const found: [number, number][] = [];
    for (const secret of [...forms(), ...extraForms]) {
      for (let i = text.indexOf(secret); i >= 0; i = text.indexOf(secret, i + secret.length))
        found.push([i, i + secret.length]);
    }
    for (const re of [...SHAPES, ...patterns]) {
      for (const m of text.matchAll(re)) {
        if (m[0].length === 0) continue;
        const prefix =
          re.source.startsWith("(") && typeof m[1] === "string" && SHAPES.includes(re) ? m[1].length : 0;
        found.push([(m.index ?? 0) + prefix, (m.index ?? 0) + m[0].length]);
      }
    }
    return merge(found);
  };
  const self: Redactor = {
    add(secret) {
      if (!secret || secret.length < MIN_LENGTH) return;
      registered.add(secret);
    },
    ranges,
    redact: (text) => applyRanges(text, ranges(text)),
    values: () => [...registered, ...extraSecrets],
    with: (extra) =>
      build(
        registered,
        forms,
        [...extraSecrets, ...(extra.secrets ?? [])],
        [...patterns, ...(extra.patterns ?? [])],
      ),
  };
  return self;
}

export function createRedactor(initial: Iterable<string | undefined> = []): Redactor {
  const registered = new Set<string>();
  let cache: { size: number; forms: string[] } = { size: -1, forms: [] };
  // Longest first, so a secret containing another is masked whole (ranges also merge).
  const forms = () => {
    if (cache.size !== registered.size) {
      const all = [...registered].flatMap((s) => derivedForms(s));
      cache = { size: registered.size, forms: [...new Set(all)].sort((a, b) => b.length - a.length) };
    }
    return cache.forms;
  };
  const redactor = build(registered, forms, [], []);
  for (const s of initial) redactor.add(s);
  return redactor;
}
