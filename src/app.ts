import type { AppOptions } from "./app-options.ts";
import { createAlertmanagerFeature } from "./features/alertmanager/index.ts";
import { createAlertsFeature } from "./features/alerts/index.ts";
import { createFleetFeature } from "./features/fleet/index.ts";
import { createHistoryFeature } from "./features/history/index.ts";
import { createPlumeFeature } from "./features/plume/index.ts";
import { createRunsFeature } from "./features/runs/index.ts";
import { createLiveRuns } from "./features/runs/live-runs.ts";
import { createStartHelpFeature } from "./features/start-help/index.ts";
import { createStatusFeature } from "./features/status/index.ts";
import { createWebFeature } from "./features/web/index.ts";
import { statusJson } from "./features/web/status-json.ts";
import { createAppMetrics, registerGauges } from "./http/app-metrics.ts";
import { createHttpHandler, startHttpServer } from "./http/server.ts";
import type { Reading } from "./shared/reading.ts";
import { createRedactor } from "./shared/redact.ts";
import { createStorageHealth } from "./storage/health.ts";
import { recentValue } from "./system/recent.ts";
import { createAccess } from "./telegram/receive/access.ts";
import { createReceive } from "./telegram/receive/index.ts";
import { createSend } from "./telegram/send/index.ts";

export type { AppOptions };
export type App = ReturnType<typeof createApp>;

export function createApp(o: AppOptions) {
  const { config, clock, log, db } = o;
  const metrics = createAppMetrics();
  const storage = o.storage ?? createStorageHealth(log.child("storage"), clock);
  const redactor = o.redactor ?? createRedactor();
  const live = o.live ?? createLiveRuns();
  redactor.add(o.token);
  const { onApiError } = metrics;
  const send = createSend({ ...o, maxMessages: config.telegram.max_messages, redactor, onApiError });
  const { outbox } = send;
  const snapshot = () => o.snapshotter.take(config.monitored_devices);
  const recent = recentValue(snapshot, clock, 1000);
  const thresholds = { load: config.alerts.load, memory: config.alerts.memory };
  const { graceMs, env, stateDir } = o;
  const report = (r: Reading[]) => alerts.evaluateExternal(r);
  const fleet = createFleetFeature({ config, clock, stateDir, log, report });
  const runs = createRunsFeature({
    ...{ config, db, outbox, clock, log, stateDir, env, redactor, storage, graceMs, live },
    secretBox: o.secretBox,
    ...{ onRunEnd: metrics.onRunEnd, fleetHistory: fleet.history, remote: fleet.remote },
  });
  const history = createHistoryFeature({ config, db, clock, log, storage, chartPool: o.chartPool });
  const alertDeps = { config, db, outbox, snapshot, clock, log, storage };
  const alertmanager = config.alertmanager
    ? createAlertmanagerFeature({
        config: config.alertmanager,
        alertChats: () => config.telegram.alert_chats,
        db,
        clock,
        log: log.child("alertmanager"),
        token: o.alertmanagerToken,
        kick: () => alerts.delivery.kick(),
      })
    : undefined;
  const alerts = createAlertsFeature({
    ...alertDeps,
    history: history.hooks,
    ...(alertmanager ? { external: alertmanager.alertsSection } : {}),
  });
  const plume = createPlumeFeature({
    ...{ config, db, clock, log, secretBox: o.secretBox, server: o.plumeServer },
    onSecret: (value) => redactor.add(value),
    onCall: metrics.onPlumeCall,
    report,
  });
  const status = createStatusFeature({
    snapshot: recent,
    thresholds,
    activeAlerts: alerts.activeAlerts,
    locationStatus: plume.locationStatus,
    trends: history.trends,
    moreButtons: history.statusButtons,
    moreRows: fleet.statusRows(),
    fleet: (ctx) => fleet.status(ctx),
  });
  const web = createWebFeature({
    ...{ config, db, clock, outbox, log: log.child("web"), botToken: o.token },
    roleOf: createAccess(config.telegram, clock, o.extraAdmins).roleOf,
    status: async () => statusJson(await recent(), thresholds, alerts.activeAlerts()),
    history: history.chartSeries,
    runs: runs.web,
    alerts: alerts.webView,
    press: [...alerts.callbacks, ...(alertmanager?.callbacks ?? [])],
    fleet,
  });
  const others = [status, runs, alerts, ...(alertmanager ? [alertmanager] : []), plume, history, fleet, web];
  const features = [createStartHelpFeature(others, plume.configured), ...others];
  const receive = createReceive({
    ...{ ...o, send, features, access: config.telegram, storage },
    ...{ onCommand: metrics.onCommand, onApiError: metrics.onApiError },
  });
  const core = { outboxDepth: () => outbox.depth(), storageFailing: () => storage.failing() };
  registerGauges(metrics, core, features);
  let http: ReturnType<typeof startHttpServer> | undefined;
  const health = { metrics: metrics.render, poll: receive.pollHealth, storage: () => storage.failing() };

  return {
    send,
    receive,
    web,
    runs,
    alerts,
    plume,
    history,
    fleet,
    metrics,
    async start() {
      if (config.http.listen) {
        const routes = new Map(alertmanager ? [[alertmanager.path, alertmanager.receiveAlert]] : []);
        const handler = createHttpHandler({
          ...health,
          now: () => clock.now(),
          log: log.child("http"),
          routes,
          ...(web.mount ? { mounts: new Map([["/web", web.mount]]) } : {}),
        });
        http = startHttpServer(config.http.listen, handler, log.child("http"));
      }
      for (const f of features) await f.start?.();
      await receive.start();
    },
    /**
     * `keepRuns`: a reload; runs in flight finish and report through this (old) app, which then
     * lets go: `drained` resolves then. Without it every run of the process is stopped first.
     */
    async stop(options: { keepRuns?: boolean } = {}): Promise<{ drained: Promise<void> }> {
      // Each step is bounded so a shutdown ends within systemd's stop timeout.
      await receive.stop(2000);
      await http?.stop();
      const reversed = [...features].reverse();
      for (const f of reversed) f.stop?.();
      const settle = async (how: "finish" | "abort") => {
        for (const f of reversed) await f.settle?.(how);
      };
      if (options.keepRuns) return { drained: settle("finish").then(() => send.stop(5000)) };
      await settle("abort");
      await send.stop(4000);
      return { drained: Promise.resolve() };
    },
  };
}
