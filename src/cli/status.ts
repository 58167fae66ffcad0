import type { Config } from "../config/parse.ts";
import { deviceLevel, formatStatusPlain, statusJson } from "../system/format.ts";
import type { Snapshotter } from "../system/snapshot.ts";
import type { CliIo } from "./io.ts";

/**
 * `octopus status [--json]`: the snapshot on a terminal. Exit 1 when a monitored device is
 * at or over its critical threshold or cannot be read, so cron and monitoring can use it.
 */
export async function statusCommand(
  config: Config,
  snapshotter: Snapshotter,
  json: boolean,
  io: CliIo,
): Promise<number> {
  const snapshot = await snapshotter.take(config.monitored_devices);
  const thresholds = { load: config.alerts.load, memory: config.alerts.memory };
  io.out(
    json
      ? JSON.stringify(statusJson(snapshot, thresholds), null, 2)
      : formatStatusPlain(snapshot, thresholds),
  );
  return snapshot.devices.some((d) => deviceLevel(d) === "crit") ? 1 : 0;
}
