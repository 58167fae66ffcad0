import type { Config } from "../config/parse.ts";

import { plural } from "../shared/text.ts";
import { isLoopbackHost } from "../shared/url.ts";

/**
 * What is wrong with the dashboard's exposure, in the operator's words (none when it is off):
 * bound beyond loopback without TLS in front, or a public_url browsers will not keep a
 * Secure cookie for.
 */
export function dashboardWarnings(http: Config["http"]): string[] {
  if (!http.dashboard || !http.listen) return [];
  const host = http.listen.slice(0, http.listen.lastIndexOf(":")).replace(/^\[|\]$/g, "");
  const publicUrl = http.public_url ? new URL(http.public_url) : undefined;
  const warnings: string[] = [];
  if (!isLoopbackHost(host) && publicUrl?.protocol !== "https:")
    warnings.push(
      `the dashboard is on ${http.listen}, beyond loopback, without TLS: put an https reverse proxy in front and set http.public_url to its https:// address (login links and cookies would cross the network in clear)`,
    );
  if (publicUrl && publicUrl.protocol === "http:" && !isLoopbackHost(publicUrl.hostname))
    warnings.push(
      `http.public_url ${http.public_url} is plain http: browsers keep the dashboard's Secure cookie only over https (or on loopback), so logins would fail`,
    );
  if (!publicUrl && (host === "0.0.0.0" || host === "::"))
    warnings.push(
      `http.listen ${http.listen} is no address a browser can open: set http.public_url to where people reach it`,
    );
  return warnings;
}

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
    `http: ${config.http.listen ?? "off"}${config.http.dashboard && config.http.listen ? " with the dashboard" : ""}`,
  ];
  const warnings = [
    ...(config.telegram.admins.length === 0 ? ["no admins, so nobody can run scripts"] : []),
    ...dashboardWarnings(config.http),
  ];
  const warning = warnings.map((w) => ` Warning: ${w}.`).join("");
  const renamed = config.scripts.filter((s) => s.title !== s.name);
  const commands = renamed.length
    ? ` Scripts by their command-safe names: ${renamed.map((s) => `"${s.title}" is /run ${s.name}`).join(", ")}.`
    : "";
  return `${file}: OK. ${parts.join("; ")}.${commands}${warning}`;
}

/** The id `octopus example-config` and the installed config carry until the operator sets theirs. */
export const EXAMPLE_ADMIN_ID = 123456789;

export type ServiceReadiness = { ready: true } | { ready: false; missing: string[] };

/**
 * Whether the systemd unit could start and be useful with this config and env file: a bot
 * token (TELEGRAM_TOKEN or TELEGRAM_BOT_TOKEN, as `run` reads them) and an admin who is not
 * the example's. `envText` undefined: the file could not be read. Each missing thing comes
 * with what to do about it, in the operator's words.
 */
export function serviceReadiness(
  config: Config,
  env: Record<string, string> | undefined,
  envFile: string,
): ServiceReadiness {
  const missing: string[] = [];
  if (env === undefined)
    missing.push(`${envFile} cannot be read: create it (mode 0600) with TELEGRAM_TOKEN=`);
  else if (!env.TELEGRAM_TOKEN && !env.TELEGRAM_BOT_TOKEN)
    missing.push(`no bot token: put TELEGRAM_TOKEN=<token from @BotFather> in ${envFile}`);
  if (env && config.alertmanager && !env.OCTOPUS_ALERTMANAGER_TOKEN)
    missing.push(
      `alertmanager: is set but ${envFile} has no OCTOPUS_ALERTMANAGER_TOKEN= (the bearer token its webhook carries; the webhook answers 503 without it)`,
    );
  const admins = config.telegram.admins.filter((id) => id !== EXAMPLE_ADMIN_ID);
  if (admins.length === 0)
    missing.push(
      config.telegram.admins.length
        ? `telegram.admins is still the example id ${EXAMPLE_ADMIN_ID}: set your Telegram user id (the bot tells strangers theirs)`
        : "no admin: set telegram.admins to your Telegram user id (the bot tells strangers theirs)",
    );
  return missing.length ? { ready: false, missing } : { ready: true };
}
