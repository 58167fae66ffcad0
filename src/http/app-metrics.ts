import { buildInfo } from "../shared/build-info.ts";
import { createMetrics, type Labels } from "../shared/metrics.ts";
import type { StorageFailure } from "../storage/health.ts";
import type { Snapshot } from "../system/snapshot.ts";
import { failureLabel, methodLabel } from "../telegram/api-errors.ts";

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

/** Gauges read at scrape time from the running parts. */
export function registerGauges(
  metrics: AppMetrics,
  from: {
    outboxDepth(): number;
    alertOutboxDepth(): number;
    alertLevels(): [string, number][];
    running(): number;
    lastSnapshot(): Snapshot | undefined;
    storageFailing(): StorageFailure[];
  },
): void {
  metrics.gauge(
    "octopus_storage_failing",
    "1 per area of the state directory that cannot be written now (the bot works from memory).",
    () => from.storageFailing().map((f): [Labels, number] => [{ area: f.area }, 1]),
  );
  metrics.gauge("octopus_outbox_depth", "Telegram calls waiting or in flight.", () => [
    [{}, from.outboxDepth()],
  ]);
  metrics.gauge("octopus_alert_outbox_depth", "Alert messages waiting for Telegram.", () => [
    [{}, from.alertOutboxDepth()],
  ]);
  metrics.gauge("octopus_alert_level", "Alert level per check: 0 ok, 1 warn, 2 crit.", () =>
    from.alertLevels().map(([check, level]): [Labels, number] => [{ check }, level]),
  );
  metrics.gauge("octopus_scripts_running", "Script runs in progress.", () => [[{}, from.running()]]);
  const snap = from.lastSnapshot;
  metrics.gauge("octopus_load_average", "Load average from the last check.", () => {
    const s = snap();
    return s
      ? [
          [{ period: "1m" }, s.load.load1],
          [{ period: "5m" }, s.load.load5],
          [{ period: "15m" }, s.load.load15],
        ]
      : [];
  });
  metrics.gauge("octopus_cpu_busy_percent", "CPU busy percent from the last check.", () => {
    const s = snap();
    return s ? [[{}, s.cpu.busy]] : [];
  });
  metrics.gauge("octopus_memory_used_percent", "Memory used percent from the last check.", () => {
    const s = snap();
    return s ? [[{}, s.memory.usedPercent]] : [];
  });
  metrics.gauge(
    "octopus_disk_used_percent",
    "Disk used percent per monitored device, as df computes it.",
    () =>
      (snap()?.devices ?? []).flatMap((d): [Labels, number][] =>
        d.usage ? [[{ device: d.name, path: d.path }, d.usage.usedPercent]] : [],
      ),
  );
}
