import type { Clock } from "../shared/clock.ts";
import { formatDuration } from "../shared/duration.ts";
import type { Logger } from "../shared/log.ts";
import type { AlertOutboxRow, AlertsRepo } from "../storage/alerts-repo.ts";
import type { Outbox } from "../telegram/outbox.ts";
import { joinRich } from "../telegram/rich-text.ts";
import type { MessagePlan } from "./messages.ts";

/**
 * Delivers alert messages from the durable `alert_outbox` table, one at a time and in
 * order, at alert priority. A row is deleted only once Telegram took it (or refused it for
 * good), so an outage or a restart delays alerts but never loses or reorders them; a
 * message sent more than a minute late says so.
 */

const LATE_MS = 60_000;

export interface AlertDelivery {
  /** Queues plans for every chat (in one go, so nothing interleaves) and starts delivering. */
  enqueue(chats: readonly number[], incidentId: number | null, plans: readonly MessagePlan[]): void;
  /** Starts delivering what is queued (also what a previous run left). */
  kick(): void;
  depth(): number;
  /** Resolves when the table is empty or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
  stop(): void;
}

export function createAlertDelivery(deps: {
  repo: AlertsRepo;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
}): AlertDelivery {
  const { repo, outbox, clock, log } = deps;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function deliver(row: AlertOutboxRow) {
    const plan = JSON.parse(row.payload) as MessagePlan;
    const late = clock.now() - row.createdAt;
    const text =
      late >= LATE_MS && plan.kind !== "edit"
        ? joinRich([`⏳ delayed ${formatDuration(late)}\n`, plan.text])
        : plan.text;
    const opts = {
      priority: "alert" as const,
      silent: plan.silent,
      ...(plan.keyboard ? { keyboard: plan.keyboard } : {}),
    };
    const messageId = row.incidentId === null ? undefined : repo.message(row.incidentId, row.chatId);
    let ok: boolean;
    let error = "";
    if (plan.kind === "edit" && messageId !== undefined) {
      const r = await outbox.edit(row.chatId, messageId, text, opts);
      ok = r.ok;
      if (!r.ok) error = r.error;
    } else if (plan.kind === "edit" && !plan.sendIfMissing) {
      return; // the incident message was never sent (muted): nothing to edit
    } else {
      const replyTo = plan.kind === "reply" && messageId !== undefined ? { replyTo: messageId } : {};
      const r = await outbox.send(row.chatId, text, { ...opts, ...replyTo });
      ok = r.ok;
      if (r.ok && row.incidentId !== null && (plan.kind === "incident" || plan.kind === "edit")) {
        repo.setMessage(row.incidentId, row.chatId, r.messageIds[0] as number);
      }
      if (!r.ok) error = r.error;
    }
    if (!ok) log.error("alert message could not be delivered", { chat: row.chatId, kind: plan.kind, error });
  }

  async function loop() {
    for (let row = repo.nextOutbox(); row && !stopped; row = repo.nextOutbox()) {
      try {
        await deliver(row);
      } catch (error) {
        log.error("alert delivery failed", { row: row.id, error });
      }
      // The outbox retried until its deadline or got a final answer: either way this row is done.
      if (!stopped) repo.deleteOutbox(row.id);
    }
  }

  const kick = () => {
    if (running || stopped) return;
    running = loop().finally(() => {
      running = undefined;
      if (!stopped && repo.nextOutbox()) kick();
    });
  };

  return {
    enqueue(chats, incidentId, plans) {
      const now = clock.now();
      for (const plan of plans) {
        for (const chatId of chats)
          repo.enqueue({
            chatId,
            incidentId,
            kind: plan.kind,
            payload: JSON.stringify(plan),
            createdAt: now,
          });
      }
      kick();
    },
    kick,
    depth: () => repo.outboxDepth(),
    async drain(timeoutMs) {
      const deadline = clock.now() + timeoutMs;
      while (repo.outboxDepth() > 0 && clock.now() < deadline) await Bun.sleep(20);
      return repo.outboxDepth() === 0;
    },
    stop() {
      stopped = true;
    },
  };
}
