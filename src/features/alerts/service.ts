import type { Database } from "bun:sqlite";
import { Cron } from "croner";
import type { Config } from "../../config/parse.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { Reading } from "../../shared/reading.ts";
import { createAlertsRepo } from "../../storage/alerts-repo.ts";
import type { StorageHealth } from "../../storage/health.ts";
import { createMetaRepo } from "../../storage/meta-repo.ts";
import type { Snapshot } from "../../system/snapshot.ts";
import type { Role } from "../../telegram/feature.ts";
import type { InlineKeyboardRows, Outbox } from "../../telegram/send/outbox.ts";
import { createAlertDelivery } from "./delivery.ts";
import { createAlertMonitor, HEARTBEAT_KEY } from "./monitor.ts";
import { digestText, restartNotice } from "./notices.ts";
import type { CheckState } from "./rules.ts";

/** The alert side assembled: monitor (croner checks), durable delivery, restart notice, digest. */
export interface AlertsDeps {
  config: Config;
  db: Database;
  outbox: Outbox;
  snapshot(): Promise<Snapshot>;
  clock: Clock;
  log: Logger;
  storage?: StorageHealth;
  /** Hooks for the metric history (see the monitor). */
  history?: {
    onSnapshot(s: Snapshot): void;
    onReadings(list: readonly Reading[]): void;
    extraReadings(): Reading[];
  };
  /** Alerts from elsewhere (Alertmanager's firing groups) in /alerts: lines, and an admin's buttons. */
  external?(role: Role): { lines: string[]; rows: InlineKeyboardRows };
}

export function createAlertsService(deps: AlertsDeps) {
  const { config, clock, log } = deps;
  const storage = deps.storage ? { storage: deps.storage } : {};
  const repo = createAlertsRepo<CheckState>(deps.db);
  const meta = createMetaRepo(deps.db, clock);
  const delivery = createAlertDelivery({
    repo,
    outbox: deps.outbox,
    clock,
    log: log.child("alerts"),
    ...storage,
  });
  const monitor = createAlertMonitor({
    config,
    snapshot: deps.snapshot,
    repo,
    meta,
    delivery,
    clock,
    log: log.child("alerts"),
    ...storage,
    ...(deps.history ?? {}),
  });
  let digest: Cron | undefined;
  const notice = (text: string, silent: boolean) =>
    delivery.enqueue(config.telegram.alert_chats, null, [
      { kind: "notice", text: { text, entities: [] }, silent },
    ]);

  return {
    repo,
    monitor,
    delivery,
    /** Delivers what a previous run left, tells the alert chats about a long downtime, starts the checks. */
    async start(): Promise<void> {
      delivery.kick();
      const last = meta.get(HEARTBEAT_KEY);
      const startedAt = clock.now();
      const announce = (uptimeSeconds: number) => {
        const text = restartNotice(
          last === undefined ? undefined : Number(last),
          startedAt,
          monitor.intervalMs(),
          startedAt - uptimeSeconds * 1000,
          clock.timeZone,
        );
        if (text) notice(text, false);
      };
      // Off the start-up path: the first snapshot takes a CPU sample (~100 ms) and polling
      // must not wait for it. The boot time tells a reboot from a crash; without /proc the
      // notice still goes.
      void deps.snapshot().then(
        (snap) => announce(snap.uptimeSeconds),
        (error: unknown) => {
          log.error("first snapshot failed", { error });
          announce(Number.POSITIVE_INFINITY);
        },
      );
      monitor.start();
      if (config.alerts.digest) {
        digest = new Cron(
          config.alerts.digest,
          { protect: true, catch: (error) => log.error("digest failed", { error }) },
          () => {
            const ticks = monitor.ticks();
            const before = Number(meta.get("alerts.digest_ticks") ?? 0);
            meta.set("alerts.digest_ticks", String(ticks));
            const d = digestText(ticks - before, repo.incidentsSince(clock.now() - 86_400_000));
            notice(d.text, d.quiet);
          },
        );
      }
    },
    stop(): void {
      digest?.stop();
      monitor.stop();
    },
    /** Lines for the bottom of /status. */
    activeAlerts: () => monitor.lines().firing,
  };
}

export type AlertsService = ReturnType<typeof createAlertsService>;
