import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { type LocalBotApi, startLocalBotApi } from "../../src/console/local-api/server.ts";
import { canUseMountNamespace, spawnBot, tmpfsWrap } from "../support/bot-process.ts";
import { ADMIN } from "../support/harness.ts";

/**
 * The disk fill forecast end to end: a 20 MB tmpfs in the bot's own mount namespace, filled at
 * a steady 2 MB a second while the bot checks every second, until /status says when it will be
 * full and the predictive alert fires. Needs root and unshare.
 */

let api: LocalBotApi | undefined;
let bot: ReturnType<typeof spawnBot> | undefined;
afterEach(async () => {
  bot?.proc.kill("SIGKILL");
  await bot?.proc.exited;
  bot = undefined;
  await api?.stop();
  api = undefined;
});

const textOf = (e: Parameters<Parameters<LocalBotApi["waitFor"]>[0]>[0]) =>
  e.type === "message" || e.type === "edit" ? e.message.text : "";

describe("a disk filling at a steady rate", () => {
  test.skipIf(!canUseMountNamespace)(
    "/status shows 'full in' and the predictive alert fires",
    async () => {
      api = startLocalBotApi();
      api.openChat(ADMIN.id, ADMIN);
      const base = mkdtempSync(join("/var/tmp", "octopus-forecast-"));
      const data = join(base, "data");
      mkdirSync(data);
      const config = `
telegram:
  admins: [${ADMIN.id}]
monitored_devices:
  - { name: data, path: ${data}, alert_threshold: 99, critical_threshold: 100 }
alerts:
  check: "* * * * * *"
  for: 1
  disk_full_within: 1h
history:
  forecast_min_span: 4s
`;
      bot = spawnBot(api, config, {
        configDir: base,
        stateDir: join(base, "state"),
        wrap: tmpfsWrap(data, "size=20m"),
      });
      await bot.ready();
      // The tmpfs is only visible inside the bot's namespace: reach it through its /proc root.
      const inside = `/proc/${bot.proc.pid}/root${data}/filler`;
      const block = new Uint8Array(256 * 1024);
      let written = 0;
      const filler = setInterval(() => {
        if (written < 18 * 1024 * 1024) {
          appendFileSync(inside, block);
          written += block.byteLength;
        }
      }, 125);
      try {
        const alert = await api.waitFor(
          (e) => textOf(e).startsWith("⚠️ WARN forecast:disk:data full in"),
          20_000,
        );
        expect(textOf(alert)).toMatch(/^⚠️ WARN forecast:disk:data full in ~\d+ min \(\+\d+\.\d\d %\/h\)/);
        api.userSays(ADMIN.id, ADMIN, "/status");
        const status = await api.waitFor((e) => e.type === "message" && textOf(e).startsWith("🖥"), 10_000);
        expect(textOf(status)).toMatch(/\ndata {5}[ ▁▂▃▄▅▆▇█]{16} full in ~\d+ min\n/);
      } finally {
        clearInterval(filler);
      }
    },
    40_000,
  );
});
