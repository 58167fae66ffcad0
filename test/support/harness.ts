import type { Database } from "bun:sqlite";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type App, type AppOptions, createApp } from "../../src/app.ts";
import { parseConfig } from "../../src/config/parse.ts";
import { type LocalBotApi, startLocalBotApi } from "../../src/console/local-api/server.ts";
import type { BotMessage, LocalUser } from "../../src/console/local-api/state.ts";
import { createChartPool } from "../../src/features/history/render-pool.ts";
import { createLiveRuns } from "../../src/features/runs/live-runs.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { createLogger, type Logger } from "../../src/shared/log.ts";
import { createRedactor } from "../../src/shared/redact.ts";
import { createSecretBox } from "../../src/storage/crypto.ts";
import { openMemoryDb } from "../../src/storage/db.ts";
import { createSnapshotter } from "../../src/system/snapshot.ts";

export const ADMIN: LocalUser = { id: 1001, first_name: "Ada", username: "ada" };
export const VIEWER: LocalUser = { id: 1002, first_name: "Vic" };
export const STRANGER: LocalUser = { id: 6666, first_name: "Eve" };

export const BASE_CONFIG = `
telegram:
  admins: [${ADMIN.id}]
  viewers: [${VIEWER.id}]
monitored_devices:
  - { name: root, path: / }
`;

/** A captured logger: every line the bot wrote, for assertions. */
/**
 * The harness's send limits: Telegram's shape (bursts, a floor between messages, groups
 * slower than private chats), ten times faster, so a test's conversation is not paced at
 * one message a second. Tests of the limits themselves pass `app.limits` (or TELEGRAM_LIMITS).
 */
export const HARNESS_LIMITS = {
  privateBurst: 10,
  privatePerSecond: 10,
  groupPerMinute: 200,
  globalPerSecond: 300,
};

export function captureLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({
    level: "debug",
    journal: true,
    sinks: [(l) => lines.push(l)],
    redactor: createRedactor(),
    clock: systemClock,
  });
  return { log, lines };
}

export interface Harness {
  api: LocalBotApi;
  stateDir: string;
  app: App;
  db: Database;
  lines: string[];
  /** Messages the bot has in a chat now, oldest first. */
  messagesIn(chatId: number): BotMessage[];
  /** Waits for the next new bot message in a chat and returns it. */
  nextMessage(chatId: number, timeoutMs?: number): Promise<BotMessage>;
  restart(): Promise<void>;
  /** A config reload as SIGHUP does it: runs in flight are left to the replaced app. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(
  yaml = BASE_CONFIG,
  options: { db?: Database; api?: LocalBotApi; stateDir?: string; app?: Partial<AppOptions> } = {},
): Promise<Harness> {
  const parsed = parseConfig(yaml, "/tmp/octopus-test/config.yaml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  const api = options.api ?? startLocalBotApi();
  const db = options.db ?? openMemoryDb();
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "octopus-state-"));
  const { log, lines } = captureLog();
  // Kept across reloads, as serve.ts keeps them.
  const live = createLiveRuns();
  const chartPool = createChartPool();
  const draining: Promise<void>[] = [];
  const secretBox = await createSecretBox(crypto.getRandomValues(new Uint8Array(32)));
  const make = () =>
    createApp({
      config: parsed.value.config,
      db,
      clock: systemClock,
      log,
      token: api.token,
      apiRoot: api.url,
      pollTimeoutSeconds: 2,
      snapshotter: createSnapshotter({ clock: systemClock, sleep: Bun.sleep, firstSampleMs: 20 }),
      stateDir,
      secretBox,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      live,
      chartPool,
      limits: HARNESS_LIMITS,
      ...options.app,
    });
  let app = make();
  // Set before start: messages sent while starting (interrupted-run notices) count as new.
  let cursor = api.state.events.length;
  await app.start();
  const harness: Harness = {
    api,
    stateDir,
    get app() {
      return app;
    },
    db,
    lines,
    messagesIn: (chatId) => [...api.state.messages.values()].filter((m) => m.chatId === chatId && !m.deleted),
    async nextMessage(chatId, timeoutMs = 5000) {
      const e = await api.waitFor(
        (ev) => ev.type === "message" && ev.message.chatId === chatId,
        timeoutMs,
        cursor,
      );
      cursor = e.seq;
      if (e.type !== "message") throw new Error("unexpected event");
      return e.message;
    },
    async restart() {
      await app.stop();
      app = make();
      await app.start();
    },
    async reload() {
      draining.push((await app.stop({ keepRuns: true })).drained);
      app = make();
      await app.start();
    },
    async stop() {
      await app.stop();
      await Promise.all(draining.splice(0));
      if (!options.api) await api.stop();
    },
  };
  return harness;
}
