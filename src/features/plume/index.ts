import type { Database } from "bun:sqlite";
import type { Config } from "../../config/parse.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { Reading } from "../../shared/reading.ts";
import type { SecretBox } from "../../storage/crypto.ts";
import { createPlumeRecentRepo } from "../../storage/plume-recent-repo.ts";
import { createPlumeRepo, type PlumeCredentials } from "../../storage/plume-repo.ts";
import type { Feature } from "../../telegram/feature.ts";
import { createPlumeAuthCommands } from "./auth.ts";
import { createPlumeCommands } from "./commands.ts";
import { createCredentialGuard } from "./credential-guard.ts";
import { createPlumeService } from "./service.ts";
import { createPlumeWatch } from "./watch.ts";

/** Plume Wi-Fi: location reports, /auth, the credential guard and watched locations. */
export function createPlumeFeature(deps: {
  config: Config;
  db: Database;
  clock: Clock;
  log: Logger;
  /** Seals Plume credentials and tokens at rest. */
  secretBox: SecretBox;
  /** Server-side Plume credentials (PLUME_* environment), if any. */
  server?: PlumeCredentials | undefined;
  /** Registers a secret learned at runtime (a token) with the one redactor. */
  onSecret(value: string): void;
  onCall?(endpoint: string, seconds: number, error?: string): void;
  /** Where a watched location's health goes: the alert engine. */
  report(readings: Reading[]): void;
}) {
  const { config, clock } = deps;
  const log = deps.log.child("plume");
  const endpoints = { allowedHosts: config.plume.allowed_hosts, allowHttp: config.plume.allow_http };
  const apiBase = config.plume.api_base ? { defaultApiBase: config.plume.api_base } : {};
  const repo = createPlumeRepo(deps.db, deps.secretBox);
  const service = createPlumeService({
    ...(deps.server ? { server: deps.server } : {}),
    repo,
    clock,
    log,
    timeoutMs: config.plume.timeout,
    cacheTtlMs: config.plume.cache_ttl,
    ...apiBase,
    endpoints,
    onSecret: deps.onSecret,
    sleep: Bun.sleep,
    random: Math.random,
    ...(deps.onCall ? { onCall: deps.onCall } : {}),
  });
  const recent = createPlumeRecentRepo(deps.db);
  const reports = createPlumeCommands({ plume: service, saved: config.plume.locations, clock, recent });
  const auth = createPlumeAuthCommands({ plume: service, repo, clock, endpoints, ...apiBase, log });
  const guard = createCredentialGuard({ scrub: () => repo.scrub() });
  const watch = createPlumeWatch({
    locations: config.plume.locations,
    pattern: config.plume.watch_check,
    plume: service,
    serverClient: service.serverClient,
    report: deps.report,
    log,
  });
  const feature: Feature = {
    name: "plume",
    commands: [...reports.commands, ...auth.commands],
    callbacks: [...reports.callbacks, ...auth.callbacks],
    textHooks: [auth.textHook, guard],
    cancel: auth.cancel,
    start: () => watch.start(),
    stop: () => watch.stop(),
  };
  return {
    ...feature,
    watch,
    /** `/status CUSTOMER LOCATION`: the status feature's route to a location. */
    locationStatus: reports.locationStatus,
    /** Plume is set up (server credentials or saved locations): /start says how to use it. */
    configured: Boolean(deps.server) || config.plume.locations.length > 0,
  };
}
