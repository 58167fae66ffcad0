import { describe, expect, test } from "bun:test";
import { createManualClock } from "../../src/shared/clock.ts";
import { createLogger, formatLogLine } from "../../src/shared/log.ts";
import { createRedactor } from "../../src/shared/redact.ts";

const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ";

function capture(journal: boolean, secrets: string[] = []) {
  const lines: string[] = [];
  const logger = createLogger({
    level: "info",
    journal,
    sinks: [(l) => lines.push(l)],
    redactor: createRedactor(secrets),
    clock: createManualClock(Date.UTC(2026, 10, 22, 3, 0, 0)),
  });
  return { lines, logger };
}

describe("logger", () => {
  test("one line per event: LEVEL component: message key=value", () => {
    expect(
      formatLogLine("warn", "poller", "Bot API unreachable", { attempt: 3, reason: "connect refused" }),
    ).toBe('WARN poller: Bot API unreachable attempt=3 reason="connect refused"');
  });

  test("timestamps on a terminal, syslog priorities and no timestamp under journald", () => {
    const plain = capture(false);
    plain.logger.child("bot").error("boom");
    expect(plain.lines).toEqual(["2026-11-22T03:00:00.000Z ERROR bot: boom"]);
    const journal = capture(true);
    journal.logger.info("up");
    journal.logger.warn("slow");
    expect(journal.lines).toEqual(["<6>INFO octopus: up", "<4>WARN octopus: slow"]);
  });

  test("drops levels below the configured one", () => {
    const { lines, logger } = capture(false);
    logger.debug("noise");
    expect(lines).toEqual([]);
  });

  test("never prints a registered secret or a credential shape, whatever a caller passes", () => {
    const { lines, logger } = capture(true, ["s3cr3t-partner-header"]);
    logger.error(`GET https://api.telegram.org/bot${TOKEN}/getMe failed`, {
      header: "Basic s3cr3t-partner-header",
      auth: "Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
      body: '{"access_token":"abcdefghijkl","expires_in":600}',
      error: new Error(`token ${TOKEN} rejected`, { cause: new Error("s3cr3t-partner-header") }),
    });
    const line = lines.join("\n");
    expect(line).not.toContain(TOKEN);
    expect(line).not.toContain("s3cr3t-partner-header");
    expect(line).not.toContain("eyJhbGciOiJIUzI1NiJ9");
    expect(line).not.toContain("abcdefghijkl");
    expect(line).toContain("[redacted]");
    expect(line).toContain("expires_in");
  });

  test("multi-line messages stay on one line", () => {
    const { lines, logger } = capture(true);
    logger.info("a\nb");
    expect(lines).toEqual(["<6>INFO octopus: a\\nb"]);
  });
});
