import type { Database } from "bun:sqlite";
import { createAlertsService } from "./alerts/service.ts";
import { createAlertCommands } from "./commands/alerts.ts";
import { createHistoryCommands } from "./commands/history.ts";
import { createRunCommands } from "./commands/run.ts";
import { createRunPresenter } from "./commands/run-presenter.ts";
import { createHelpCallback, createStartHelpCommands } from "./commands/start-help.ts";
import { createStatusCommands } from "./commands/status.ts";
import type { Config } from "./config/parse.ts";
import { lastLines, outcomeLine, withOutput } from "./runner/messages.ts";
import { createRunner } from "./runner/runner.ts";
import { createScheduler, type ScheduleReport } from "./runner/scheduler.ts";
import type { Clock } from "./shared/clock.ts";
import type { Logger } from "./shared/log.ts";
import { formatClock } from "./shared/time-format.ts";
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
  /** Secret values that must never reach a script's environment or output. */
  secretValues?: () => readonly string[];
  extraAdmins?: readonly number[];
  limits?: RateLimitPolicy;
  pollTimeoutSeconds?: number;
  /** Between SIGTERM and SIGKILL when a run is stopped (default 5 s). */
  graceMs?: number;
}

export interface App {
  telegram: TelegramBot;
  runner: ReturnType<typeof createRunner>;
  scheduler: ReturnType<typeof createScheduler>;
  alerts: ReturnType<typeof createAlertsService>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const { config, clock, log } = options;
  const runsRepo = createRunsRepo(options.db);
  const secretValues = options.secretValues ?? (() => [options.token]);
  const runner = createRunner({
    stateDir: options.stateDir,
    runsRepo,
    clock,
    log: log.child("runner"),
    limits: config.runner,
    redactPatterns: config.redact,
    env: options.env,
    secretValues,
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
    ...(options.extraAdmins ? { extraAdmins: options.extraAdmins } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.pollTimeoutSeconds !== undefined ? { pollTimeoutSeconds: options.pollTimeoutSeconds } : {}),
  });
  const { outbox } = telegram;

  const presenter = createRunPresenter({
    outbox,
    clock,
    maxMessages: config.telegram.max_messages,
    onMessage: (runId, messageId) => runsRepo.setMessageId(runId, messageId),
  });

  const reportScheduled = async ({ script, result, attempts }: ScheduleReport) => {
    const failed = "refused" in result || result.outcome.status !== "succeeded";
    if (script.notify === "never" || (script.notify === "failure" && !failed)) return;
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
    const text =
      "refused" in result
        ? { text: `⚠️ scheduled ${script.name} did not run: ${result.refused}`, entities: [] }
        : withOutput(
            `🕒 ${outcomeLine(script.name, result.outcome, result.durationMs)}${tries}\n/log ${result.run.id} for the full output`,
            lastLines(result.run.output.tail(), 2500, 25),
          );
    for (const chat of config.telegram.alert_chats) await outbox.send(chat, text, { silent: !failed });
  };
  const scheduler = createScheduler({
    runner,
    log: log.child("scheduler"),
    report: reportScheduled,
    sleep: Bun.sleep,
  });

  const snapshot = () => options.snapshotter.take(config.monitored_devices);
  const alerts = createAlertsService({ config, db: options.db, outbox, snapshot, clock, log });
  const alertCommands = createAlertCommands({ monitor: alerts.monitor, repo: alerts.repo, clock });
  const status = createStatusCommands({
    snapshot,
    thresholds: { load: config.alerts.load, memory: config.alerts.memory },
    activeAlerts: alerts.activeAlerts,
  });
  const runs = createRunCommands({ scripts: () => config.scripts, runner, clock, listenerFor: presenter });
  const all = () => commands;
  commands = [
    ...createStartHelpCommands({
      all,
      quickButtons: (role) => [
        [
          { text: "🖥 Status", callback_data: "st:n" },
          ...(config.scripts.some((s) => role === "admin" || s.role === "viewer")
            ? [{ text: "▶️ Run", callback_data: "run:" }]
            : []),
          { text: "❓ Help", callback_data: "help" },
        ],
      ],
    }),
    ...status.commands,
    ...runs.commands,
    ...createHistoryCommands({
      recent: (n) => runsRepo.recent(n),
      get: (id) => runsRepo.get(id),
      schedules: () => scheduler.list(),
      clock,
    }),
    ...alertCommands.commands,
  ];
  callbacks = [createHelpCallback(all), ...status.callbacks, ...runs.callbacks, ...alertCommands.callbacks];

  return {
    telegram,
    runner,
    scheduler,
    alerts,
    async start() {
      for (const row of runner.recoverInterrupted()) {
        if (row.chatId === null) continue;
        void outbox.send(
          row.chatId,
          `💥 Run #${row.id} (${row.script}) was interrupted: the bot stopped while it ran (started ${formatClock(row.startedAt)} by ${row.requestedByName ?? "?"}).`,
          row.messageId ? { replyTo: row.messageId } : {},
        );
      }
      scheduler.start(config.scripts);
      await alerts.start();
      await telegram.start();
    },
    async stop() {
      await telegram.stopPolling();
      scheduler.stop();
      alerts.stop();
      await runner.stopAll("shutdown");
      await alerts.delivery.drain(2000);
      alerts.delivery.stop();
      await telegram.stop();
    },
  };
}
