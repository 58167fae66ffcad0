/**
 * A script writing 200,000 lines (~10 MB) as fast as it can, run through dist/octopus in
 * a private chat with Telegram's real limits: exit → final message, peak RSS growth, Bot
 * API calls (and that they kept the limits), and that the log equals the output. Then the
 * same with 1,000,000 lines (59 MB, the log cut at runner.max_log_bytes = 50 MB): the
 * growth must not follow the output's size.
 */
import { Database } from "bun:sqlite";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startBenchBot } from "./bot.ts";
import { ms, procMiB, report } from "./stats.ts";

const ROOT = resolve(import.meta.dir, "../..");
const SCRIPT = join(ROOT, "test/fixtures/scripts/big.sh");

export async function benchRunner(): Promise<void> {
  await runBig(200_000);
  await runBig(1_000_000);
}

async function runBig(lines: number): Promise<void> {
  const user = 4242;
  const label = lines === 200_000 ? "200k lines" : `${lines / 1_000_000}M lines`;
  const { dir, api, bot, stop } = await startBenchBot(
    "run",
    () =>
      `telegram:\n  admins: [${user}]\none_time_scripts:\n  - { name: big, path: ${SCRIPT}, env: { LINES: "${lines}" } }\n`,
  );
  api.userSays(user, { id: user, first_name: "bench" }, "/help");
  await api.waitFor((e) => e.type === "message");
  await Bun.sleep(1500);
  const baseline = procMiB(bot.pid);
  let peak = baseline;
  const samples: { at: number; rss: number }[] = [];
  const sampler = setInterval(() => {
    const rss = procMiB(bot.pid);
    samples.push({ at: Date.now(), rss });
    peak = Math.max(peak, rss);
  }, 20);
  const callsBefore = api.state.calls.length;
  api.userSays(user, { id: user, first_name: "bench" }, "/run big");
  const doc = await api.waitFor((e) => e.type === "message" && e.message.document !== undefined, 60_000);
  const docAt = Date.now();
  clearInterval(sampler);

  const db = new Database(join(dir, "state/octopus.db"), { readonly: true });
  const row = db
    .query("SELECT id, started_at AS s, ended_at AS e, log_path AS log FROM runs ORDER BY id DESC LIMIT 1")
    .get() as {
    id: number;
    s: number;
    e: number;
    log: string;
  };
  const expected = Bun.spawnSync([SCRIPT], { env: { LINES: String(lines) } }).stdout;
  const log = readFileSync(row.log);
  const calls = api.state.calls.slice(callsBefore).filter((c) => c.chatId === user);
  const times = calls.map((c) => c.at);
  const worst3s = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 3000).length));
  db.close();
  await stop();

  report(`${label}: script run time`, ms(row.e - row.s));
  report(`${label}: script exit → final message (document) received`, ms(docAt - row.e));
  report(
    `${label}: bot RSS baseline → peak (growth)`,
    `${baseline.toFixed(1)} → ${peak.toFixed(1)} MiB (+${(peak - baseline).toFixed(1)})`,
  );
  const during = Math.max(baseline, ...samples.filter((x) => x.at <= row.e).map((x) => x.rss));
  report(
    `${label}: bot RSS growth while the script ran / at its peak`,
    `+${(during - baseline).toFixed(1)} / +${(peak - baseline).toFixed(1)} MiB`,
  );
  report(`${label}: Bot API calls to the chat (most in any 3 s)`, `${calls.length} (${worst3s})`);
  const cut = log.byteLength < expected.byteLength;
  const same = cut
    ? Bun.hash(log.subarray(0, 1_000_000)) === Bun.hash(expected.subarray(0, 1_000_000))
    : Bun.hash(log) === Bun.hash(expected) && log.byteLength === expected.byteLength;
  report(
    `${label}: log ${cut ? "starts as the script's output (cut)" : "identical to the script's output"}`,
    `${same} (${log.byteLength} of ${expected.byteLength} bytes)`,
  );
  if (doc.type !== "message") throw new Error("no document");
}

if (import.meta.main) await benchRunner();
