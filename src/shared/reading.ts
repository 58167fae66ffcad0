/**
 * One watched value with its thresholds: what the alert rules evaluate. Made from a server
 * snapshot (alerts) or a Plume location's health (the Plume watch).
 */
export interface Reading {
  /**
   * `disk:root`, `inodes:root`, `load`, `memory`, `plume:office`: the one name of a check, in
   * messages, /alerts, /status and /mute alike.
   */
  id: string;
  /** undefined when the thing cannot be read at all (an unmounted disk): that is critical. */
  value: number | undefined;
  warn: number;
  crit: number;
  unit: "%" | "/core" | "level";
  /** Why the value is missing. */
  error?: string;
  /** Shown instead of the number (a Plume health level: "🟠 Partial outage"). */
  display?: string;
  /** Overrides alerts.clear_margin (levels are whole numbers: 0). */
  clearMargin?: number;
}
