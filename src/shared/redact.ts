/**
 * The last line of defence for secrets: every log line and every error text that leaves
 * the process passes through a Redactor. Known secrets (added at runtime: the bot token,
 * Plume credentials, access tokens) are replaced wherever they appear, and shapes that
 * look like credentials are replaced even when nobody registered them.
 */
export interface Redactor {
  /** Registers a secret value; values shorter than 6 characters are ignored (they would redact noise). */
  add(secret: string | undefined): void;
  redact(text: string): string;
}

const MASK = "[redacted]";
const SHAPES: RegExp[] = [
  /(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}/g, // Telegram bot token, also inside ".../bot<token>/getMe"
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, // HTTP credentials
  /((?:\\?")?(?:access_token|client_secret|password|wpaKey|encryptionKey)(?:\\?")?\s*[:=]\s*(?:\\?")?)[^"\\\s,&}]+/gi,
];

export function createRedactor(initial: Iterable<string | undefined> = []): Redactor {
  const secrets = new Set<string>();
  let ordered: string[] = [];
  const add = (secret: string | undefined) => {
    if (!secret || secret.length < 6 || secrets.has(secret)) return;
    secrets.add(secret);
    // Longest first, so a secret containing another is replaced whole.
    ordered = [...secrets].sort((a, b) => b.length - a.length);
  };
  for (const s of initial) add(s);
  return {
    add,
    redact(text) {
      let out = text;
      for (const secret of ordered) {
        if (out.includes(secret)) out = out.split(secret).join(MASK);
      }
      for (const shape of SHAPES) {
        out = out.replace(shape, (match, prefix: unknown) =>
          typeof prefix === "string" && match.startsWith(prefix) && prefix !== match
            ? /^(Bearer|Basic)$/i.test(prefix)
              ? `${prefix} ${MASK}`
              : `${prefix}${MASK}`
            : MASK,
        );
      }
      return out;
    },
  };
}
