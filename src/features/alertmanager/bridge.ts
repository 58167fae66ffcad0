import type { Database } from "bun:sqlite";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import type { AlertsRepo } from "../../storage/alerts-repo.ts";
import type { AmGroupRow, AmGroupsRepo } from "../../storage/am-groups-repo.ts";
import type { MessagePlan } from "../alerts/messages.ts";
import { groupKeyboard, groupText, type SilenceShown } from "./group-message.ts";
import { type AmPayload, digestOf } from "./payload.ts";
import { type AmRoute, chatsFor } from "./routes.ts";

/**
 * The bridge's core: a notification from Alertmanager becomes its group's message (one per
 * group and firing episode, edited as alerts fire and resolve), queued in the same durable
 * alert outbox local alerts use. Everything one notification changes is written in one
 * transaction: all of it, or (a write error: Alertmanager is answered 500 and retries)
 * none of it. The same notification twice (a repeat, a retry) has the same digest and sends
 * nothing.
 */

export interface BridgeDeps {
  db: Database;
  groups: AmGroupsRepo;
  alerts: AlertsRepo<unknown>;
  clock: Clock;
  log: Logger;
  routes: () => readonly AmRoute[];
  fallbackChats: () => readonly number[];
  /** The alert outbox has rows to send. */
  kick(): void;
}

export type Received = "shown" | "unchanged";

/** The incident's name in the daily digest: never a local check's (those have no spaces before a colon). */
const checkIdOf = (p: AmPayload) =>
  `Alertmanager ${p.groupLabels.alertname ?? p.commonLabels.alertname ?? "group"}`.slice(0, 120);
const levelOf = (p: AmPayload) =>
  (p.commonLabels.severity ?? p.groupLabels.severity) === "critical" ? "crit" : "warn";

export function silenceOf(g: AmGroupRow, now: number): SilenceShown | undefined {
  return g.silenceId && g.silencedBy && g.silencedUntil !== null && g.silencedUntil > now
    ? { by: g.silencedBy, until: g.silencedUntil }
    : undefined;
}

export function createBridge(deps: BridgeDeps) {
  const { groups, alerts, clock } = deps;

  /** The message plans of a group as it stands (for its chats). */
  function planOf(g: AmGroupRow, p: AmPayload, kind: MessagePlan["kind"], silent: boolean): MessagePlan {
    const silence = silenceOf(g, clock.now());
    const keyboard = groupKeyboard(g.id, p, silence !== undefined);
    return {
      kind,
      text: groupText(p, silence, clock.timeZone),
      silent,
      ...(keyboard ? { keyboard } : {}),
      ...(kind === "edit" ? { sendIfMissing: true } : {}),
    };
  }

  function queue(g: AmGroupRow, plans: MessagePlan[]) {
    const now = clock.now();
    alerts.enqueue(
      plans.flatMap((plan) =>
        g.chats.map((chatId) => ({
          chatId,
          incidentId: g.incidentId,
          kind: plan.kind,
          payload: JSON.stringify(plan),
          createdAt: now,
        })),
      ),
    );
  }

  const apply = deps.db.transaction((p: AmPayload): Received => {
    const now = clock.now();
    const digest = digestOf(p);
    const payload = JSON.stringify(p);
    const known = groups.byKey(p.groupKey);
    if (known && known.digest === digest) return "unchanged";
    if (!known && p.status === "resolved") {
      // Resolved before this bot saw it fire (it was down, or just configured): nothing to edit.
      groups.insert({ groupKey: p.groupKey, status: "resolved", digest, payload, chats: [], updatedAt: now });
      return "unchanged";
    }
    const id =
      known?.id ??
      groups.insert({ groupKey: p.groupKey, status: p.status, digest, payload, chats: [], updatedAt: now });
    const before = known ?? (groups.get(id) as AmGroupRow);
    const open =
      before.status === "firing" && before.incidentId !== null
        ? alerts.incident(before.incidentId)?.endedAt === null
        : false;
    let g: AmGroupRow = { ...before, status: p.status, digest, payload, updatedAt: now };
    let plans: MessagePlan[] = [];
    if (p.status === "firing" && !open) {
      // A new episode: its own incident and message, in the chats its labels route to now.
      const chats = chatsFor({ ...p.commonLabels, ...p.groupLabels }, deps.routes(), deps.fallbackChats());
      // Alertmanager notifies only what no silence covers: an earlier episode's silence is over.
      g = {
        ...g,
        chats,
        incidentId: alerts.openIncident(checkIdOf(p), levelOf(p), now),
        silenceId: null,
        silencedBy: null,
        silencedUntil: null,
      };
      groups.setSilence(id, undefined);
      plans = [planOf(g, p, "incident", false)];
    } else if (p.status === "firing") {
      if (g.incidentId !== null) alerts.updateIncident(g.incidentId, levelOf(p), undefined);
      plans = [planOf(g, p, "edit", true)];
    } else if (open && g.incidentId !== null) {
      alerts.closeIncident(g.incidentId, now, undefined);
      plans = [planOf(g, p, "edit", true)];
    }
    groups.update(g);
    queue(g, plans);
    return plans.length ? "shown" : "unchanged";
  });

  return {
    /** One notification, applied whole, or the error that left everything as it was. */
    receive(p: AmPayload): Result<Received, unknown> {
      try {
        const r = apply(p);
        if (r === "shown") deps.kick();
        return ok(r);
      } catch (error) {
        return err(error);
      }
    },
    /** The group's message edited in every chat it went to (after a mute or an unmute). */
    refresh(groupId: number): void {
      const g = groups.get(groupId);
      if (!g || g.incidentId === null) return;
      queue(g, [planOf(g, JSON.parse(g.payload) as AmPayload, "edit", true)]);
      deps.kick();
    },
  };
}

export type Bridge = ReturnType<typeof createBridge>;
