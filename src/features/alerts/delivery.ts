import type { Clock } from "../../shared/clock.ts";
import { formatDuration } from "../../shared/duration.ts";
import type { Logger } from "../../shared/log.ts";
import { joinRich } from "../../shared/text.ts";
import type { AlertOutboxRow, AlertsRepo } from "../../storage/alerts-repo.ts";
import type { StorageHealth } from "../../storage/health.ts";
import type { Outbox } from "../../telegram/send/outbox.ts";
import type { MessagePlan } from "./messages.ts";
import type { CheckState } from "./rules.ts";

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
  repo: AlertsRepo<CheckState>;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  /** Told when the alert outbox cannot be written, and when it can again. */
  storage?: StorageHealth;
}): AlertDelivery {
  const { repo, outbox, clock, log } = deps;
  let running: Promise<void> | undefined;
  let stopped = false;
  // When the table cannot be written (disk full), alerts wait here instead: an alert about a
  // full disk is the one message that must get out. They are lost only if the bot dies too.
  const memory: AlertOutboxRow[] = [];
  let memorySeq = 0;
  /** Durable rows delivered but not yet deleted (the delete failed): skipped, deleted later. */
  const undeleted = new Set<number>();
  let lastDurable = 0;

  const storageFailed = (error: unknown) =>
    deps.storage
      ? deps.storage.failed("alert outbox", error, "alerts are delivered from memory")
      : log.error("alert outbox cannot be written: delivering from memory", { error });
  const storageOk = () => deps.storage?.ok("alert outbox");

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
        try {
          repo.setMessage(row.incidentId, row.chatId, r.value.messageIds[0] as number);
        } catch (e) {
          storageFailed(e);
        }
      }
      if (!r.ok) error = r.error;
    }
    if (!ok) log.error("alert message could not be delivered", { chat: row.chatId, kind: plan.kind, error });
  }

  /** Deletes delivered durable rows; a failure keeps them in `undeleted` for the next try. */
  function forget(id?: number) {
    if (id !== undefined) undeleted.add(id);
    try {
      for (const done of undeleted) {
        repo.deleteOutbox(done);
        undeleted.delete(done);
      }
    } catch (error) {
      storageFailed(error);
    }
  }

  /** Durable rows first (they are older), then what waits in memory. */
  function next(): { row: AlertOutboxRow; durable: boolean } | undefined {
    let row = repo.nextOutbox(lastDurable);
    while (row && undeleted.has(row.id)) row = repo.nextOutbox(row.id);
    if (row) return { row, durable: true };
    const first = memory.shift();
    return first ? { row: first, durable: false } : undefined;
  }

  async function loop() {
    for (let item = next(); item && !stopped; item = next()) {
      const { row, durable } = item;
      try {
        await deliver(row);
      } catch (error) {
        log.error("alert delivery failed", { row: row.id, error });
      }
      // The outbox retried until its deadline or got a final answer: either way this row is done.
      if (durable) {
        lastDurable = row.id;
        if (!stopped) forget(row.id);
      }
    }
    // Rows delivered past lastDurable were all handled: the next pass may start from the top.
    lastDurable = 0;
  }

  const kick = () => {
    if (running || stopped) return;
    running = loop().finally(() => {
      running = undefined;
      if (!stopped && (memory.length || next())) kick();
    });
  };

  const depth = () => {
    try {
      return repo.outboxDepth() - undeleted.size + memory.length;
    } catch {
      return memory.length;
    }
  };

  return {
    enqueue(chats, incidentId, plans) {
      const now = clock.now();
      const rows = plans.flatMap((plan) =>
        chats.map((chatId) => ({
          chatId,
          incidentId,
          kind: plan.kind,
          payload: JSON.stringify(plan),
          createdAt: now,
        })),
      );
      try {
        repo.enqueue(rows);
        storageOk();
      } catch (error) {
        storageFailed(error);
        for (const row of rows) memory.push({ id: -++memorySeq, ...row });
      }
      kick();
    },
    kick,
    depth,
    async drain(timeoutMs) {
      const deadline = clock.now() + timeoutMs;
      while (depth() > 0 && clock.now() < deadline) await Bun.sleep(20);
      return depth() === 0;
    },
    stop() {
      stopped = true;
    },
  };
}
