import { Cron } from "croner";
import type { Config } from "../../config/parse.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { Reading } from "../../shared/reading.ts";
import { formatClock } from "../../shared/time-format.ts";
import type { AlertsRepo } from "../../storage/alerts-repo.ts";
import type { StorageHealth } from "../../storage/health.ts";
import type { MetaRepo } from "../../storage/meta-repo.ts";
import type { Snapshot } from "../../system/snapshot.ts";
import type { AlertDelivery } from "./delivery.ts";
import {
  handlingOf,
  type IncidentContext,
  incidentKeyboard,
  incidentText,
  planFor,
  stateLine,
} from "./messages.ts";
import { readingsFrom } from "./readings.ts";
import { type AlertEvent, type CheckState, evaluate, type RuleConfig } from "./rules.ts";

/**
 * The unattended side: a croner job takes one snapshot per tick, runs the rule engine,
 * keeps incidents and states in SQLite and hands messages to the durable delivery. `tick`
 * is the error sink for a check: a failure is logged and the schedule goes on.
 */

export const HEARTBEAT_KEY = "alerts.heartbeat";
/**
 * Checks the engine keeps at most (every server's, location's and disk's): a flood of fresh
 * names (a compromised fleet server) costs no more states, incidents or messages past it.
 */
export const MAX_SERIES = 5000;
const TICKS_KEY = "alerts.ticks";

export function createAlertMonitor(deps: {
  config: Config;
  snapshot(): Promise<Snapshot>;
  repo: AlertsRepo<CheckState>;
  meta: MetaRepo;
  delivery: AlertDelivery;
  clock: Clock;
  log: Logger;
  storage?: StorageHealth;
  /** Each check's snapshot (the metric history keeps it). */
  onSnapshot?(s: Snapshot): void;
  /** Readings made elsewhere that went through the rules (the history keeps them too). */
  onReadings?(list: readonly Reading[]): void;
  /** Readings computed from the history each check (the disk fill forecast). */
  extraReadings?(): Reading[];
}) {
  const { config, repo, clock, log } = deps;
  const rules: RuleConfig = {
    forChecks: config.alerts.for,
    clearMargin: config.alerts.clear_margin,
    repeatMs: config.alerts.repeat === "off" ? undefined : config.alerts.repeat,
  };
  let states: Map<string, CheckState> = repo.states();
  const readings = new Map<string, Reading>();
  let job: Cron | undefined;
  let host = "server";
  let lastSnapshot: Snapshot | undefined;
  /** Whether the cap on series was said (once per process). */
  let cappedSaid = false;

  /** The readings the engine takes: known checks, and new ones while there is room. */
  function admit(list: readonly Reading[]): readonly Reading[] {
    let room = MAX_SERIES - Math.max(readings.size, states.size);
    const taken: Reading[] = [];
    const refused: string[] = [];
    for (const r of list) {
      if (readings.has(r.id) || states.has(r.id)) taken.push(r);
      else if (room > 0) {
        room--;
        taken.push(r);
      } else refused.push(r.id);
    }
    if (refused.length && !cappedSaid) {
      cappedSaid = true;
      log.warn("too many alert checks: new ones are not watched", {
        max: MAX_SERIES,
        refused: refused.length,
        first: refused[0],
      });
      const text = `⚠️ ${MAX_SERIES} alert checks are watched already: new ones (${refused.length} now, first ${refused[0]}) are not watched. Said once; see the log.`;
      deps.delivery.enqueue(config.telegram.alert_chats, null, [
        { kind: "notice", text: { text, entities: [] }, silent: false },
      ]);
    }
    return refused.length ? taken : list;
  }

  /**
   * A write that may fail (state disk full): the check goes on from memory, because the alert
   * about that disk is the one that must get out. The failure is logged once per outage.
   */
  function write<T>(area: string, fn: () => T, otherwise: T): T {
    try {
      const value = fn();
      deps.storage?.ok(area);
      return value;
    } catch (error) {
      if (deps.storage) deps.storage.failed(area, error, "alert checks go on from memory");
      else log.error(`${area} cannot be written`, { error });
      return otherwise;
    }
  }

  function record(event: AlertEvent): number | null {
    return write("alert incidents", () => recordIncident(event), null);
  }

  function recordIncident(event: AlertEvent): number | null {
    const current = repo.currentIncident(event.id);
    const now = clock.now();
    const state = states.get(event.id);
    if (event.kind === "fire" || (event.kind === "settled" && event.level !== "ok" && !current)) {
      return repo.openIncident(event.id, event.level, now);
    }
    if (!current) return null;
    if (event.kind === "resolve" || (event.kind === "settled" && event.level === "ok")) {
      repo.closeIncident(current.id, now, event.peak);
    } else if (event.kind === "change") {
      repo.updateIncident(current.id, event.to, state?.peak);
    }
    return current.id;
  }

  /** Runs the engine over admitted readings (see admit); states of other checks are kept. */
  function process(list: readonly Reading[]) {
    const now = clock.now();
    for (const r of list) readings.set(r.id, r);
    const result = evaluate(states, list, now, rules);
    for (const [id, s] of states) if (!result.states.has(id)) result.states.set(id, s);
    states = result.states;
    for (const event of result.events) {
      const incidentId = record(event);
      const started = repo.incident(incidentId ?? -1)?.startedAt ?? now;
      const plans = planFor(event, contextOf(incidentId ?? 0, started, states.get(event.id), now));
      log.info("alert", { check: event.id, event: event.kind, muted: event.muted, incident: incidentId });
      if (plans.length) deps.delivery.enqueue(config.telegram.alert_chats, incidentId, plans);
    }
    write("alert states", () => repo.saveStates(states, now), undefined);
  }

  async function tick(): Promise<void> {
    const snap = await deps.snapshot();
    lastSnapshot = snap;
    host = snap.host;
    deps.onSnapshot?.(snap);
    process(admit([...readingsFrom(snap, config), ...(deps.extraReadings?.() ?? [])]));
    write(
      "alert states",
      () => {
        deps.meta.set(HEARTBEAT_KEY, String(clock.now()));
        deps.meta.set(TICKS_KEY, String(Number(deps.meta.get(TICKS_KEY) ?? 0) + 1));
      },
      undefined,
    );
  }

  const persist = () => write("alert states", () => repo.saveStates(states, clock.now()), undefined);

  function contextOf(
    incidentId: number,
    startedAt: number,
    s: CheckState | undefined,
    now: number,
  ): IncidentContext {
    return { incidentId, startedAt, host, timeZone: clock.timeZone, handling: handlingOf(s, now) };
  }

  /** Re-edits an open incident's messages in every alert chat: who acked or muted it, the buttons. */
  function refresh(incidentId: number): boolean {
    const incident = repo.incident(incidentId);
    const s = incident ? states.get(incident.checkId) : undefined;
    const r = incident ? readings.get(incident.checkId) : undefined;
    if (!incident || incident.endedAt !== null || !s?.open || !r) return false;
    const c = contextOf(incidentId, incident.startedAt, s, clock.now());
    const text = incidentText(r, s.level, c);
    const plan = {
      kind: "edit" as const,
      text,
      silent: true,
      sendIfMissing: false,
      keyboard: incidentKeyboard(incidentId, c.handling),
    };
    deps.delivery.enqueue(config.telegram.alert_chats, incidentId, [plan]);
    return true;
  }

  return {
    tick,
    /** Readings from elsewhere (the Plume watch) through the same rules, mutes and incidents. */
    evaluateExternal: (all: readonly Reading[]) => {
      const list = admit(all);
      deps.onReadings?.(list);
      process(list);
    },
    start() {
      job = new Cron(
        config.alerts.check,
        { protect: true, catch: (error) => log.error("alert check failed", { error }) },
        tick,
      );
    },
    stop() {
      job?.stop();
      job = undefined;
      write("alert states", () => deps.meta.set(HEARTBEAT_KEY, String(clock.now())), undefined);
    },
    nextCheck: () => job?.nextRun() ?? null,
    /** Milliseconds between two checks, from the cron pattern. */
    intervalMs(): number {
      const [a, b] = new Cron(config.alerts.check, { paused: true }).nextRuns(2);
      return a && b ? b.getTime() - a.getTime() : 30_000;
    },
    ticks: () => Number(deps.meta.get(TICKS_KEY) ?? 0),
    /** The snapshot of the last check (for /metrics). */
    lastSnapshot: () => lastSnapshot,
    /** Every check's level: 0 ok, 1 warn, 2 crit. */
    levels: (): [string, number][] =>
      [...states].map(([id, s]) => [id, s.level === "crit" ? 2 : s.level === "warn" ? 1 : 0]),
    checkIds: () => [...readings.keys()],
    /** Lines for /alerts: every check, firing first. */
    lines(): { firing: string[]; quiet: string[] } {
      const now = clock.now();
      const firing: string[] = [];
      const quiet: string[] = [];
      for (const [id, r] of readings) {
        const s = states.get(id);
        const mute = s?.muteUntilResolved
          ? "until resolved"
          : s?.muteUntil && s.muteUntil > now
            ? `until ${formatClock(s.muteUntil, clock.timeZone)}`
            : undefined;
        const line = stateLine(
          r,
          s?.level ?? "ok",
          s?.open ? s.incidentStart : undefined,
          mute,
          clock.timeZone,
        );
        (s && s.level !== "ok" ? firing : quiet).push(line);
      }
      return { firing, quiet };
    },
    /** Mutes a check until a time, or until its incident resolves. Returns false for an unknown check. */
    mute(checkId: string, until: number | "resolved", by: string): boolean {
      const s = states.get(checkId);
      if (!s) return false;
      if (until === "resolved") s.muteUntilResolved = true;
      else s.muteUntil = until;
      s.mutedBy = by;
      persist();
      return true;
    },
    unmute(checkId: string): "unknown" | "not-muted" | "unmuted" {
      const s = states.get(checkId);
      if (!s) return "unknown";
      const was = handlingOf(s, clock.now()).mutedUntil !== undefined;
      s.muteUntilResolved = false;
      delete s.muteUntil;
      delete s.mutedBy;
      persist();
      return was ? "unmuted" : "not-muted";
    },
    /** Stops repeats of an incident. */
    ack(checkId: string, by: string): boolean {
      const s = states.get(checkId);
      if (!s?.open) return false;
      s.acked = true;
      s.ackedBy = by;
      persist();
      return true;
    },
    refresh,
    /** Whether a check is muted now. */
    isMuted: (checkId: string) => handlingOf(states.get(checkId), clock.now()).mutedUntil !== undefined,
  };
}

export type AlertMonitor = ReturnType<typeof createAlertMonitor>;
