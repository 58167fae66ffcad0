import type { Database } from "bun:sqlite";
import { createAlertsService } from "./alerts/service.ts";
import { createAlertCommands } from "./commands/alerts.ts";
import { helpButton, runButton, statusButton } from "./commands/buttons.ts";
import { createCredentialGuard } from "./commands/credential-guard.ts";
import { createHistoryCommands } from "./commands/history.ts";
import { createPlumeCommands } from "./commands/plume.ts";
import { createPlumeAuthCommands } from "./commands/plume-auth.ts";
import { createRunCommands } from "./commands/run.ts";
import { createRunPresenter } from "./commands/run-presenter.ts";
import { createScheduleReporter } from "./commands/schedule-report.ts";
import { createHelpCallback, createStartHelpCommands } from "./commands/start-help.ts";
import { createStatusCommands } from "./commands/status.ts";
import type { Config } from "./config/parse.ts";
import { createAppMetrics, registerGauges } from "./http/app-metrics.ts";
import { createHttpHandler, startHttpServer } from "./http/server.ts";
import { createPlumeService } from "./plume/service.ts";
import { createPlumeWatch } from "./plume/watch.ts";
import { mayRun, visibleScripts } from "./runner/catalog.ts";
import { createRunner } from "./runner/runner.ts";
import { createScheduler } from "./runner/scheduler.ts";
import type { Clock } from "./shared/clock.ts";
import type { Logger } from "./shared/log.ts";
import { createRedactor, type Redactor } from "./shared/redact.ts";
import { formatClock } from "./shared/time-format.ts";
import type { SecretBox } from "./storage/crypto.ts";
import { createStorageHealth, type StorageHealth } from "./storage/health.ts";
import { createPlumeRepo, type PlumeCredentials } from "./storage/plume-repo.ts";
import { createRunsRepo } from "./storage/runs-repo.ts";
import type { Snapshotter } from "./system/snapshot.ts";
import { createTelegramBot, type TelegramBot } from "./telegram/bot.ts";
import type { CallbackSpec, CommandSpec } from "./telegram/context.ts";
import type { RateLimitPolicy } from "./telegram/rate-limits.ts";

/**
 * Builds the whole bot from already-opened resources. main.ts opens those (config, db,
 * logger, env) and owns signals; tests call this directly with a local Bot API.
 */
export interface AppOptions {
  config: Config;
  db: Database;
  clock: Clock;
  log: Logger;
  token: string;
  apiRoot: string;
  snapshotter: Snapshotter;
  stateDir: string;
  /** The environment scripts inherit (secrets are removed before they see it). */
  env: Record<string, string | undefined>;
  /** Seals Plume credentials and tokens at rest. */
  secretBox: SecretBox;
  /** Server-side Plume credentials (PLUME_* environment), if any. */
  plumeServer?: PlumeCredentials;
  /** The log redactor: secrets learned at runtime (Plume tokens) are registered with it. */
  redactor?: Redactor;
  extraAdmins?: readonly number[];
  limits?: RateLimitPolicy;
  pollTimeoutSeconds?: number;
  /** Between SIGTERM and SIGKILL when a run is stopped (default 5 s). */
  graceMs?: number;
  /** Whether the state directory takes writes; one per process (kept across reloads). */
  storage?: StorageHealth;
}

export interface App {
  telegram: TelegramBot;
  runner: ReturnType<typeof createRunner>;
  scheduler: ReturnType<typeof createScheduler>;
  alerts: ReturnType<typeof createAlertsService>;
  plume: ReturnType<typeof createPlumeService>;
  plumeWatch: ReturnType<typeof createPlumeWatch>;
  metrics: ReturnType<typeof createAppMetrics>;
  start(): Promise<void>;
  /** `keepRuns`: a reload; running scripts finish under this (old) app, which then stops. */
  stop(options?: { keepRuns?: boolean }): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const { config, clock, log } = options;
  const metrics = createAppMetrics();
  const storage = options.storage ?? createStorageHealth(log.child("storage"), clock);
  const runsRepo = createRunsRepo(options.db);
  // Every secret the bot knows, in one redactor: kept out of logs, messages, documents, script
  // environments and script output.
  const redactor = options.redactor ?? createRedactor();
  redactor.add(options.token);
  const addSecret = (value: string) => redactor.add(value);
  const runner = createRunner({
    stateDir: options.stateDir,
    runsRepo,
    clock,
    log: log.child("runner"),
    limits: config.runner,
    redactPatterns: config.redact,
    env: options.env,
    redactor,
    onRunEnd: metrics.onRunEnd,
    storage,
    ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
  });

  let commands: CommandSpec[] = [];
  let callbacks: CallbackSpec[] = [];
  const telegram = createTelegramBot({
    token: options.token,
    apiRoot: options.apiRoot,
    db: options.db,
    clock,
    log,
    telegram: config.telegram,
    commands: () => commands,
    callbacks: () => callbacks,
    textHooks: [(ctx) => plumeAuth.textHook(ctx), (ctx) => credentialGuard(ctx)],
    onCommand: metrics.onCommand,
    onApiError: metrics.onApiError,
    storage,
    redactor,
    ...(options.extraAdmins ? { extraAdmins: options.extraAdmins } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.pollTimeoutSeconds !== undefined ? { pollTimeoutSeconds: options.pollTimeoutSeconds } : {}),
  });
  const { outbox } = telegram;

  const presenter = createRunPresenter({
    outbox,
    clock,
    maxMessages: config.telegram.max_messages,
    onMessage: (runId, messageId) => {
      try {
        runsRepo.setMessageId(runId, messageId);
      } catch (error) {
        storage.failed("run history", error, "runs go on without history rows");
      }
    },
  });

  const scheduler = createScheduler({
    runner,
    log: log.child("scheduler"),
    report: createScheduleReporter({ outbox, alertChats: () => config.telegram.alert_chats }),
    sleep: Bun.sleep,
  });

  const snapshot = () => options.snapshotter.take(config.monitored_devices);
  const plumeRepo = createPlumeRepo(options.db, options.secretBox);
  const credentialGuard = createCredentialGuard({ scrub: () => plumeRepo.scrub() });
  const plume = createPlumeService({
    ...(options.plumeServer ? { server: options.plumeServer } : {}),
    repo: plumeRepo,
    clock,
    log: log.child("plume"),
    timeoutMs: config.plume.timeout,
    cacheTtlMs: config.plume.cache_ttl,
    ...(config.plume.api_base ? { defaultApiBase: config.plume.api_base } : {}),
    endpoints: { allowedHosts: config.plume.allowed_hosts, allowHttp: config.plume.allow_http },
    onSecret: addSecret,
    sleep: Bun.sleep,
    random: Math.random,
    onCall: metrics.onPlumeCall,
  });
  const plumeCommands = createPlumeCommands({ plume, saved: config.plume.locations, clock });
  const plumeAuth = createPlumeAuthCommands({
    plume,
    repo: plumeRepo,
    clock,
    endpoints: { allowedHosts: config.plume.allowed_hosts, allowHttp: config.plume.allow_http },
    ...(config.plume.api_base ? { defaultApiBase: config.plume.api_base } : {}),
    log: log.child("plume"),
  });
  const alerts = createAlertsService({ config, db: options.db, outbox, snapshot, clock, log, storage });
  const alertCommands = createAlertCommands({ monitor: alerts.monitor, repo: alerts.repo, clock });
  const status = createStatusCommands({
    snapshot,
    thresholds: { load: config.alerts.load, memory: config.alerts.memory },
    activeAlerts: alerts.activeAlerts,
    locationStatus: plumeCommands.locationStatus,
  });
  const watch = createPlumeWatch({
    locations: config.plume.locations,
    pattern: config.plume.watch_check,
    plume,
    serverClient: plume.serverClient,
    report: (readings) => alerts.monitor.evaluateExternal(readings),
    log: log.child("plume"),
  });
  const runs = createRunCommands({ scripts: () => config.scripts, runner, clock, listenerFor: presenter });
  const all = () => commands;
  commands = [
    ...createStartHelpCommands({
      all,
      plume: Boolean(options.plumeServer) || config.plume.locations.length > 0,
      quickButtons: (role) => [
        [
          { text: "🖥 Status", callback_data: statusButton.pack({ mode: "new" }) },
          ...(config.scripts.some((s) => mayRun(role, s))
            ? [{ text: "▶️ Run", callback_data: runButton.pack({}) }]
            : []),
          { text: "❓ Help", callback_data: helpButton.pack({}) },
        ],
      ],
    }),
    ...status.commands,
    ...runs.commands,
    ...createHistoryCommands({
      recent: (n, scripts) => runsRepo.recent(n, scripts),
      hiddenSince: (id, scripts) => runsRepo.hiddenSince(id, scripts),
      get: (id) => runsRepo.get(id),
      visibleScripts: (role) => visibleScripts(config.scripts, role),
      schedules: () => scheduler.list(),
      clock,
    }),
    ...alertCommands.commands,
    ...plumeCommands.commands,
    ...plumeAuth.commands,
  ];
  callbacks = [
    createHelpCallback(all),
    ...status.callbacks,
    ...runs.callbacks,
    ...alertCommands.callbacks,
    ...plumeCommands.callbacks,
    ...plumeAuth.callbacks,
  ];

  registerGauges(metrics, {
    outboxDepth: () => outbox.depth(),
    alertOutboxDepth: () => alerts.delivery.depth(),
    alertLevels: () => alerts.monitor.levels(),
    running: () => runner.active().length,
    lastSnapshot: () => alerts.monitor.lastSnapshot(),
    storageFailing: () => storage.failing(),
  });
  let http: ReturnType<typeof startHttpServer> | undefined;

  return {
    telegram,
    runner,
    scheduler,
    alerts,
    plume,
    plumeWatch: watch,
    metrics,
    async start() {
      if (config.http.listen) {
        const handler = createHttpHandler({
          metrics: metrics.render,
          poll: telegram.pollHealth,
          storage: () => storage.failing(),
          now: () => clock.now(),
          log: log.child("http"),
        });
        http = startHttpServer(config.http.listen, handler, log.child("http"));
      }
      for (const row of runner.recoverInterrupted()) {
        if (row.chatId === null) continue;
        const text = `💥 Run #${row.id} (${row.script}) was interrupted: the bot stopped while it ran (started ${formatClock(row.startedAt)} by ${row.requestedByName ?? "?"}).`;
        // The live message still says "running" with a Stop button: it shows the end instead
        // (an edit without a keyboard removes the button), and a reply makes the chat notice.
        if (row.messageId) void outbox.edit(row.chatId, row.messageId, `💥 ${row.script}: interrupted`);
        void outbox.send(row.chatId, text, row.messageId ? { replyTo: row.messageId } : {});
      }
      runner.prune();
      scheduler.start(config.scripts);
      await alerts.start();
      watch.start();
      await telegram.start();
    },
    async stop(stopOptions = {}) {
      // Each step is bounded so a shutdown ends within systemd's stop timeout.
      await telegram.stopPolling(2000);
      await http?.stop();
      scheduler.stop();
      alerts.stop();
      watch.stop();
      if (stopOptions.keepRuns) {
        // A reload: runs in flight finish and report through this app, then it lets go.
        void runner.idle().then(async () => {
          runner.dispose();
          alerts.delivery.stop();
          await telegram.stop(5000);
        });
        return;
      }
      await runner.stopAll("shutdown");
      runner.dispose();
      await alerts.delivery.drain(1000);
      alerts.delivery.stop();
      await telegram.stop(4000);
    },
  };
}
