import { Cron } from "croner";
import type { PlumeLocationConfig } from "../../config/schema.ts";
import type { Logger } from "../../shared/log.ts";
import type { Reading } from "../../shared/reading.ts";
import type { PlumeClient } from "./client.ts";
import { plumeErrorText } from "./errors.ts";
import { HEALTH_ICON, HEALTH_NAME, HEALTH_RANK } from "./health.ts";
import type { PlumeService } from "./service.ts";

/**
 * Watched locations (`watch: true`), checked on `plume.watch_check` with the server's
 * credentials. Each health level becomes a reading for the alert engine: partial outage is
 * a warning, offline is critical, so the same sustain, mute and one-message rules apply.
 * A failed call is skipped and logged: Plume being slow is not the customer being down.
 */
export function createPlumeWatch(deps: {
  locations: readonly PlumeLocationConfig[];
  pattern: string;
  plume: PlumeService;
  serverClient(): PlumeClient | undefined;
  report(readings: Reading[]): void;
  log: Logger;
}) {
  let job: Cron | undefined;
  const watched = deps.locations.filter((l) => l.watch);

  async function check() {
    const client = deps.serverClient();
    if (!client) return;
    const readings: Reading[] = [];
    for (const loc of watched) {
      // One location that fails in any way is logged and skipped: it never stops the others.
      const r = await deps.plume
        .health("server", client, loc.customer_id, loc.location_id, true)
        .catch((error: unknown) => ({ ok: false as const, thrown: error }));
      if (!r.ok) {
        deps.log.warn("watched location could not be checked", {
          location: loc.name,
          ...("thrown" in r ? { error: r.thrown } : { error: plumeErrorText(r.error) }),
        });
        continue;
      }
      const { level, findings } = r.value.report;
      // No evidence either way: no reading, so an open incident stays open (never "resolved").
      if (level === "unknown") {
        deps.log.warn("watched location has no evidence of health; skipped", { location: loc.name });
        continue;
      }
      readings.push({
        id: `plume:${loc.name}`,
        value: HEALTH_RANK[level],
        warn: HEALTH_RANK.partial,
        crit: HEALTH_RANK.offline,
        unit: "level",
        display: `${HEALTH_ICON[level]} ${HEALTH_NAME[level]}${findings[0] ? `: ${findings[0].text}` : ""}`,
        clearMargin: 0,
      });
    }
    if (readings.length) deps.report(readings);
  }

  return {
    check,
    start() {
      if (!watched.length) return;
      if (!deps.serverClient()) {
        deps.log.warn(
          "plume.locations has watched locations but no server credentials (PLUME_*): watch is off",
        );
        return;
      }
      job = new Cron(
        deps.pattern,
        { protect: true, catch: (error) => deps.log.error("plume watch failed", { error }) },
        check,
      );
    },
    stop() {
      job?.stop();
    },
  };
}
