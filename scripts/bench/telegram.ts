/**
 * Command round trip through the local Bot API: update delivered → reply received.
 * Rate limits are lifted for the latency figures (they measure the bot, not Telegram's
 * budget); the cost of the real limits is reported separately.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/app.ts";
import { parseConfig } from "../../src/config/parse.ts";
import { startLocalBotApi } from "../../src/console/local-api/server.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { silentLogger } from "../../src/shared/log.ts";
import { createSecretBox } from "../../src/storage/crypto.ts";
import { openMemoryDb } from "../../src/storage/db.ts";
import { createSnapshotter } from "../../src/system/snapshot.ts";
import { NO_LIMITS, type RateLimitPolicy } from "../../src/telegram/send/rate-limits.ts";
import { startBenchBot } from "./bot.ts";
import { ms, report, summarize } from "./stats.ts";

/**
 * The bot as deployed: dist/octopus in its own process (so it does not share an event loop
 * with the Bot API server, as it never does in production).
 */
async function withBinary<T>(admins: number[], fn: (api: ReturnType<typeof startLocalBotApi>) => Promise<T>) {
  const { api, stop } = await startBenchBot(
    "telegram",
    () => `telegram:\n  admins: [${admins.join(", ")}]\n`,
    {
      env: { OCTOPUS_RATE_LIMITS: "off" },
    },
  );
  try {
    return await fn(api);
  } finally {
    await stop();
  }
}

async function withBot<T>(
  admins: number[],
  limits: RateLimitPolicy | undefined,
  fn: (api: ReturnType<typeof startLocalBotApi>) => Promise<T>,
) {
  const parsed = parseConfig(`telegram:\n  admins: [${admins.join(", ")}]\n`, "/tmp/bench.yaml");
  if (!parsed.ok) throw new Error("config");
  const api = startLocalBotApi();
  const app = createApp({
    config: parsed.value.config,
    db: openMemoryDb(),
    clock: systemClock,
    log: silentLogger,
    token: api.token,
    apiRoot: api.url,
    snapshotter: createSnapshotter({ clock: systemClock, sleep: Bun.sleep }),
    stateDir: mkdtempSync(join(tmpdir(), "octopus-bench-state-")),
    secretBox: await createSecretBox(crypto.getRandomValues(new Uint8Array(32))),
    env: {},
    ...(limits ? { limits } : {}),
  });
  await app.start();
  try {
    return await fn(api);
  } finally {
    await app.stop();
    await api.stop();
  }
}

async function roundTrip(api: ReturnType<typeof startLocalBotApi>, chatId: number): Promise<number> {
  const since = api.state.events.length;
  const t0 = performance.now();
  api.userSays(chatId, { id: chatId, first_name: "bench" }, "/help");
  await api.waitFor((e) => e.type === "message" && e.message.chatId === chatId, 5000, since);
  return performance.now() - t0;
}

export async function benchTelegram(): Promise<void> {
  const user = 9001;
  const sequential = (where: string) => async (api: ReturnType<typeof startLocalBotApi>) => {
    for (let i = 0; i < 50; i++) await roundTrip(api, user); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < 1000; i++) samples.push(await roundTrip(api, user));
    const s = summarize(samples);
    report(`/help round trip, 1 chat, 1000 sequential, ${where} (p50 / p99)`, `${ms(s.p50)} / ${ms(s.p99)}`);
  };
  await withBot([user], NO_LIMITS, sequential("in-process"));
  await withBinary([user], sequential("dist/octopus"));

  const chats = Array.from({ length: 100 }, (_, i) => 20_000 + i);
  await withBinary(chats, async (api) => {
    for (const c of chats) await roundTrip(api, c);
    const samples: number[] = [];
    for (let round = 0; round < 10; round++)
      samples.push(...(await Promise.all(chats.map((c) => roundTrip(api, c)))));
    const s = summarize(samples);
    report(
      "/help round trip, 100 chats at once x 10 rounds, dist/octopus (p50 / p99)",
      `${ms(s.p50)} / ${ms(s.p99)}`,
    );
  });

  await withBot([user], undefined, async (api) => {
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) api.userSays(user, { id: user, first_name: "bench" }, "/help");
    await api.waitFor(() => [...api.state.messages.values()].length >= 10, 30_000);
    report("10 /help at once in one private chat, real limits (all answered)", ms(performance.now() - t0));
  });
}

if (import.meta.main) await benchTelegram();
