/** Where a CLI command writes: injected so tests capture it and main passes the real streams. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * Under systemd (JOURNAL_STREAM set) journald reads a `<N>` syslog priority at the start of
 * each line: errors printed before the logger exists (a broken config at start) must carry
 * `<3>`, or `journalctl -p warning` never shows why the service failed. Every line of a
 * multi-line message gets the prefix (journald reads each line as its own entry).
 */
export function journalIo(io: CliIo, journal: boolean): CliIo {
  if (!journal) return io;
  const prefixed = (text: string) =>
    text
      .split("\n")
      .map((line) => `<3>${line}`)
      .join("\n");
  return { out: io.out, err: (text) => io.err(prefixed(text)) };
}
