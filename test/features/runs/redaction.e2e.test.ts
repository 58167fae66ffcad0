import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN, type Harness, startHarness } from "../../support/harness.ts";

/** Secrets in every form a script might print them, through the real bot: none reaches the chat. */

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const CLIENT = "plume-client-42";
const SECRET = "pl/ume+secret=value";
const HEADER = `Basic ${Buffer.from(`${CLIENT}:${SECRET}`).toString("base64")}`;

describe("script output with the bot's secrets", () => {
  test("encoded, decoded, split by the other stream: masked in the message and in the log document", async () => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-leak-"));
    const script = join(dir, "leak.sh");
    // The token is only known once the local Bot API exists: the script reads it from a file.
    const tokenFile = join(dir, "token");
    writeFileSync(
      script,
      [
        "#!/bin/sh",
        `T=$(cat ${tokenFile})`,
        'echo "plain $T"',
        'echo "url $(printf %s "$T" | sed s/:/%3A/)"',
        'echo "b64 $(printf %s "$T" | base64 -w0)"',
        `echo "header ${HEADER.slice(6)}"`,
        `echo "pair ${CLIENT}:${SECRET}"`,
        // Half the token, a byte on stderr, the other half: the streams have separate lines.
        'printf "split %s" "$(printf %s "$T" | cut -c1-10)"; printf "!" >&2; printf "%s\\n" "$(printf %s "$T" | cut -c11-)"',
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    h = await startHarness(
      `telegram:\n  admins: [${ADMIN.id}]\none_time_scripts:\n  - { name: leak, path: ${script} }\n`,
      {
        app: {
          plumeServer: {
            ssoUrl: "https://example.sso.plume.com/token",
            authHeader: HEADER,
            partnerId: "partner",
          },
        },
      },
    );
    writeFileSync(tokenFile, h.api.token);
    h.api.userSays(ADMIN.id, ADMIN, "/run leak");
    // A quick run: one message, its result.
    const text = (await h.nextMessage(ADMIN.id)).text;
    expect(text).toContain("split");
    for (const leak of [
      h.api.token,
      h.api.token.replace(":", "%3A"),
      Buffer.from(h.api.token).toString("base64"),
      HEADER.slice(6),
      CLIENT,
      SECRET,
    ])
      expect(text).not.toContain(leak);
    expect(text).toContain("plain [redacted]");
    expect(text).toContain("split [redacted]");
    h.api.userSays(ADMIN.id, ADMIN, "/log 1");
    const doc = await h.nextMessage(ADMIN.id);
    const content = new TextDecoder().decode(doc.document?.content);
    expect(content).not.toContain(h.api.token);
    expect(content).not.toContain(SECRET);
    expect(content).toContain("header [redacted]");
  });
});
