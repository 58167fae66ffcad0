import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type LocalBotApi, startLocalBotApi } from "../../src/console/local-api/server.ts";
import { freePort, spawnBot } from "../support/bot-process.ts";
import { ADMIN } from "../support/harness.ts";
import { SCRIPTS } from "../support/runner-kit.ts";

/**
 * Another process holds octopus.db's write lock (an operator's sqlite3 in a transaction, a
 * backup tool): the bot keeps answering, its writes give up after a bounded wait and go the
 * full-disk way (handled from memory, logged once), and it is durable again once the lock goes.
 */

let api: LocalBotApi | undefined;
let bot: ReturnType<typeof spawnBot> | undefined;
const lockers: Bun.Subprocess[] = [];
afterEach(async () => {
  for (const l of lockers.splice(0)) l.kill("SIGKILL");
  bot?.proc.kill("SIGKILL");
  await bot?.proc.exited;
  bot = undefined;
  await api?.stop();
  api = undefined;
});

/** A separate process that takes the write lock (BEGIN IMMEDIATE) and holds it for `ms`. */
async function holdWriteLock(file: string, ms: number) {
  const code = `
    const { Database } = require("bun:sqlite");
    const db = new Database(${JSON.stringify(file)});
    db.run("BEGIN IMMEDIATE");
    console.log("locked");
    await Bun.sleep(${ms});
    db.run("COMMIT");
    console.log("released");
  `;
  const proc = Bun.spawn([process.execPath, "-e", code], { stdout: "pipe", stderr: "inherit" });
  lockers.push(proc);
  const reader = proc.stdout.getReader();
  const first = await reader.read();
  if (!new TextDecoder().decode(first.value).includes("locked")) throw new Error("the lock was not taken");
  return { released: proc.exited };
}

const textEvent =
  (match: (t: string) => boolean) => (e: Parameters<Parameters<LocalBotApi["waitFor"]>[0]>[0]) =>
    (e.type === "message" || e.type === "edit") && match(e.message.text);

describe("octopus.db locked by another process", () => {
  test("30 s of another writer: every command answered within seconds, a run reports, writes degrade and come back", async () => {
    api = startLocalBotApi();
    api.openChat(ADMIN.id, ADMIN);
    const port = freePort();
    bot = spawnBot(
      api,
      `
telegram:
  admins: [${ADMIN.id}]
monitored_devices:
  - { name: root, path: / }
one_time_scripts:
  - { name: hello, path: ${SCRIPTS}/exit-with.sh }
http:
  listen: 127.0.0.1:${port}
`,
    );
    await bot.ready();
    const lock = await holdWriteLock(join(bot.stateDir, "octopus.db"), 30_000);
    const lockedAt = Date.now();
    // A command a second for most of the 30 s, each timed from the user's message to the answer.
    const latencies: number[] = [];
    for (let i = 0; Date.now() - lockedAt < 24_000; i++) {
      const t0 = performance.now();
      api.userSays(ADMIN.id, ADMIN, i % 2 ? "/status" : "/whoami");
      await api.waitFor(
        textEvent((t) => (i % 2 ? t.includes("root") : t.startsWith("You are Ada"))),
        20_000,
        api.state.events.length,
      );
      latencies.push(performance.now() - t0);
      await Bun.sleep(1000);
    }
    // Before: each write waited 5 s for the lock (three commands in 26 s). The first write
    // waits the bounded busy timeout (1 s); after that the watch has seen the lock.
    expect(latencies.length).toBeGreaterThan(15);
    expect(Math.max(...latencies)).toBeLessThan(3000);
    const sorted = [...latencies].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)] ?? 0).toBeLessThan(500);
    // A run still runs and reports; only its history row is missing, and the log says so.
    api.userSays(ADMIN.id, ADMIN, "/run hello");
    await api.waitFor(
      textEvent((t) => t.startsWith("✅ hello · exit 0")),
      5_000,
    );
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
      storage: { failing: { area: string }[] };
    };
    expect(health.storage.failing.map((f) => f.area)).toContain("database");
    expect(
      bot.output().match(/storage failing: database cannot be written; another process holds/g),
    ).toHaveLength(1);
    expect(bot.output()).toContain("storage failing: run history cannot be written");
    expect(Date.now() - lockedAt).toBeLessThan(30_000);

    // The other process lets go: within a probe or two the writes wait and land again.
    await lock.released;
    for (let i = 0; i < 100 && !bot.output().includes("storage works again: database"); i++)
      await Bun.sleep(50);
    expect(bot.output()).toContain("storage works again: database");
    api.userSays(ADMIN.id, ADMIN, "/run hello");
    await api.waitFor(
      textEvent((t) => t.startsWith("✅ hello · exit 0")),
      5_000,
      api.state.events.length,
    );
    const db = new Database(join(bot.stateDir, "octopus.db"), { readonly: true });
    expect(db.query("SELECT script, status FROM runs").all()).toEqual([
      { script: "hello", status: "succeeded" },
    ]);
    db.close();
    expect(bot.proc.exitCode).toBeNull();
    bot.proc.kill("SIGTERM");
    expect(await bot.proc.exited).toBe(0);
  }, 90_000);
});
