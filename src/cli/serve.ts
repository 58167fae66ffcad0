import { type App, createApp } from "../app.ts";
import { loadConfig } from "../config/load.ts";
import type { Config } from "../config/parse.ts";
import { createChartPool } from "../features/history/render-pool.ts";
import { createLiveRuns } from "../features/runs/live-runs.ts";
import { buildInfo } from "../shared/build-info.ts";
import { systemClock } from "../shared/clock.ts";
import { createFileSink, createLogger, type Logger, type LogSink } from "../shared/log.ts";
import { createRedactor, type Redactor } from "../shared/redact.ts";
import { createStorageHealth } from "../storage/health.ts";
import { watchWriteLock } from "../storage/lock-watch.ts";
import { NO_LIMITS } from "../telegram/send/rate-limits.ts";
import type { CliIo } from "./io.ts";
import { openRuntime, type Runtime } from "./runtime.ts";
import { createRealSnapshotter } from "./snapshotter.ts";

/** `octopus run` with a token: the bot under systemd (signals: SIGHUP reloads, SIGTERM stops). */

export type { Env } from "./config-io.ts";

import type { Env } from "./config-io.ts";

export function createMainLogger(config: Config, env: Env, redactor: Redactor, sinks: LogSink[]): Logger {
  return createLogger({
    level: config.log.level,
    journal: Boolean(env.JOURNAL_STREAM),
    sinks,
    redactor,
    clock: systemClock,
  });
}

/** Signals as a queue: SIGHUP reloads, SIGTERM and SIGINT stop. */
function signalQueue(): { next(): Promise<NodeJS.Signals> } {
  const waiting: NodeJS.Signals[] = [];
  let wake: (() => void) | undefined;
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    process.on(signal, () => {
      waiting.push(signal);
      wake?.();
    });
  }
  return {
    async next() {
      while (!waiting.length) await new Promise<void>((r) => (wake = r));
      return waiting.shift() as NodeJS.Signals;
    },
  };
}

/** Telling the admins something (reload results) through the running app. */
async function tellAdmins(app: App, config: Config, text: string): Promise<void> {
  await Promise.all(config.telegram.admins.map((id) => app.send.outbox.send(id, text)));
}

export async function runBot(
  config: Config,
  env: Env,
  childBase: Env,
  token: string,
  io: CliIo,
): Promise<number> {
  const redactor = createRedactor([token, env.OCTOPUS_ALERTMANAGER_TOKEN]);
  const sinks: LogSink[] = [(line) => process.stdout.write(`${line}\n`)];
  if (config.log.file) sinks.push(createFileSink(config.log.file).sink);
  const log = createMainLogger(config, env, redactor, sinks);
  const runtime = await openRuntime(config, env, redactor, io);
  if (typeof runtime === "number") return runtime;
  // The last line of defence: every known failure is handled where it happens, so this is a
  // bug; an ops bot logs it and keeps answering rather than dying when it is most needed.
  process.on("unhandledRejection", (error) =>
    log.error("unhandled rejection (a bug): still running", { error }),
  );
  // Benchmarks only: measures the bot without Telegram's budget (never set this against real Telegram).
  const unlimited = env.OCTOPUS_RATE_LIMITS === "off";
  if (unlimited)
    log.warn("OCTOPUS_RATE_LIMITS=off: Telegram's send limits are not applied (benchmarks only)");
  const apiRoot = env.TELEGRAM_API_URL || "https://api.telegram.org";
  // One per process, kept across reloads: the runs in flight (a reload never touches them),
  // whether the state directory takes writes, and the charts being drawn (their bound).
  const kept = {
    live: createLiveRuns(),
    storage: createStorageHealth(log.child("storage"), systemClock),
    chartPool: createChartPool(),
  };
  const lockWatch = watchWriteLock({ db: runtime.db, storage: kept.storage });
  /** Apps a reload replaced, still finishing their runs: a stop waits for them too. */
  const draining: Promise<void>[] = [];
  let app = createApp({
    ...appResources(config, runtime, childBase, log, redactor),
    ...kept,
    token,
    apiRoot,
    alertmanagerToken: env.OCTOPUS_ALERTMANAGER_TOKEN,
    ...(unlimited ? { limits: NO_LIMITS } : {}),
  });
  log.info("starting", {
    version: buildInfo.version,
    commit: buildInfo.commit,
    config: config.file,
    state: runtime.stateDir,
  });
  const signals = signalQueue();
  let current = config;
  void app.start().catch((error: unknown) => log.error("start failed", { error }));
  // Start-up's garbage (the config's YAML with positions, the migrations, each feature's
  // first run) is freed once, off the start-up path: a long-running bot keeps the memory
  // it reaches here (1000 user ids in the config: 66.6 → 62.3 MiB idle).
  // The same after each reload, kept or refused: the old config's and app's garbage (a
  // refused 10 000-device file: +36 MiB left until a collection) is not kept.
  let collect: Timer | undefined;
  const collectSoon = () => {
    clearTimeout(collect);
    collect = setTimeout(() => Bun.gc(true), 1000).unref();
  };
  collectSoon();
  for (;;) {
    const signal = await signals.next();
    if (signal !== "SIGHUP") {
      log.info("stopping", { signal });
      break;
    }
    // The same file as at start, whichever way it was found.
    const loaded = loadConfig(config.file);
    if (!loaded.ok) {
      log.error("config reload failed: still running on the previous config", {
        errors: loaded.error.message,
      });
      await tellAdmins(
        app,
        current,
        `⚠️ Config reload failed; still running on the previous config:\n${loaded.error.message}`,
      );
      collectSoon();
      continue;
    }
    log.info("reloading config", { config: loaded.value.file });
    const { drained } = await app.stop({ keepRuns: true });
    draining.push(
      drained.catch((error: unknown) => log.error("the replaced app failed to finish", { error })),
    );
    current = loaded.value;
    app = createApp({
      ...appResources(current, runtime, childBase, log, redactor),
      ...kept,
      token,
      apiRoot,
      alertmanagerToken: env.OCTOPUS_ALERTMANAGER_TOKEN,
      ...(unlimited ? { limits: NO_LIMITS } : {}),
    });
    void app
      .start()
      .then(() => tellAdmins(app, current, "🔄 Config reloaded."))
      .catch((error: unknown) => log.error("start after reload failed", { error }))
      .finally(collectSoon);
  }
  // systemd waits TimeoutStopSec; we promise to be done well within 10 s whatever hangs.
  // The current app stops every run of the process (its predecessors' too); they report through
  // the apps that started them, which then let go.
  const all = app.stop().then(() => Promise.all(draining));
  const stopped = await Promise.race([all.then(() => true), Bun.sleep(9000).then(() => false)]);
  if (!stopped) log.warn("shutdown took longer than 9 s: exiting anyway");
  log.info("stopped");
  // Last: anything still finishing above may write to it until here.
  clearTimeout(collect);
  lockWatch.stop();
  runtime.close();
  return 0;
}

/** `childBase`: the environment scripts inherit (secrets are still removed from it). */
export function appResources(
  config: Config,
  runtime: Runtime,
  childBase: Env,
  log: Logger,
  redactor: Redactor,
) {
  return {
    config,
    db: runtime.db,
    clock: systemClock,
    log,
    redactor,
    snapshotter: createRealSnapshotter(),
    stateDir: runtime.stateDir,
    env: childBase,
    secretBox: runtime.secretBox,
    ...(runtime.plumeServer ? { plumeServer: runtime.plumeServer } : {}),
  };
}
