import type { Feature } from "../../telegram/feature.ts";
import { createAlertCommands } from "./commands.ts";
import { alertGauges } from "./gauges.ts";
import { type AlertsDeps, createAlertsService } from "./service.ts";

/** Unattended checks: /alerts, /mute, /unmute, their buttons, durable delivery and the digest. */
export function createAlertsFeature(deps: AlertsDeps) {
  const service = createAlertsService(deps);
  const { monitor, delivery } = service;
  const ui = createAlertCommands({
    monitor,
    repo: service.repo,
    clock: deps.clock,
    ...(deps.external ? { external: deps.external } : {}),
  });
  const feature: Feature = {
    name: "alerts",
    commands: ui.commands,
    callbacks: ui.callbacks,
    gauges: alertGauges(service),
    start: () => service.start(),
    stop: () => service.stop(),
    async settle(how) {
      // A reload hands the durable outbox to the next process at once; a shutdown tries
      // briefly to send what is queued (what is not stays in the database for the next start).
      if (how === "abort") await delivery.drain(1000);
      delivery.stop();
    },
  };
  return {
    ...feature,
    monitor,
    delivery,
    webView: ui.webView,
    /** Lines for the bottom of /status. */
    activeAlerts: service.activeAlerts,
    /** Readings made elsewhere (a watched Plume location) go through the same rules. */
    evaluateExternal: monitor.evaluateExternal,
  };
}
