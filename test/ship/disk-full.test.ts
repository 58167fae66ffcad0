import { afterEach, describe, expect, test } from "bun:test";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type LocalBotApi, startLocalBotApi } from "../../src/console/local-api/server.ts";
import { canUseMountNamespace, freePort, spawnBot, tmpfsWrap } from "../support/bot-process.ts";
import { ADMIN } from "../support/harness.ts";
import { SCRIPTS } from "../support/runner-kit.ts";

/**
 * A real full disk: the bot's state directory is a small tmpfs in a mount namespace of its
 * own (`unshare -m`), filled through /proc/PID/root while the bot runs. Needs root.
 */

if (!canUseMountNamespace)
  console.warn("disk-full tests skipped: they need root and unshare (a tmpfs in a mount namespace)");

let api: LocalBotApi | undefined;
let bot: ReturnType<typeof spawnBot> | undefined;
afterEach(async () => {
  bot?.proc.kill("SIGKILL");
  await bot?.proc.exited;
  bot = undefined;
  await api?.stop();
  api = undefined;
});

/** Writes into `path` until the filesystem says ENOSPC. */
function fill(path: string) {
  const fd = openSync(path, "w");
  const block = new Uint8Array(64 * 1024);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    closeSync(fd);
  }
}

const textEvent =
  (match: (t: string) => boolean) => (e: Parameters<Parameters<LocalBotApi["waitFor"]>[0]>[0]) =>
    (e.type === "message" || e.type === "edit") && match(e.message.text);

describe("a full state disk", () => {
  test.skipIf(!canUseMountNamespace)(
    "never ends the process: commands are answered, a run reports its unsaved log, the disk alert gets out, and durable mode resumes",
    async () => {
      api = startLocalBotApi();
      api.openChat(ADMIN.id, ADMIN);
      const port = freePort();
      const base = mkdtempSync(join("/var/tmp", "octopus-full-"));
      const state = join(base, "state");
      mkdirSync(state, { mode: 0o700 });
      const config = `
telegram:
  admins: [${ADMIN.id}]
monitored_devices:
  - { name: state, path: ${state}, alert_threshold: 80, critical_threshold: 95 }
alerts:
  check: "* * * * * *"
  for: 1
one_time_scripts:
  - { name: big, path: ${SCRIPTS}/big.sh }
http:
  listen: 127.0.0.1:${port}
`;
      bot = spawnBot(api, config, {
        configDir: base,
        stateDir: state,
        wrap: tmpfsWrap(state, "size=6m,mode=0700"),
      });
      await bot.ready();
      // The tmpfs is only visible inside the bot's namespace: reach it through its /proc root.
      const inside = `/proc/${bot.proc.pid}/root${state}`;
      fill(join(inside, "filler"));

      api.userSays(ADMIN.id, ADMIN, "/status");
      const status = await api.waitFor(
        textEvent((t) => t.includes("state")),
        10_000,
      );
      expect(status.type).toBe("message");

      api.userSays(ADMIN.id, ADMIN, "/run big");
      const ran = await api.waitFor(
        textEvent((t) => t.includes("The log could not be saved")),
        20_000,
      );
      if (ran.type !== "edit" && ran.type !== "message") throw new Error("unexpected");
      expect(ran.message.text).toContain("ENOSPC");
      expect(ran.message.text).toContain("line 200000");

      const alert = await api.waitFor(
        textEvent((t) => /CRIT disk:state 100%/.test(t)),
        15_000,
      );
      expect(alert.type).toBe("message");
      expect(bot.proc.exitCode).toBeNull();

      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
        ok: boolean;
        storage: { failing: { area: string }[] };
      };
      expect(health.ok).toBe(true);
      expect(health.storage.failing.map((f) => f.area)).toContain("inbox");
      expect(bot.output().match(/storage failing: inbox/g)).toHaveLength(1);
      // A run that could not be saved is no proof that the history works again.
      expect(bot.output()).not.toContain("storage works again: run history");

      // Space again: the next update is stored before it is handled, and the log says so.
      rmSync(join(inside, "filler"));
      api.userSays(ADMIN.id, ADMIN, "/whoami");
      await api.waitFor(
        textEvent((t) => t.startsWith("You are Ada")),
        10_000,
      );
      for (let i = 0; i < 100 && !bot.output().includes("storage works again: inbox"); i++)
        await Bun.sleep(50);
      expect(bot.output()).toContain("storage works again: inbox");
      const after = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split("\n");
      expect(after.filter((l) => l.startsWith('octopus_storage_failing{area="inbox"}'))).toEqual([]);

      bot.proc.kill("SIGTERM");
      expect(await bot.proc.exited).toBe(0);
      rmSync(base, { recursive: true, force: true });
    },
    60_000,
  );
});
