import type { Logger } from "../../shared/log.ts";
import { type Feature, menuFor } from "../feature.ts";
import type { OutboxQueue } from "../send/outbox-queue.ts";

/**
 * Registers the Telegram command menus: the viewer's for everyone, the admin's for each admin's
 * own chat. In the background: a menu the Bot API will not take never delays a reply.
 */
export async function registerMenus(
  queue: OutboxQueue,
  features: readonly Feature[],
  admins: readonly number[],
  log: Logger,
): Promise<void> {
  const all = features.flatMap((f) => f.commands);
  const viewer = await queue.enqueue({
    method: "setMyCommands",
    chatId: undefined,
    priority: "bulk",
    params: { commands: menuFor(all, "viewer") },
  });
  const results = await Promise.all(
    admins.map((id) =>
      queue.enqueue({
        method: "setMyCommands",
        chatId: undefined,
        priority: "bulk",
        params: { commands: menuFor(all, "admin"), scope: { type: "chat", chat_id: id } },
      }),
    ),
  );
  // An admin who never opened a chat with the bot answers "chat not found": harmless.
  const failed = results.filter((r) => !r.ok).length;
  if (!viewer.ok || failed)
    log.warn("some command menus were not registered", { failed: failed + (viewer.ok ? 0 : 1) });
}
