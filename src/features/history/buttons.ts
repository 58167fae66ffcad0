import { CallbackData } from "@gramio/callback-data";

/**
 * The chart buttons: the 📈 under /status, and the range buttons under a chart (they edit the
 * picture in place). `target` is `all`, `cpu`, `load`, `memory` or `disk:<name>`.
 */
export const CHART_RANGES = ["6h", "24h", "7d", "30d", "1y"] as const;
export type ChartRange = (typeof CHART_RANGES)[number];
export const chartButton = new CallbackData("ch")
  .enum("range", CHART_RANGES)
  .string("target")
  .enum("mode", ["new", "edit"] as const);
