import { buildInfo } from "../shared/build-info.ts";
import { createMetrics, type Gauge, type Labels } from "../shared/metrics.ts";
import type { StorageFailure } from "../storage/health.ts";
import { failureLabel, methodLabel } from "../telegram/send/api-errors.ts";

/** The metrics Octopus exports, and the hooks the components call to update them. */
export function createAppMetrics() {
  const m = createMetrics();
  m.gauge("octopus_build_info", "Version and commit of this binary.", () => [
    [{ version: buildInfo.version, commit: buildInfo.commit }, 1],
  ]);
  m.gauge("octopus_up", "1 while the bot runs.", () => [[{}, 1]]);
  const commands = m.counter("octopus_commands_total", "Telegram commands handled, by name and outcome.");
  const runs = m.counter("octopus_script_runs_total", "Script runs ended, by script and status.");
  const duration = m.histogram(
    "octopus_script_run_duration_seconds",
    "Script run durations.",
    [1, 5, 15, 60, 300, 900, 3600],
  );
  const apiErrors = m.counter(
    "octopus_telegram_api_errors_total",
    "Bot API calls that failed, by method and code (a 4xx code, 5xx, other, invalid: not a Bot API answer, network).",
  );
  const plumeLatency = m.histogram(
    "octopus_plume_request_duration_seconds",
    "Plume API request durations, by endpoint.",
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  const plumeErrors = m.counter(
    "octopus_plume_errors_total",
    "Plume calls that failed, by endpoint and kind.",
  );
  return {
    render: () => m.render(),
    gauge: (name: string, help: string, collect: () => Iterable<[Labels, number]>) =>
      m.gauge(name, help, collect),
    onCommand: (command: string, outcome: string) => commands.inc({ command, outcome }),
    onRunEnd: (script: string, status: string, seconds: number) => {
      runs.inc({ script, status });
      duration.observe({ script }, seconds);
    },
    onApiError: (method: string, error: unknown) =>
      apiErrors.inc({ method: methodLabel(method), code: failureLabel(error) }),
    onPlumeCall: (endpoint: string, seconds: number, error?: string) => {
      plumeLatency.observe({ endpoint }, seconds);
      if (error) plumeErrors.inc({ endpoint, kind: error });
    },
  };
}

export type AppMetrics = ReturnType<typeof createAppMetrics>;

/** Gauges read at scrape time: the core's own (storage, the Telegram outbox) and the features'. */
export function registerGauges(
  metrics: AppMetrics,
  core: { outboxDepth(): number; storageFailing(): StorageFailure[] },
  features: readonly { gauges?: readonly Gauge[] | undefined }[],
): void {
  metrics.gauge(
    "octopus_storage_failing",
    "1 per area of the state directory that cannot be written now (the bot works from memory).",
    () => core.storageFailing().map((f): [Labels, number] => [{ area: f.area }, 1]),
  );
  metrics.gauge("octopus_outbox_depth", "Telegram calls waiting or in flight.", () => [
    [{}, core.outboxDepth()],
  ]);
  for (const g of features.flatMap((f) => f.gauges ?? [])) metrics.gauge(g.name, g.help, () => g.collect());
}
