import type { Database } from "bun:sqlite";
import { createHelpCallback, createStartHelpCommands } from "./commands/start-help.ts";
import { createStatusCommands } from "./commands/status.ts";
import type { Config } from "./config/parse.ts";
import type { Clock } from "./shared/clock.ts";
import type { Logger } from "./shared/log.ts";
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
  extraAdmins?: readonly number[];
  limits?: RateLimitPolicy;
  pollTimeoutSeconds?: number;
}

export interface App {
  telegram: TelegramBot;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const { config } = options;
  let commands: CommandSpec[] = [];
  const all = () => commands;
  const status = createStatusCommands({
    snapshot: () => options.snapshotter.take(config.monitored_devices),
    thresholds: { load: config.alerts.load, memory: config.alerts.memory },
  });
  commands = [
    ...createStartHelpCommands({
      all,
      quickButtons: () => [
        [
          { text: "🖥 Status", callback_data: "st:n" },
          { text: "❓ Help", callback_data: "help" },
        ],
      ],
    }),
    ...status.commands,
  ];
  const callbacks: CallbackSpec[] = [createHelpCallback(all), ...status.callbacks];

  const telegram = createTelegramBot({
    token: options.token,
    apiRoot: options.apiRoot,
    db: options.db,
    clock: options.clock,
    log: options.log,
    telegram: config.telegram,
    commands: all,
    callbacks,
    ...(options.extraAdmins ? { extraAdmins: options.extraAdmins } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.pollTimeoutSeconds !== undefined ? { pollTimeoutSeconds: options.pollTimeoutSeconds } : {}),
  });

  return {
    telegram,
    start: () => telegram.start(),
    stop: () => telegram.stop(),
  };
}
