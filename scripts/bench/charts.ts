/**
 * Charts and history: /chart → photo received through dist/octopus (the renderer is a child
 * process), the bot's RSS after 20 charts, the cost of keeping a check in the history, and the
 * database's size after a simulated year with 20 devices.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { createHistoryStore } from "../../src/features/history/store.ts";
import { createManualClock } from "../../src/shared/clock.ts";
import { silentLogger } from "../../src/shared/log.ts";
import { openDb } from "../../src/storage/db.ts";
import { createHistoryRepo } from "../../src/storage/history-repo.ts";
import { startBenchBot } from "./bot.ts";
import { ms, procMiB, report, summarize } from "./stats.ts";

async function chartRoundTrips(): Promise<void> {
  const user = { id: 1, first_name: "Ada" };
  const b = await startBenchBot(
    "charts",
    () => "telegram:\n  admins: [1]\nmonitored_devices:\n  - { name: root, path: / }\n",
  );
  b.api.openChat(user.id, user);
  await Bun.sleep(1500);
  const before = procMiB(b.bot.pid as number);
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const since = b.api.state.events.length;
    const t0 = performance.now();
    b.api.userSays(user.id, user, `/chart ${i % 2 ? "cpu" : "all"} 24h`);
    await b.api.waitFor((e) => e.type === "message" && e.message.photo !== undefined, 15_000, since);
    times.push(performance.now() - t0);
    // Telegram allows one message a second in a private chat: wait it out, so this measures the chart.
    await Bun.sleep(1100);
  }
  await Bun.sleep(500);
  const after = procMiB(b.bot.pid as number);
  await b.stop();
  const s = summarize(times);
  report("/chart → photo received, dist/octopus (p50 / max of 20)", `${ms(s.p50)} / ${ms(s.max)}`);
  report(
    "bot RSS before → after 20 charts (growth)",
    `${before.toFixed(1)} → ${after.toFixed(1)} MiB (+${(after - before).toFixed(1)})`,
  );
}

function historyCost(): void {
  const dir = `/tmp/octopus-bench-history-${process.pid}`;
  const db = openDb(dir);
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const D = 86_400_000;
  const keep = { keep_raw: 2 * D, keep_minutes: 7 * D, keep_quarters: 90 * D, keep_hours: 730 * D };
  const store = createHistoryStore({ repo: createHistoryRepo(db), clock, keep, log: silentLogger });
  // 20 devices: cpu, 3 loads, memory, 20 disks and 20 inode series.
  const names = ["cpu", "load1", "load5", "load15", "memory"];
  for (let i = 0; i < 20; i++) names.push(`disk:d${i}`, `inodes:d${i}`);
  const values = new Map(names.map((n) => [n, 50]));
  const record: number[] = [];
  const flushes: number[] = [];
  // 2000 checks every 30 s, as the bot writes them: every other one starts a minute (a flush).
  for (let t = 0; t < 2000; t++) {
    const t0 = performance.now();
    store.record(values);
    (t % 2 === 0 && t > 0 ? flushes : record).push(performance.now() - t0);
    clock.advance(30_000);
  }
  store.flush();
  // A year's steady state: every tier full to its keep (the hour tier one year deep).
  db.run("DELETE FROM metric_points");
  const put = db.query(
    "INSERT INTO metric_points (series, tier, at, min, avg, max, n) VALUES (?, ?, ?, 50, 50, 50, 1)",
  );
  const fill = db.transaction((tier: number, spanMs: number, stepMs: number) => {
    for (let at = 0; at < spanMs; at += stepMs) for (const n of names) put.run(n, tier, at);
  });
  fill(0, keep.keep_raw, 30_000);
  fill(1, keep.keep_minutes, 60_000);
  fill(15, keep.keep_quarters, 15 * 60_000);
  fill(60, 365 * D, 3_600_000);
  const rows = (db.query("SELECT count(*) AS n FROM metric_points").get() as { n: number }).n;
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  const size = statSync(join(dir, "octopus.db")).size;
  report(
    "history: a check kept, median (45 series, no flush)",
    `${(summarize(record).p50 * 1000).toFixed(1)} µs`,
  );
  report(
    "history: a check that starts a minute (flush: write + roll-ups)",
    `${ms(summarize(flushes).p50)} median`,
  );
  report(
    "history: database after a year, 20 devices (rows)",
    `${(size / 1024 / 1024).toFixed(1)} MiB (${rows})`,
  );
}

export async function benchCharts(): Promise<void> {
  await chartRoundTrips();
  historyCost();
}

if (import.meta.main) await benchCharts();
