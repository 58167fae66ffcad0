import type { Config } from "../config/parse.ts";

import { plural } from "../shared/text.ts";

/** One paragraph an operator can read at a glance after `octopus check-config`. */
export function summarizeConfig(config: Config, file: string): string {
  const oneshot = config.scripts.filter((s) => s.kind === "oneshot").length;
  const long = config.scripts.length - oneshot;
  const scheduled = config.scripts.filter((s) => s.schedule).length;
  const parts = [
    `${plural(oneshot, "one-time script")} and ${plural(long, "long-running script")}` +
      (scheduled ? ` (${scheduled} scheduled)` : ""),
    plural(config.monitored_devices.length, "monitored device"),
    `${plural(config.telegram.admins.length, "admin")} and ${plural(config.telegram.viewers.length, "viewer")}`,
    `alerts on "${config.alerts.check}" to ${plural(config.telegram.alert_chats.length, "chat")}`,
    `plume: ${plural(config.plume.locations.length, "saved location")}`,
    `http: ${config.http.listen ?? "off"}`,
  ];
  const warning =
    config.telegram.admins.length === 0 ? " Warning: no admins, so nobody can run scripts." : "";
  const renamed = config.scripts.filter((s) => s.title !== s.name);
  const commands = renamed.length
    ? ` Scripts by their command-safe names: ${renamed.map((s) => `"${s.title}" is /run ${s.name}`).join(", ")}.`
    : "";
  return `${file}: OK. ${parts.join("; ")}.${commands}${warning}`;
}
