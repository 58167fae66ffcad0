import type { Database } from "bun:sqlite";
import type { Config } from "./config/parse.ts";
import type { LiveRuns } from "./features/runs/live-runs.ts";
import type { Clock } from "./shared/clock.ts";
import type { Limiter } from "./shared/limiter.ts";
import type { Logger } from "./shared/log.ts";
import type { Redactor } from "./shared/redact.ts";
import type { SecretBox } from "./storage/crypto.ts";
import type { StorageHealth } from "./storage/health.ts";
import type { PlumeCredentials } from "./storage/plume-repo.ts";
import type { Snapshotter } from "./system/snapshot.ts";
import type { RateLimitPolicy } from "./telegram/send/rate-limits.ts";

/** The whole bot from already-opened resources (main.ts opens them and owns signals; tests call this). */
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
  /** OCTOPUS_ALERTMANAGER_TOKEN: the bearer token the Alertmanager webhook must carry. */
  alertmanagerToken?: string | undefined;
  secretBox: SecretBox;
  plumeServer?: PlumeCredentials;
  /** The one redactor (kept across reloads): secrets learned at runtime are added to it. */
  redactor?: Redactor;
  extraAdmins?: readonly number[];
  limits?: RateLimitPolicy;
  pollTimeoutSeconds?: number;
  graceMs?: number;
  /** Whether the state directory takes writes; one per process (kept across reloads). */
  storage?: StorageHealth;
  /** The runs in flight in this process (kept across reloads: a reload never touches them). */
  live?: LiveRuns;
  /** Charts being drawn and waiting (kept across reloads: the bound is the process's). */
  chartPool?: Limiter;
}
