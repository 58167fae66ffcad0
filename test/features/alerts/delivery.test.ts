import { afterEach, expect, test } from "bun:test";
import { startLocalBotApi } from "../../../src/console/local-api/server.ts";
import { createAlertDelivery } from "../../../src/features/alerts/delivery.ts";
import type { CheckState } from "../../../src/features/alerts/rules.ts";
import { createManualClock, systemClock } from "../../../src/shared/clock.ts";
import { createAlertsRepo } from "../../../src/storage/alerts-repo.ts";
import { openMemoryDb } from "../../../src/storage/db.ts";
import { createOutbox } from "../../../src/telegram/send/outbox.ts";
import { createOutboxQueue } from "../../../src/telegram/send/outbox-queue.ts";
import { createRateLimiter } from "../../../src/telegram/send/rate-limits.ts";
import { createTransport, toUpload } from "../../../src/telegram/send/transport.ts";
import { createFakeSnapshots } from "../../support/fake-snapshots.ts";
import { ADMIN, captureLog, type Harness, startHarness } from "../../support/harness.ts";

let api: ReturnType<typeof startLocalBotApi> | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  await api?.stop();
  h = undefined;
  api = undefined;
});

function outboxFor(server: ReturnType<typeof startLocalBotApi>) {
  const queue = createOutboxQueue({
    call: createTransport({ token: server.token, apiRoot: server.url }),
    limiter: createRateLimiter(),
    clock: systemClock,
    log: captureLog().log,
  });
  return createOutbox({ queue, toUpload });
}

test("rows left by a previous run are delivered in order, marked delayed, and removed", async () => {
  api = startLocalBotApi();
  api.openChat(ADMIN.id, ADMIN);
  const repo = createAlertsRepo<CheckState>(openMemoryDb());
  const clock = createManualClock(Date.UTC(2026, 10, 22, 3, 0, 0));
  const plan = (text: string, kind: "incident" | "reply" = "incident") =>
    JSON.stringify({ kind, text: { text, entities: [] }, silent: false });
  const incident = repo.openIncident("disk:root", "crit", clock.now());
  repo.enqueue([
    {
      chatId: ADMIN.id,
      incidentId: incident,
      kind: "incident",
      payload: plan("🔴 CRIT disk root"),
      createdAt: clock.now(),
    },
  ]);
  repo.enqueue([
    {
      chatId: ADMIN.id,
      incidentId: incident,
      kind: "reply",
      payload: plan("🔴 now CRIT", "reply"),
      createdAt: clock.now(),
    },
  ]);
  clock.advance(7 * 60_000);
  const delivery = createAlertDelivery({ repo, outbox: outboxFor(api), clock, log: captureLog().log });
  delivery.kick();
  await api.waitFor(() => api?.state.messages.size === 2, 10_000);
  const [first, second] = [...api.state.messages.values()];
  expect(first?.text).toBe("⏳ delayed 7m\n🔴 CRIT disk root");
  expect(second?.text).toBe("⏳ delayed 7m\n🔴 now CRIT");
  expect(second?.replyTo).toBe(first?.messageId);
  expect(repo.message(incident, ADMIN.id)).toBe(first?.messageId);
  await delivery.drain(1000);
  expect(repo.outboxDepth()).toBe(0);
}, 20_000);

test("the croner job checks on its own schedule", async () => {
  api = startLocalBotApi();
  const disk = createFakeSnapshots();
  h = await startHarness(
    `telegram:\n  admins: [${ADMIN.id}]\nmonitored_devices:\n  - { name: data, path: /data }\nalerts:\n  check: "* * * * * *"\n`,
    {
      api,
      app: { snapshotter: disk.snapshotter },
    },
  );
  const before = h.app.alerts.monitor.ticks();
  await Bun.sleep(2300);
  expect(h.app.alerts.monitor.ticks() - before).toBeGreaterThanOrEqual(2);
  expect(h.app.alerts.monitor.nextCheck()).toBeInstanceOf(Date);
});
