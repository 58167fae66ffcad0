import type { Gauge, Labels } from "../../shared/metrics.ts";
import type { AlertsService } from "./service.ts";

/** The alert side's metrics, read at scrape time: levels, the durable outbox, the last snapshot. */
export function alertGauges({ monitor, delivery }: Pick<AlertsService, "monitor" | "delivery">): Gauge[] {
  const snap = () => monitor.lastSnapshot();
  return [
    {
      name: "octopus_alert_outbox_depth",
      help: "Alert messages waiting for Telegram.",
      collect: () => [[{}, delivery.depth()]],
    },
    {
      name: "octopus_alert_level",
      help: "Alert level per check: 0 ok, 1 warn, 2 crit.",
      collect: () => monitor.levels().map(([check, level]): [Labels, number] => [{ check }, level]),
    },
    {
      name: "octopus_load_average",
      help: "Load average from the last check.",
      collect: () => {
        const s = snap();
        return s
          ? [
              [{ period: "1m" }, s.load.load1],
              [{ period: "5m" }, s.load.load5],
              [{ period: "15m" }, s.load.load15],
            ]
          : [];
      },
    },
    {
      name: "octopus_cpu_busy_percent",
      help: "CPU busy percent from the last check.",
      collect: () => {
        const s = snap();
        return s ? [[{}, s.cpu.busy]] : [];
      },
    },
    {
      name: "octopus_memory_used_percent",
      help: "Memory used percent from the last check.",
      collect: () => {
        const s = snap();
        return s ? [[{}, s.memory.usedPercent]] : [];
      },
    },
    {
      name: "octopus_disk_used_percent",
      help: "Disk used percent per monitored device, as df computes it.",
      collect: () =>
        (snap()?.devices ?? []).flatMap((d): [Labels, number][] =>
          d.usage ? [[{ device: d.name, path: d.path }, d.usage.usedPercent]] : [],
        ),
    },
  ];
}
