import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startLocalBotApi } from "../../src/console/local-api/server.ts";
import { ADMIN } from "../support/harness.ts";

const ROOT = resolve(import.meta.dir, "../..");
const isRoot = process.getuid?.() === 0;
const hasUnshare = Bun.spawnSync(["sh", "-c", "command -v unshare && command -v setpriv"]).exitCode === 0;
let binary = "";

beforeAll(() => {
  // The real `make build`, into a folder of its own.
  const out = join(mkdtempSync(join(tmpdir(), "octopus-build-")), "octopus");
  const build = Bun.spawnSync(["make", "--no-print-directory", "build", `OUT=${out}`], { cwd: ROOT });
  if (build.exitCode !== 0) throw new Error(build.stderr.toString());
  // Alone in an empty folder: nothing from the source tree can be found from here.
  const alone = mkdtempSync(join(tmpdir(), "octopus-alone-"));
  binary = join(alone, "octopus");
  copyFileSync(out, binary);
  Bun.spawnSync(["chmod", "+x", binary]);
}, 60_000);

const api = startLocalBotApi();
afterAll(async () => {
  await api.stop();
});

function folder(config: string) {
  const dir = mkdtempSync(join(tmpdir(), "octopus-bin-"));
  writeFileSync(join(dir, "config.yaml"), config);
  return dir;
}
const CONFIG = `telegram:\n  admins: [${ADMIN.id}]\nmonitored_devices:\n  - { name: root, path: / }\n`;

async function answersHelp(argv: string[], env: Record<string, string>) {
  const proc = Bun.spawn(argv, {
    env: { PATH: "/usr/bin:/bin", TELEGRAM_TOKEN: api.token, TELEGRAM_API_URL: api.url, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    const before = api.state.calls.filter((c) => c.method === "setMyCommands").length;
    for (
      let i = 0;
      i < 500 && api.state.calls.filter((c) => c.method === "setMyCommands").length === before;
      i++
    )
      await Bun.sleep(20);
    const since = api.state.events.length;
    api.userSays(ADMIN.id, ADMIN, "/help");
    const reply = await api.waitFor(
      (e) => e.type === "message" && e.message.chatId === ADMIN.id,
      10_000,
      since,
    );
    return reply.type === "message" ? reply.message.text : "";
  } finally {
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  }
}

describe("the compiled binary, alone in an empty folder", () => {
  test("--version has the version and the git commit baked in", () => {
    const out = Bun.spawnSync([binary, "--version"]).stdout.toString();
    const commit = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: ROOT })
      .stdout.toString()
      .trim();
    expect(out).toMatch(new RegExp(`^octopus \\d+\\.\\d+\\.\\d+ \\(commit ${commit}, bun 1\\.4\\.\\d+\\)`));
  });

  test("check-config, status --json and run work with nothing but a config (migrations inside)", async () => {
    const dir = folder(CONFIG);
    const check = Bun.spawnSync([binary, "check-config", join(dir, "config.yaml")], { cwd: dir });
    expect(check.exitCode).toBe(0);
    const status = Bun.spawnSync([binary, "status", "--json"], {
      cwd: dir,
      env: { CONFIG_FILE: join(dir, "config.yaml") },
    });
    expect(JSON.parse(status.stdout.toString()).devices[0].name).toBe("root");
    const help = await answersHelp([binary, "run"], {
      CONFIG_FILE: join(dir, "config.yaml"),
      OCTOPUS_STATE_DIR: join(dir, "state"),
    });
    expect(help).toContain("Commands (admin)");
    expect(statSync(join(dir, "state", "octopus.db")).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, "state", "octopus.lock"))).toBe(false);
  }, 30_000);

  test.skipIf(!isRoot || !hasUnshare)(
    "runs under the unit's hardening: read-only system and home, only the state directory writable, private /tmp, no new privileges",
    async () => {
      // Everything under /var/tmp: the private /tmp inside hides the real one.
      const base = join("/var/tmp", `octopus-hardened-${process.pid}`);
      const state = join(base, "state");
      mkdirSync(state, { recursive: true, mode: 0o700 });
      writeFileSync(join(base, "config.yaml"), CONFIG);
      const staged = join(base, "octopus");
      copyFileSync(binary, staged);
      Bun.spawnSync(["chmod", "+x", staged]);
      const script = [
        "set -e",
        `mount --bind ${state} ${state}`,
        // ProtectSystem=strict: the whole tree read-only but the state directory.
        "mount -o remount,bind,ro /",
        // PrivateTmp and ProtectHome=read-only.
        "mount -t tmpfs tmpfs /tmp",
        "if [ -d /root ]; then mount --bind -o ro /root /root; fi",
        // NoNewPrivileges.
        `exec setpriv --no-new-privs env OCTOPUS_STATE_DIR=${state} CONFIG_FILE=${base}/config.yaml TELEGRAM_TOKEN="$TELEGRAM_TOKEN" TELEGRAM_API_URL="$TELEGRAM_API_URL" ${staged} run`,
      ].join("\n");
      const help = await answersHelp(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
        {},
      );
      expect(help).toContain("Commands (admin)");
      expect(existsSync(join(state, "octopus.db"))).toBe(true);
    },
    30_000,
  );
});
