import { afterEach, describe, expect, test } from "bun:test";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type LocalBotApi, startLocalBotApi } from "../../src/console/local-api/server.ts";
import { ADMIN } from "../support/harness.ts";
import { SCRIPTS } from "../support/runner-kit.ts";

/**
 * What a configured script can read of the bot's secrets, with the bot running as an
 * unprivileged user (root could read anything): not its environment through /proc (the bot
 * is not dumpable), and nothing of the systemd credentials it was handed.
 */

const ROOT = resolve(import.meta.dir, "../..");
const isRoot = process.getuid?.() === 0;
const hasSetpriv = Bun.spawnSync(["sh", "-c", "command -v setpriv"]).exitCode === 0;
if (!isRoot || !hasSetpriv)
  console.warn("secrets tests skipped: they need root and setpriv to run the bot as nobody");
const NOBODY = 65534;
const SECRET_KEY = Buffer.from(new Uint8Array(32).fill(7)).toString("base64");

let api: LocalBotApi | undefined;
let proc: Bun.Subprocess | undefined;
let base = "";
afterEach(async () => {
  proc?.kill("SIGKILL");
  await proc?.exited;
  await api?.stop();
  if (base) rmSync(base, { recursive: true, force: true });
});

/** The real bot as user nobody; `env` gets the local Bot API (for its token). */
function startAsNobody(env: (api: LocalBotApi) => Record<string, string>): LocalBotApi {
  const local = startLocalBotApi();
  api = local;
  local.openChat(ADMIN.id, ADMIN);
  base = mkdtempSync(join("/var/tmp", "octopus-secrets-"));
  chownSync(base, NOBODY, NOBODY);
  writeFileSync(
    join(base, "config.yaml"),
    `telegram:\n  admins: [${ADMIN.id}]\none_time_scripts:\n  - { name: peek, path: ${SCRIPTS}/peek.sh }\n`,
  );
  const asNobody = ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups"];
  proc = Bun.spawn([...asNobody, process.execPath, join(ROOT, "src/main.ts"), "run"], {
    cwd: base,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: base,
      CONFIG_FILE: join(base, "config.yaml"),
      OCTOPUS_STATE_DIR: join(base, "state"),
      TELEGRAM_API_URL: local.url,
      ...env(local),
    },
    stdout: "ignore",
    stderr: "ignore",
  });
  return local;
}

async function peek(a: LocalBotApi): Promise<string> {
  a.userSays(ADMIN.id, ADMIN, "/run peek");
  const done = await a.waitFor(
    (e) => (e.type === "edit" || e.type === "message") && e.message.text.includes("parent environ"),
    15_000,
  );
  if (done.type !== "edit" && done.type !== "message") throw new Error("unexpected");
  return done.message.text;
}

describe("secrets and the scripts the bot runs", () => {
  test.skipIf(!isRoot || !hasSetpriv)(
    "a script cannot read the bot's environment through /proc: the bot is not dumpable",
    async () => {
      // The token in the bot's own environment (the EnvironmentFile= setup).
      const a = startAsNobody((local) => ({ TELEGRAM_TOKEN: local.token, OCTOPUS_SECRET_KEY: SECRET_KEY }));
      const token = a.token;
      const text = await peek(a);
      expect(text).toContain("parent environ unreadable");
      expect(text).not.toContain(token);
      expect(text).not.toContain(SECRET_KEY);
      expect(text).not.toContain("TELEGRAM_TOKEN");
    },
    30_000,
  );

  test.skipIf(!isRoot || !hasSetpriv)(
    "systemd credentials: the bot reads its token from $CREDENTIALS_DIRECTORY; scripts see neither it nor the directory",
    async () => {
      const creds = mkdtempSync(join("/var/tmp", "octopus-creds-"));
      try {
        const a = startAsNobody((local) => {
          writeFileSync(
            join(creds, "octopus.env"),
            `# as installed\nTELEGRAM_TOKEN=${local.token}\nOCTOPUS_SECRET_KEY="${SECRET_KEY}"\n`,
            { mode: 0o600 },
          );
          chownSync(creds, NOBODY, NOBODY);
          chownSync(join(creds, "octopus.env"), NOBODY, NOBODY);
          return { CREDENTIALS_DIRECTORY: creds };
        });
        const text = await peek(a);
        expect(text).not.toContain(a.token);
        expect(text).not.toContain(SECRET_KEY);
        expect(text).not.toContain("CREDENTIALS_DIRECTORY");
        expect(text).not.toContain(creds);
      } finally {
        rmSync(creds, { recursive: true, force: true });
      }
    },
    30_000,
  );
});
